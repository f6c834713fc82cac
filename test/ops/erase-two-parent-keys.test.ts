// One child column that references two keys of one parent (a foreign key to users.id and another to
// users.legacy_id): each reference is checked on its own, so a row pointing at the subject through either key keeps
// the subject's row from being deleted, and no effect of one reference is reported for the other.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dsarMain, jsonOf } from '../helpers/dsar-main.ts';
import { withSqliteFile } from '../helpers/sqlite-file.ts';

const KEY_ENV = 'TWO_PARENT_KEYS_HMAC';
let dir: string;
let datamap: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-two-keys-'));
  withSqliteFile(path.join(dir, 'app.db'), (db) =>
    db.exec(`
      CREATE TABLE users (id INTEGER PRIMARY KEY, legacy_id INTEGER NOT NULL UNIQUE, email TEXT NOT NULL, name TEXT);
      -- audit is not in the data map: it is another system's bookkeeping, pointing at users by either key.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        user_ref INTEGER NOT NULL,
        FOREIGN KEY (user_ref) REFERENCES users (id) ON DELETE CASCADE,
        FOREIGN KEY (user_ref) REFERENCES users (legacy_id)
      );
      INSERT INTO users VALUES (1, 7, 'ann@example.com', 'Ann'), (7, 8, 'bo@example.com', 'Bo');
      -- 7 is Bo's id and Ann's legacy id: this row references both.
      INSERT INTO audit VALUES (100, 7);
    `),
  );
  datamap = path.join(dir, 'datamap.yaml');
  writeFileSync(
    datamap,
    [
      'version: 1',
      'systems:',
      '  app: { kind: sqlite, path: app.db }',
      'secrets:',
      `  hmac_key: env:${KEY_ENV}`,
      'tables:',
      '  app.users:',
      '    key: id',
      '    identify: { email: email }',
      '    on_erase: delete',
      '    fields:',
      '      email: { category: contact.email, mask: hash }',
      '      name: { category: identity.name, mask: redact }',
      '',
    ].join('\n'),
  );
  process.env[KEY_ENV] = 'two-parent-keys-test-key-0123456789';
});

afterAll(() => {
  delete process.env[KEY_ENV];
  rmSync(dir, { recursive: true, force: true });
});

test("a subject whose legacy key another table's row references is anonymized, not deleted, and no cascade is planned for the id reference", async () => {
  const run = await dsarMain(datamap, '--json', 'erase', 'ann@example.com', '--ticket', 'KEYS-1', '--dry-run');
  const doc = jsonOf(run.stdout);

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(doc.plan.steps.map((s: { table: string; action: string; rows: number; reason: string }) => [s.table, s.action, s.rows, s.reason])).toEqual([
    ['app.users', 'anonymize', 1, 'delete -> anonymize: referenced by rows of app.audit, which is not in the data map (ON DELETE NO ACTION)'],
  ]);
  expect(doc.plan.sideEffects).toEqual([]);
});

test("a subject only the id reference points at is deleted, and the plan names the cascade to the other table's row", async () => {
  const run = await dsarMain(datamap, '--json', 'erase', 'bo@example.com', '--ticket', 'KEYS-2', '--dry-run');
  const doc = jsonOf(run.stdout);

  expect(run.code).toBe(0);
  expect(doc.plan.steps.map((s: { table: string; action: string; rows: number }) => [s.table, s.action, s.rows])).toEqual([['app.users', 'delete', 1]]);
  expect(doc.plan.sideEffects.map((e: { table: string; kind: string; target: string; rows: number }) => [e.table, e.kind, e.target, e.rows])).toEqual([
    ['app.users', 'cascade', 'app.audit', 1],
  ]);
});

test("the erasure runs as planned: the subject's row anonymized in place, the other table's row and the other user untouched", async () => {
  const run = await dsarMain(datamap, '--json', 'erase', 'ann@example.com', '--ticket', 'KEYS-3');

  expect(run.code).toBe(0);
  const rows = withSqliteFile(path.join(dir, 'app.db'), (db) => ({
    users: db.prepare('SELECT id, legacy_id, email = ? AS email_kept, name FROM users ORDER BY id').all('ann@example.com'),
    audit: db.prepare('SELECT id, user_ref FROM audit').all(),
  }));
  expect(rows.users).toEqual([
    { id: 1, legacy_id: 7, email_kept: 0, name: '[REDACTED]' },
    { id: 7, legacy_id: 8, email_kept: 0, name: 'Bo' },
  ]);
  expect(rows.audit).toEqual([{ id: 100, user_ref: 7 }]);
});
