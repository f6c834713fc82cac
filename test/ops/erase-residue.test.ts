// Verification after erasure finds what the erasure could not remove: here a BEFORE UPDATE trigger that puts the old
// email back, and a declared table that holds the email but no link leads to. Residue is listed by
// system.table.column and key, never by value, and the exit code is 1.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { dsarMain } from '../helpers/dsar-main.ts';
import { createPostgresDatabase, execPostgres, queryPostgres, type TestDatabase } from '../helpers/databases.ts';

const ANN = 'ann@example.org';
let db: TestDatabase;
let dir: string;
let datamap: string;

beforeAll(async () => {
  db = await createPostgresDatabase('eresidue');
  await execPostgres(
    db.url,
    `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text);
     CREATE FUNCTION keep_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := OLD.email; RETURN NEW; END $$;
     CREATE TRIGGER users_keep_email BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION keep_email();
     CREATE TABLE contacts (id integer PRIMARY KEY, contact_email text, note text);
     INSERT INTO users VALUES (1, 'ann@example.org', 'Ann Lee'), (2, 'ben@example.org', 'Ben Ode');
     INSERT INTO contacts VALUES (7, 'Ann@Example.org', 'met at a fair'), (8, 'ben@example.org', 'friend');
     CREATE TABLE mail_log (id integer PRIMARY KEY, message text, meta jsonb);
     INSERT INTO mail_log VALUES (1, 'password reset sent to ANN@example.org', NULL), (2, 'sent to ben@example.org', NULL), (3, NULL, '{"to": "ann@example.org"}');`,
  );
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-eresidue-'));
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'list.csv'), 'email,name\nann@example.org,Ann Lee\nben@example.org,Ben Ode\n');
  process.env.ERASE_RESIDUE_URL = db.url;
  process.env.ERASE_RESIDUE_KEY = 'residue-test-key';
  datamap = path.join(dir, 'datamap.yaml');
  writeFileSync(datamap, datamapFixture('erase-residue'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const erase = (...args: string[]) => dsarMain(datamap, 'erase', ANN, '--ticket', 'R-1', ...args);

test('residue is listed by system.table.column and key, without the value, and the erase exits 1', async () => {
  const run = await erase();

  expect(run.code).toBe(1);
  expect(run.stdout).toContain('side effect on app.users: BEFORE UPDATE trigger users_keep_email fires (1 row)');
  expect(run.stdout).toContain(
    [
      '  app.users.email key (1): an identity of the subject',
      '  app.contacts.contact_email key (7): an identity of the subject',
    ].join('\n'),
  );
  // The CSV is keyed by the email itself: its key is shown by keyed hash, never as the address.
  expect(run.stdout).toMatch(/verification: 3 value\(s\) of the subject remain \(searched 5 identifying columns of 3 tables in 2 systems\):\n {2}crm\.list\.email key \(#[0-9a-f]{12}\): an identity of the subject\n/);
  expect(run.stdout.toLowerCase()).not.toContain('ann@');
  expect(run.stdout.toLowerCase()).not.toContain('ann lee');
  // The trigger let the name be masked and kept the email: exactly what verification reported.
  expect(await queryPostgres(db.url, 'SELECT id, email, name FROM users ORDER BY id')).toEqual([
    { id: 1, email: ANN, name: '[REDACTED]' },
    { id: 2, email: 'ben@example.org', name: 'Ben Ode' },
  ]);
});

test('the ledger records the verification as partial, with the residue count and where it is', async () => {
  const store = await openStateStore({ dir });
  const entries = await store.ledger.forTicket('R-1');
  await store.close();
  const verified = entries.find((e) => e.event === 'verified')!;

  expect(verified.outcome).toBe('partial');
  expect(verified.detail).toEqual({ residue: 3, retained: 0, unsearched: 0, where: ['crm.list.email', 'app.users.email', 'app.contacts.contact_email'] });
});

test('--json lists the residue with its keys', async () => {
  const run = await erase('--json');
  const doc = JSON.parse(run.stdout);

  expect(run.code).toBe(1);
  expect(doc.ok).toBe(false);
  expect(doc.verification.residue).toEqual([
    { system: 'crm', table: 'list', column: 'email', key: [expect.stringMatching(/^#[0-9a-f]{12}$/)], kind: 'identity' },
    { system: 'app', table: 'users', column: 'email', key: [1], kind: 'identity' },
    { system: 'app', table: 'contacts', column: 'contact_email', key: [7], kind: 'identity' },
  ]);
});


test('--verify-deep finds the subject in columns the map never declared, by system.table.column and key, never by value', async () => {
  const run = await erase('--verify-deep');

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/deep verification: 5 place\(s\) still hold an identity of the subject \(searched \d+ text column\(s\) of 4 table\(s\) and file\(s\) in 2 system\(s\), declared or not\):/);
  expect(run.stdout).toMatch(/ {2}crm\.list\.email key \(#[0-9a-f]{12}\)\n/);
  expect(run.stdout).toContain('  app.mail_log.message key (1) (not declared in the data map)\n');
  expect(run.stdout).toContain('  app.mail_log.meta key (3) (not declared in the data map)\n');
  expect(run.stdout).toContain('  app.users.email key (1)\n');
  expect(run.stdout).toContain('  app.contacts.contact_email key (7)\n');
  expect(run.stdout.toLowerCase()).not.toContain('ann@');
});

test('dsar verify <identity> runs the deep check alone: reads only, exit 1 with the places, 0 for someone nowhere', async () => {
  const ann = await dsarMain(datamap, '--json', 'verify', ANN);
  const nobody = await dsarMain(datamap, '--json', 'verify', 'nobody.at.all@example.org');

  expect(ann.code).toBe(1);
  const doc = JSON.parse(ann.stdout);
  expect(doc.hits.map((h: any) => `${h.table}.${h.column}:${h.key.replace(/#[0-9a-f]{12}/, '#hash')}:${h.declared}`).sort()).toEqual(
    ['contacts.contact_email:(7):true', 'list.email:(#hash):true', 'mail_log.message:(1):false', 'mail_log.meta:(3):false', 'users.email:(1):true'],
  );
  expect(ann.stdout.toLowerCase()).not.toContain('ann@');
  expect(nobody.code).toBe(0);
  expect(JSON.parse(nobody.stdout)).toMatchObject({ clean: true, hits: [], rowsFound: 0 });
});

