import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, expect, test } from 'vitest';
import { counts, sweepFixtureDuring, tableOf } from './sweep-fixture.ts';

// --as-of 2026-06-15: `1y` expires rows older than 2025-06-15 00:00 UTC.
const f = sweepFixtureDuring('files', 'sweep-files');
const dir = () => path.join(f.dir, 'exports');
const file = (name: string) => path.join(dir(), `${name}.csv`);
const read = (name: string) => readFileSync(file(name), 'utf8');

const MEMBERS = [
  'id,email,name,last_seen',
  '1,ann@example.org,Ann,2025-06-15',
  '2,Bob@Example.org,Bob,2025-06-14T23:59:59Z',
  '3,cy@example.org,Cy,',
  '4,di@example.org,"Di, Jr.",2020-01-01',
  '',
].join('\r\n');
const TICKETS = ['id,member_id,body,closed', '10,4,"old, closed",2020-01-01', '11,1,recent,2026-01-01', '12,2,no date,', ''].join('\r\n');

beforeEach(() => {
  mkdirSync(dir(), { recursive: true });
  writeFileSync(file('members'), MEMBERS);
  writeFileSync(file('tickets'), TICKETS);
});

test('expired rows of a CSV are anonymized and deleted in one rewrite; the boundary row and empty dates stay, counted', async () => {
  const result = await f.sweep('--as-of', '2026-06-15');

  expect(result.ok).toBe(true);
  expect(counts(tableOf(result, 'mail.members'))).toEqual({ expired: 2, anonymized: 2, deleted: 0, skippedHolds: 0, nullDates: 1, unchanged: 0 });
  expect(counts(tableOf(result, 'mail.tickets'))).toEqual({ expired: 1, anonymized: 0, deleted: 1, skippedHolds: 0, nullDates: 1, unchanged: 0 });
  const lines = read('members').split('\r\n');
  expect(lines[0]).toBe('id,email,name,last_seen');
  expect(lines[1]).toBe('1,ann@example.org,Ann,2025-06-15');
  expect(lines[2]).toMatch(/^2,[0-9a-f]{16,64}@erased\.invalid,\[REDACTED\],2025-06-14T23:59:59Z$/);
  expect(lines[3]).toBe('3,cy@example.org,Cy,');
  expect(lines[4]).toMatch(/^4,[0-9a-f]{16,64}@erased\.invalid,"\[REDACTED\]",2020-01-01$/); // the cell keeps its quotes
  expect(read('tickets')).toBe(['id,member_id,body,closed', '11,1,recent,2026-01-01', '12,2,no date,', ''].join('\r\n'));
});

test('a second sweep finds everything done and does not rewrite the file', async () => {
  await f.sweep('--as-of', '2026-06-15');
  const before = { members: read('members'), inode: statSync(file('members')).ino, mtime: statSync(file('members')).mtimeMs };

  const second = await f.sweep('--as-of', '2026-06-15');

  expect(counts(tableOf(second, 'mail.members'))).toEqual({ expired: 2, anonymized: 0, deleted: 0, skippedHolds: 0, nullDates: 1, unchanged: 2 });
  expect(read('members')).toBe(before.members);
  expect(statSync(file('members')).ino).toBe(before.inode);
  expect(statSync(file('members')).mtimeMs).toBe(before.mtime);
});

test('a held subject’s rows in a file are skipped; a row referenced from an unexpired file row is anonymized, not deleted', async () => {
  expect((await f.dsar('hold', 'add', 'bob@example.org', '--reason', 'case 7')).code).toBe(0);
  writeFileSync(file('tickets'), ['id,member_id,body,closed', '10,4,"old, closed",2026-01-01', ''].join('\r\n'));
  f.writeDatamap(readFileSync(f.datamap, 'utf8').replace('seen:   { keep: 1y, after: last_seen, then: anonymize }', 'seen:   { keep: 1y, after: last_seen, then: delete }'));
  try {
    const result = await f.sweep('--as-of', '2026-06-15', '--table', 'mail.members');

    expect(counts(tableOf(result, 'mail.members'))).toEqual({ expired: 2, anonymized: 1, deleted: 0, skippedHolds: 1, nullDates: 1, unchanged: 0 });
    const lines = read('members').split('\r\n');
    expect(lines[2]).toBe('2,Bob@Example.org,Bob,2025-06-14T23:59:59Z');
    expect(lines[4]).toMatch(/^4,[0-9a-f]{16,64}@erased\.invalid,"\[REDACTED\]",2020-01-01$/); // the cell keeps its quotes
  } finally {
    await f.dsar('hold', 'remove', 'bob@example.org');
    f.writeDatamap(readFileSync(f.datamap, 'utf8').replace('then: delete }\n  closed', 'then: anonymize }\n  closed'));
  }
});
