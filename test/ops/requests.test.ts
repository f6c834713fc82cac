import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { addDays, utcDate } from '../../src/state/statutory.ts';

// A data map with one CSV system: the request ledger needs no database server.
const DATAMAP = `version: 1
secrets: { hmac_key: env:REQUESTS_TEST_KEY }
identities:
  email: { normalize: lowercase-trim }
systems:
  crm: { kind: files, path: ./crm, format: csv }
tables:
  crm.contacts:
    key: id
    identify: { email: email }
    fields:
      email: { category: contact.email, mask: hash }
`;

let dir: string;
const today = utcDate(new Date());

async function dsar(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', ...argv], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  process.env.REQUESTS_TEST_KEY = 'requests-test-key';
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-requests-'));
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'contacts.csv'), 'id,email\n1,ann@example.com\n2,bob@example.com\n');
  writeFileSync(path.join(dir, 'datamap.yaml'), DATAMAP);
  const out = path.join(dir, 'exports');
  expect((await dsar('export', 'ann@example.com', '--ticket', 'GDPR-1', '--out', out, '--received', addDays(today, -40))).code).toBe(0);
  expect((await dsar('export', 'bob@example.com', '--ticket', 'CCPA-1', '--out', out, '--received', addDays(today, -5), '--law', 'ccpa')).code).toBe(0);
  // An export that cannot read its system (the CSV is gone) is partial, and the request stays open.
  rmSync(path.join(dir, 'crm', 'contacts.csv'));
  expect((await dsar('export', 'ann@example.com', '--ticket', 'GDPR-2', '--out', out, '--received', addDays(today, -28))).code).toBe(1);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('requests lists every request with its due date and days left, soonest due first', async () => {
  const r = await dsar('requests', '--json');

  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).requests.map((q: Record<string, unknown>) => [q.ticket, q.law, q.receivedOn, q.dueOn, q.daysLeft, q.status, q.open])).toEqual([
    ['GDPR-1', 'gdpr', addDays(today, -40), addDays(today, -10), -10, 'ok', false],
    ['GDPR-2', 'gdpr', addDays(today, -28), addDays(today, 2), 2, 'partial', true],
    ['CCPA-1', 'ccpa', addDays(today, -5), addDays(today, 40), 40, 'ok', false],
  ]);
});

test('requests --open shows only what is still owed, as a table a person reads', async () => {
  const r = await dsar('requests', '--open');
  const lines = r.stdout.trimEnd().split('\n');

  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^TICKET\s+KIND\s+RECEIVED\s+LAW\s+DUE\s+DAYS LEFT\s+STATUS\s+BY\s+SUBJECT$/);
  expect(lines[1]).toMatch(new RegExp(`^GDPR-2\\s+export\\s+${addDays(today, -28)}\\s+GDPR\\s+${addDays(today, 2)}\\s+2\\s+partial\\s+\\S+\\s+[0-9a-f]{12}$`));
});

test('requests verify passes on an untouched ledger and fails, exit 1, once an entry is edited', async () => {
  const intact = await dsar('requests', 'verify');
  expect(intact).toEqual({ code: 0, stdout: 'ledger intact: 6 entries, every hash chained\n', stderr: '' });

  const db = new Database(path.join(dir, '.dsar', 'state.db'));
  try {
    db.prepare(`update dsar_ledger set outcome = 'ok' where id = 6`).run();
  } finally {
    db.close();
  }
  const broken = await dsar('requests', 'verify', '--json');

  expect(broken.code).toBe(1);
  expect(JSON.parse(broken.stdout)).toEqual({ ok: false, entries: 6, problems: ['entry 6: content changed (its fields do not match its hash)'] });
});
