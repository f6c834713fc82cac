// `dsar scan` of a SQLite file and of CSV and JSON export directories, with the findings also written as SARIF.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ScanReport } from '../../src/scan/report.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { dsarMain } from '../helpers/dsar-main.ts';

let dir: string;
let datamap: string;
let sarifFile: string;

const VALUES = ['4111 1111 1111 1111', '4111111111111111', 'ann@example.com', 'write to', '10.1.2.3', '1961-'];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-scan-files-'));
  const db = new Database(path.join(dir, 'app.db'));
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, full_name TEXT, geburtsdatum TEXT, plan TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, order_number TEXT, total REAL);
    CREATE VIEW user_emails AS SELECT id, email FROM users;
  `);
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)');
  const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)');
  for (let i = 1; i <= 30; i++) {
    user.run(i, `user${i}@example.com`, `User ${i}`, `${1940 + i * 2}-0${1 + (i % 9)}-1${i % 10}`, i % 2 ? 'free' : 'pro');
    order.run(i, i, String(4000000000000000n + BigInt(i) * 7919n), i * 2.5);
  }
  db.close();

  mkdirSync(path.join(dir, 'crm'));
  const contacts = ['email,Straße,notes,plz', ...Array.from({ length: 12 }, (_, i) => `c${i}@example.com,Hauptstraße ${i},"write to ann${i}@example.com, thanks",${10115 + i}`)];
  writeFileSync(path.join(dir, 'crm', 'contacts.csv'), '\uFEFF' + contacts.join('\r\n') + '\r\n');

  mkdirSync(path.join(dir, 'web'));
  const clicks = Array.from({ length: 10 }, (_, i) => ({ ip: `10.1.2.${i}`, user_agent: 'Mozilla/5.0', payload: { page: '/checkout', card: i === 4 ? '4111 1111 1111 1111' : null } }));
  writeFileSync(path.join(dir, 'web', 'clicks.json'), JSON.stringify(clicks));

  datamap = path.join(dir, 'datamap.yaml');
  // The map: test/fixtures/datamaps/scan-files.yaml (crm.contacts' phone, which the CSV lacks, at line 26).
  writeFileSync(datamap, datamapFixture('scan-files'));
  sarifFile = path.join(dir, 'scan.sarif');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dsar = (...argv: string[]) => dsarMain(datamap, ...argv);

describe('a scan of SQLite and of CSV and JSON exports', () => {
  let result: { code: number; stdout: string };
  let report: ScanReport;
  beforeAll(async () => {
    result = await dsar('scan', '--json', '--sarif', sarifFile);
    report = JSON.parse(result.stdout);
  });

  test('exits 1 and says where the SARIF went', () => {
    expect(result.code).toBe(1);
    expect(report.sarif).toBe(sarifFile);
  });

  test('finds undeclared personal data in every kind of system', () => {
    expect(report.undeclared.map((u) => [u.where, u.category, u.level])).toEqual([
      ['app.users.geburtsdatum', 'identity.birthdate', 'high'],
      ['crm.contacts.Straße', 'contact.address', 'medium'],
      ['crm.contacts.notes', 'contact.email', 'high'],
      ['crm.contacts.plz', 'contact.address.postal', 'high'],
      ['web.clicks.ip', 'online.ip', 'high'],
      ['web.clicks.user_agent', 'online.device', 'medium'],
    ]);
  });

  test('emails inside free text are to be redacted, not hashed', () => {
    expect(report.undeclared.find((u) => u.column === 'notes')!.field).toBe('notes: { category: contact.email, mask: redact }');
  });

  test('a card number inside a JSON object is found, named by the file row', () => {
    expect(report.cards.map((c) => [c.where, c.count, c.examples])).toEqual([['web.clicks.payload', 1, [{ key: { _row: 5 }, brand: 'Visa', last4: '1111' }]]]);
  });

  test('order numbers that pass Luhn by chance are not cards', () => {
    expect(report.cards.some((c) => c.column === 'order_number')).toBe(false);
  });

  test('a declared column missing from the CSV header is reported', () => {
    expect(report.missing.map((m) => [m.where, m.message])).toEqual([['crm.contacts.phone', 'declared field column "phone" no longer exists in crm.contacts']]);
  });

  test('the SQLite view of declared columns is listed as such', () => {
    expect(report.views.map((v) => [v.where, v.of])).toEqual([['app.user_emails', ['app.users.email', 'app.users.id']]]);
  });

  test('a new JSON file gets a whole table entry keyed by row number', () => {
    expect(report.snippets.find((s) => s.table === 'web.clicks')!.yaml).toBe(
      [
        'web.clicks:',
        '  key: _row  # no primary key: name the column(s) that identify a row',
        '  # how rows reach a subject: identify: { email: <column> } or links: [{ column: ..., references: ... }]',
        '  fields:',
        '    ip: { category: online.ip, mask: generalize }',
        '    user_agent: { category: online.device, mask: redact }',
      ].join('\n'),
    );
  });
});

describe('the SARIF file', () => {
  let sarif: any;
  beforeAll(async () => {
    await dsar('scan', '--sarif', sarifFile);
    sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  });

  test('is SARIF 2.1.0 with its schema and one run by dsar', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].tool.driver.name).toBe('dsar');
  });

  test('every result references a rule of the driver, by id and index', () => {
    const rules = sarif.runs[0].tool.driver.rules;
    for (const rule of rules) expect(Object.keys(rule)).toEqual(expect.arrayContaining(['id', 'name', 'shortDescription', 'fullDescription', 'defaultConfiguration']));
    for (const r of sarif.runs[0].results) {
      expect(rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(0);
    }
  });

  test('results are located at system.table.column, and at the data map file', () => {
    const results = sarif.runs[0].results.map((r: any) => [r.ruleId, r.level, r.locations[0].logicalLocations[0].fullyQualifiedName]);
    expect(results).toEqual([
      ['DSAR001', 'error', 'web.clicks.payload'],
      ['DSAR002', 'error', 'app.users.geburtsdatum'],
      ['DSAR002', 'error', 'crm.contacts.Straße'],
      ['DSAR002', 'error', 'crm.contacts.notes'],
      ['DSAR002', 'error', 'crm.contacts.plz'],
      ['DSAR002', 'error', 'web.clicks.ip'],
      ['DSAR002', 'error', 'web.clicks.user_agent'],
      ['DSAR004', 'error', 'crm.contacts.phone'],
      ['DSAR006', 'note', 'app.orders.order_number'],
    ]);
    const missing = sarif.runs[0].results.find((r: any) => r.ruleId === 'DSAR004');
    expect(missing.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: pathToFileURL(datamap).href }, // outside the working directory: an absolute URI
      region: { startLine: 26, startColumn: 7 },
    });
  });

  test('holds no sampled value', () => {
    const text = readFileSync(sarifFile, 'utf8');
    for (const value of VALUES) expect(text).not.toContain(value);
  });
});

test('an unwritable --sarif path is a usage error', async () => {
  const r = await dsar('scan', '--sarif', path.join(dir, 'no-such-dir', 'x.sarif'));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^dsar: --sarif: cannot write .*x\.sarif: ENOENT\n$/);
});

test('--sample must be a positive whole number', async () => {
  const r = await dsar('scan', '--sample', '0');
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('dsar: --sample must be a whole number from 1 to 1,000,000, got 0\n');
});
