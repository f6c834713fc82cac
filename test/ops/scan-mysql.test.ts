// `dsar scan` against a real MariaDB database: undeclared contact data, card numbers written into free text,
// and a table too big to read whole that still costs two statements.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseDataMap } from '../../src/datamap/load.ts';
import { runScan } from '../../src/ops/scan.ts';
import type { ScanReport } from '../../src/scan/report.ts';
import { createMysqlDatabase, execMysql, type TestDatabase } from '../helpers/databases.ts';

let db: TestDatabase;
let dir: string;
let report: ScanReport;

const silent = pino({ level: 'silent' });

/** The billing system's map: customers' email and birth date, tickets' body and the ledger's amount declared. */
const MAP = readFileSync(new URL('../fixtures/datamaps/scan-billing.yaml', import.meta.url), 'utf8');

/** The same map with customers' mobile declared as well. */
function withMobileDeclared(): string {
  const map = parseDocument(MAP);
  map.setIn(['tables', 'billing.customers', 'fields', 'mobile'], { category: 'contact.phone', mask: null });
  return map.toString();
}

beforeAll(async () => {
  db = await createMysqlDatabase('scan');
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-scan-my-'));
  process.env.SCAN_TEST_BILLING_URL = db.url;
  await execMysql(
    db.url,
    `CREATE TABLE customers (id int PRIMARY KEY, email varchar(80) NOT NULL, birth_date date, mobile varchar(30), country char(2));
     INSERT INTO customers SELECT seq, CONCAT('c', seq, '@example.com'), DATE_ADD('1950-01-01', INTERVAL seq * 397 DAY),
       CONCAT('+44 7700 9', LPAD(seq, 5, '0')), 'GB' FROM seq_1_to_30;
     CREATE TABLE tickets (id int PRIMARY KEY, body text);
     INSERT INTO tickets VALUES (1, 'my card 5555 5555 5555 4444 was charged twice'), (2, 'thanks!'), (3, 'order 1234567812345670 is late');
     CREATE TABLE ledger (id bigint PRIMARY KEY, amount decimal(10,2), memo varchar(40));
     INSERT INTO ledger SELECT seq, seq / 100, CONCAT('batch ', seq % 97) FROM seq_1_to_200000;
     ANALYZE TABLE ledger;`,
  );
  report = await runScan(parseDataMap(MAP, path.join(dir, 'datamap.yaml')), {}, silent);
});

afterAll(async () => {
  delete process.env.SCAN_TEST_BILLING_URL;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

test('an undeclared phone column is reported with a category and a mask that fits', () => {
  expect(report.undeclared.map((u) => [u.where, u.category, u.field])).toEqual([['billing.customers.mobile', 'contact.phone', 'mobile: { category: contact.phone, mask: null }']]);
});

test('a card number inside a declared support text is a violation; the order number beside it is not', () => {
  expect(report.cards.map((c) => [c.where, c.declared, c.declaredCategory, c.count, c.examples])).toEqual([
    ['billing.tickets.body', true, 'support.interactions', 1, [{ key: { id: 1 }, brand: 'Mastercard', last4: '4444' }]],
  ]);
  expect(report.notCards.map((n) => [n.where, n.count])).toEqual([['billing.tickets.body', 1]]);
});

test('declared birth dates are checked by range and pass', () => {
  expect(report.mismatches).toEqual([]);
});

test('a 200,000-row table costs two statements (key bounds, spread ranges), a small one a single LIMIT', () => {
  expect(report.systems).toEqual([{ system: 'billing', kind: 'mysql', status: 'scanned', tables: 3, columns: 10, rowsRead: 1033, queries: 4 }]);
});

test('once everything is declared and the card removed, the scan is clean', async () => {
  await execMysql(db.url, `UPDATE tickets SET body = 'my card was charged twice' WHERE id = 1`);
  const clean = await runScan(parseDataMap(withMobileDeclared(), path.join(dir, 'datamap.yaml')), {}, silent);
  expect(clean.ok).toBe(true);
  expect([clean.cards, clean.undeclared, clean.missing, clean.problems]).toEqual([[], [], [], []]);
});
