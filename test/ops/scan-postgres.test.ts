// `dsar scan` against a real PostgreSQL database: a partitioned table, a view of declared columns, undeclared
// columns with non-ASCII names, an innocently named column holding emails, card numbers among Luhn-valid phone
// numbers and order numbers, a declared column that was dropped, and a clean SQLite system beside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDataMap } from '../../src/datamap/load.ts';
import { runScan } from '../../src/ops/scan.ts';
import type { ScanReport } from '../../src/scan/report.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { dsarMain } from '../helpers/dsar-main.ts';
import { createPostgresDatabase, execPostgres, type TestDatabase } from '../helpers/databases.ts';

const APP_SQL = `
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, full_name text, fax text, notes text, nachname text,
  "Straße" text, "電話" text, plan text, created_at timestamptz);
INSERT INTO users SELECT g, 'user' || g || '@example.com', 'User ' || g, NULL, 'n' || g || '@mail.example.org', 'Müller',
  'Hauptstraße ' || g, '+81 3-1234-' || lpad(g::text, 4, '0'), (ARRAY['free','pro'])[1 + g % 2], '2024-01-01T10:00:00Z'::timestamptz + g * interval '1 hour'
FROM generate_series(1, 40) g;
ALTER TABLE users DROP COLUMN fax;
CREATE TABLE events (id int, at date, ip inet, user_id int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events SELECT g, date '2024-06-01' + g * 10, ('10.0.0.' || g)::inet, 1 + g % 40 FROM generate_series(1, 50) g;
CREATE VIEW active_users AS SELECT id, email, full_name FROM users WHERE plan = 'pro';
CREATE TABLE contacts (id int PRIMARY KEY, email text);
INSERT INTO contacts SELECT g, (ARRAY['n/a', 'pending', 'unknown'])[1 + g % 3] FROM generate_series(1, 12) g;
CREATE TABLE payments_raw (id int PRIMARY KEY, pan text, order_no text, phone text, amount numeric(10,2));
INSERT INTO payments_raw SELECT g,
  CASE WHEN g % 3 = 0 THEN '3782 822463 10005' WHEN g = 1 THEN NULL ELSE '4111-1111-1111-1111' END,
  (4000000000000000 + g * 7919)::text,
  CASE WHEN g % 2 = 0 THEN '+886 10655648674' ELSE '886-10655648674' END,
  g * 1.5
FROM generate_series(1, 60) g;
`;

const CARDS_AND_VALUES = ['4111-1111-1111-1111', '4111111111111111', '3782 822463 10005', '378282246310005', '10655648674', 'user1@example.com', 'n1@mail.example.org', 'Müller', '+81 3-1234'];

let dir: string;
let app: TestDatabase;
let datamap: string;

/** test/fixtures/datamaps/scan-postgres.yaml in the test directory: line 14 is app.users' fax, 25 app.legacy_orders. */
function writeMap(): string {
  const file = path.join(dir, 'datamap.yaml');
  writeFileSync(file, datamapFixture('scan-postgres'));
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-scan-pg-'));
  app = await createPostgresDatabase('scan');
  await execPostgres(app.url, APP_SQL);
  process.env.SCAN_TEST_APP_URL = app.url;
  const clean = new Database(path.join(dir, 'clean.db'));
  clean.exec(`CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT NOT NULL, full_name TEXT, plan TEXT, joined_at TEXT);
    INSERT INTO members VALUES (1, 'ann@example.com', 'Ann', 'free', '2024-01-01 10:00:00'), (2, 'bob@example.com', 'Bob', 'pro', '2024-02-01 11:00:00');`);
  clean.close();
  datamap = writeMap();
});

afterAll(async () => {
  delete process.env.SCAN_TEST_APP_URL;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await app?.drop();
});

const dsar = (...argv: string[]) => dsarMain(datamap, ...argv);

describe('a scan of the PostgreSQL system', () => {
  let text: { code: number; stdout: string };
  let report: ScanReport;
  beforeAll(async () => {
    text = await dsar('scan', '--system', 'app');
    const json = await dsar('scan', '--system', 'app', '--json');
    expect(json.code).toBe(1);
    report = JSON.parse(json.stdout);
  });

  test('exits 1: there is undeclared personal data and card numbers', () => {
    expect(text.code).toBe(1);
    expect(report.ok).toBe(false);
  });

  test('reports each undeclared personal column with a category suggestion, non-ASCII names included', () => {
    expect(report.undeclared.map((u) => [u.where, u.category, u.level])).toEqual([
      ['app.payments_raw.phone', 'contact.phone', 'high'],
      ['app.users.Straße', 'contact.address', 'medium'],
      ['app.users.nachname', 'identity.name', 'high'],
      ['app.users.notes', 'contact.email', 'high'],
      ['app.users.電話', 'contact.phone', 'high'],
    ]);
  });

  test('finds the emails of a column named innocently by its values', () => {
    const notes = report.undeclared.find((u) => u.column === 'notes')!;
    expect(notes.detectors).toEqual([{ detector: 'email', category: 'contact.email', confidence: 0.95, evidence: '40 of 40 sampled values are email addresses' }]);
    expect(notes.field).toBe('notes: { category: contact.email, mask: hash }');
  });

  test('gives one ready-to-paste tables: block, an entry per table', () => {
    expect(report.snippets.find((s) => s.table === 'app.users')!.yaml).toBe(
      ['app.users:', '  fields:', '    notes: { category: contact.email, mask: hash }', '    nachname: { category: identity.name, mask: fake }', '    Straße: { category: contact.address, mask: redact }', '    電話: { category: contact.phone, mask: null }'].join('\n'),
    );
    expect(report.snippets.find((s) => s.table === 'app.payments_raw')!.yaml).toBe(
      ['app.payments_raw:', '  key: id', '  # how rows reach a subject: identify: { email: <column> } or links: [{ column: ..., references: ... }]', '  fields:', '    phone: { category: contact.phone, mask: null }'].join('\n'),
    );
    expect(report.snippet.split('\n').filter((l) => l === 'tables:')).toHaveLength(1);
    expect(report.snippet.split('\n').filter((l) => /^  \S/.test(l))).toEqual(report.snippets.map((s) => `  ${s.table}:`));
  });

  test('reports card numbers as a policy violation with row keys and last four digits only', () => {
    expect(report.cards).toHaveLength(1);
    const card = report.cards[0];
    expect(card).toMatchObject({ where: 'app.payments_raw.pan', declared: false, count: 59, valuesRead: 59, brands: ['American Express', 'Visa'], level: 'high' });
    expect(card.examples).toEqual([
      { key: { id: 2 }, brand: 'Visa', last4: '1111' },
      { key: { id: 3 }, brand: 'American Express', last4: '0005' },
      { key: { id: 4 }, brand: 'Visa', last4: '1111' },
      { key: { id: 5 }, brand: 'Visa', last4: '1111' },
      { key: { id: 6 }, brand: 'American Express', last4: '0005' },
    ]);
  });

  test('Luhn-valid phone numbers and order numbers are not cards', () => {
    expect(report.cards.map((c) => c.column)).toEqual(['pan']);
    expect(report.notCards.map((n) => [n.where, n.confidence])).toEqual([
      ['app.payments_raw.order_no', 0.2],
      ['app.payments_raw.phone', 0.2],
    ]);
    expect(report.notCards[1].evidence).toBe('30 number(s) pass Luhn but fit no card issuer\'s prefix and length (phone numbers, ids): not cards');
  });

  test('a partition is part of its parent: never reported on its own', () => {
    expect(JSON.stringify(report)).not.toContain('events_202');
    expect(report.undeclared.filter((u) => u.table === 'events')).toEqual([]);
  });

  test('a view of declared columns is reported as a view of them, not as undeclared data', () => {
    expect(report.views).toEqual([{ system: 'app', table: 'active_users', where: 'app.active_users', of: ['app.users.email', 'app.users.full_name', 'app.users.id'] }]);
    expect(report.undeclared.some((u) => u.table === 'active_users')).toBe(false);
  });

  test('a declared column that was dropped and a declared table that is gone are reported with their place in the map', () => {
    expect(report.missing.map((m) => [m.where, m.what, m.role ?? null, m.line])).toEqual([
      ['app.legacy_orders', 'table', null, 25],
      ['app.users.fax', 'column', 'field', 14],
    ]);
  });

  test('a declared email column whose values are not emails is a category mismatch', () => {
    expect(report.mismatches.map((m) => [m.where, m.message])).toEqual([['app.contacts.email', 'declared contact.email, but 0 of 12 sampled values look like it']]);
  });

  test('the text output groups by category with the policy wording, and never prints a sampled value', () => {
    expect(text.stdout).toContain('CARD NUMBERS: a policy violation (PAYMENT PROCESSING: "We will not store or collect your payment card details.")');
    expect(text.stdout).toContain('    Visa ending 1111 at id=2');
    expect(text.stdout).toContain('  Contact details (contact): policy: "mailing and physical address and zip code, email address, phone number"');
    for (const value of CARDS_AND_VALUES) {
      expect(text.stdout).not.toContain(value);
      expect(JSON.stringify(report)).not.toContain(value);
    }
  });

  test('each table costs a couple of queries whatever its size', () => {
    const app = report.systems.find((s) => s.system === 'app')!;
    expect(app).toMatchObject({ status: 'scanned', tables: 5 });
    expect(app.queries).toBeLessThanOrEqual(2 * 5);
  });
});

test('a clean system exits 0', async () => {
  const r = await dsar('scan', '--system', 'clean');
  expect(r.stdout).toContain('clean: no undeclared personal data, no card numbers');
  expect(r.code).toBe(0);
});

test('an unknown --system is a usage error (exit 2)', async () => {
  const r = await dsar('scan', '--system', 'nope');
  expect(r.code).toBe(2);
  expect(r.stderr).toBe("dsar: --system: unknown system 'nope' (declared: app, clean)\n");
});

test('logs carry counts and places, never a sampled value', async () => {
  let logs = '';
  const log = pino({ level: 'trace' }, new Writable({ write: (chunk, _enc, done) => void ((logs += chunk.toString()), done()) }));
  await runScan(loadDataMap(datamap), { systems: ['app'] }, log);
  expect(logs).toContain('"msg":"table sampled"');
  expect(logs).toContain('"msg":"scan finished"');
  for (const value of CARDS_AND_VALUES) expect(logs).not.toContain(value);
});

test('--full reads every row and finds the same', async () => {
  const report = await runScan(loadDataMap(datamap), { systems: ['app'], full: true }, pino({ level: 'silent' }));
  expect(report.sample).toBe('full');
  expect(report.cards.map((c) => [c.where, c.count])).toEqual([['app.payments_raw.pan', 59]]);
  expect(report.undeclared.map((u) => u.where)).toEqual(['app.payments_raw.phone', 'app.users.Straße', 'app.users.nachname', 'app.users.notes', 'app.users.電話']);
});
