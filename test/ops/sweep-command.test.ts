// The command's edges, on a small SQLite system: bad input refused before anything runs, the text summary,
// logs without personal values, and legal holds that cannot be resolved stopping the sweep.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, expect, test } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { withSqliteFile } from '../helpers/sqlite-file.ts';
import { sweepFixtureDuring, tableOf } from './sweep-fixture.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'dsar.js');
const f = sweepFixtureDuring('command', 'sweep-command');
const file = () => path.join(f.dir, 'app.db');
const emails = () => withSqliteFile(file(), (db) => db.prepare('select email from users order by id').pluck().all() as string[]);

beforeEach(() => {
  rmSync(file(), { force: true });
  rmSync(path.join(f.dir, '.dsar'), { recursive: true, force: true });
  withSqliteFile(file(), (db) =>
    db.exec(`create table users (id integer primary key, email text, name text, last_seen_at timestamp);
      insert into users values (1, 'ann@example.org', 'Ann Archer', '2020-01-01 00:00:00'), (2, 'bob@example.org', 'Bob Baker', '2026-01-01 00:00:00')`),
  );
  process.env[f.env.key] = 'sweep-test-hmac-key';
});

test('without secrets.hmac_key the sweep is refused with exit 2 before anything opens', async () => {
  delete process.env[f.env.key];
  const r = await f.dsar('sweep', '--as-of', '2026-06-15');

  expect(r.code).toBe(2);
  expect(r.stderr).toBe('dsar: secrets.hmac_key is not set (env:DSAR_HMAC_KEY): erase, sweep and extract need it\n');
  expect(existsSync(path.join(f.dir, '.dsar'))).toBe(false);
  expect(emails()).toEqual(['ann@example.org', 'bob@example.org']);
});

test('an unknown table or a batch size out of range is refused with exit 2', async () => {
  const table = await f.dsar('sweep', '--table', 'app.nope');
  const size = await f.dsar('sweep', '--batch-size', '0');

  expect([table.code, size.code]).toEqual([2, 2]);
  expect(table.stderr).toBe("dsar: --table: unknown table 'app.nope' (tables with a retention rule: app.users)\n");
  expect(size.stderr).toBe('dsar: --batch-size must be a whole number from 1 to 100,000\n');
});

test('the text summary has one line per table with the counts; the dry run says nothing changed', async () => {
  const dry = await f.dsar('sweep', '--as-of', '2026-06-15', '--dry-run');
  const real = await f.dsar('sweep', '--as-of', '2026-06-15');

  expect(dry.code).toBe(0);
  const [title, header, row] = dry.stdout.split('\n');
  expect(title).toBe('sweep as of 2026-06-15T00:00:00.000Z (dry run: nothing changed; ANONYMIZED and DELETED are what a sweep would do)');
  expect(header.split(/\s{2,}/)).toEqual(['TABLE', 'RULE', 'THEN', 'EXPIRED', 'ANONYMIZED', 'DELETED', 'HELD', 'UNCHANGED', 'NULL DATES', 'TIME', 'ROWS/S']);
  expect(row.split(/\s{2,}/).slice(0, 9)).toEqual(['app.users', 'inactive', 'anonymize', '1', '1', '0', '0', '0', '0']);
  expect(real.code).toBe(0);
  expect(real.stdout.split('\n')[0]).toBe('sweep as of 2026-06-15T00:00:00.000Z');
  expect(emails()[0]).toMatch(/^[0-9a-f]{16,64}@erased\.invalid$/);
});

test('the logs, even at debug level, carry counts and never a personal value', () => {
  const r = spawnSync(process.execPath, [BIN, '--datamap', f.datamap, '--log-level', 'debug', 'sweep', '--as-of', '2026-06-15'], {
    env: process.env,
    encoding: 'utf8',
  });

  expect(r.status).toBe(0);
  const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
  expect(logs.map((l) => l.msg)).toContain('sweep finished a table');
  expect(logs.find((l) => l.msg === 'sweep finished a table')).toMatchObject({ table: 'app.users', expired: 1, anonymized: 1 });
  for (const secret of ['ann@example.org', 'Ann Archer', 'bob@example.org', 'Bob Baker', 'sweep-test-hmac-key']) expect(r.stderr).not.toContain(secret);
});

test('a legal hold whose identity cannot be read back stops the whole sweep (exit 1), nothing swept', async () => {
  expect((await f.dsar('hold', 'add', 'ann@example.org', '--reason', 'case 9')).code).toBe(0);
  withSqliteFile(path.join(f.dir, '.dsar', 'state.db'), (state) => state.exec('update dsar_holds set identity_sealed = null'));

  const r = await f.dsar('sweep', '--as-of', '2026-06-15');

  expect(r.code).toBe(1);
  expect(r.stderr).toContain('legal holds cannot be resolved to rows: 1 hold(s) keep no readable identity');
  expect(emails()).toEqual(['ann@example.org', 'bob@example.org']);
});

test('a held subject found by the sweep keeps its rows; the others are swept', async () => {
  expect((await f.dsar('hold', 'add', ' ANN@example.org', '--reason', 'case 9')).code).toBe(0);

  const result = await f.sweep('--as-of', '2026-06-15');

  expect(tableOf(result, 'app.users')).toMatchObject({ expired: 1, anonymized: 0, skippedHolds: 1 });
  expect(emails()).toEqual(['ann@example.org', 'bob@example.org']);
});

test('progress bars are drawn only when asked (a TTY), on the stream given', () => {
  let written = '';
  const stream = { write: (s: string) => ((written += s), true), on: () => stream, once: () => stream, removeListener: () => stream, isTTY: true, columns: 100 };
  const none = createProgress(false).table('app.users', 10);
  none.advance(10);
  none.done();
  expect(written).toBe('');

  const bar = createProgress(true, stream as unknown as NodeJS.WritableStream).table('app.users', 10);
  bar.advance(4);
  bar.done();
  expect(written).toContain('app.users [');
  expect(written).toContain('4/4 rows');
});
