// One subject (Ada) with many rows in each of four systems, so that an erasure run in steps of 2 rows has steps in
// every system to be killed in: PostgreSQL `app` (orders deleted, her customer row anonymized by hash/fake/null; a
// BEFORE UPDATE trigger counts updates, so an update done twice shows), MariaDB `billing` (payments: recent ones
// kept for tax with identifying fields masked, old ones deleted), SQLite `crm` (tickets anonymized) and a CSV
// `mailchimp/members.csv` (her list memberships anonymized; others' cells hold commas, quotes and a newline, and
// 2,000 more rows make each atomic rewrite of the file long enough to be killed in).
// Ben and Cy are everyone else: their rows must stay byte-identical.
//
// `reset(dir)` writes a fresh copy: the SQL databases are recreated in place, the SQLite file, CSV and data map go
// into `dir` (whose `.dsar/` is the run's own state store).
import { datamapFixture } from '../../fixtures/datamap-fixture.ts';
import { createWorld, type World } from './four-systems.ts';

export const ADA = 'ada@example.org';
export const HMAC_KEY = 'crash-test-hmac-key-0123456789abcdef';
const YEAR = new Date().getUTCFullYear();
/** Within the 7-year tax obligation (a whole date: two copies built seconds apart hold the same data). */
const RECENT = `${YEAR - 1}-03-15 10:00:00`;

const ADA_ORDERS = 12;
const ADA_PAYMENTS_RECENT = 6;
const ADA_PAYMENTS_OLD = 6;
const ADA_TICKETS = 8;
const ADA_LISTS = 6;

const APP_SQL = `
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS customers;
DROP FUNCTION IF EXISTS bump_revision;
CREATE TABLE customers (id integer PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, full_name text, phone text,
  revision integer NOT NULL DEFAULT 0);
CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $$;
CREATE TRIGGER customers_revision BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION bump_revision();
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), shipping_name text,
  total numeric(10,2));
INSERT INTO customers (id, email, full_name, phone) VALUES (1, 'Ada@Example.org', 'Ada Lovelace', '+44 555 0101'),
  (2, 'ben@example.org', 'Ben Okri', '+44 555 0202'), (3, 'cy@example.org', 'Cy Twombly', NULL);
INSERT INTO orders SELECT g, 1, 'Ada Lovelace', g / 100.0 FROM generate_series(100, ${99 + ADA_ORDERS}) g;
INSERT INTO orders VALUES (10, 2, 'Ben Okri', 5.00), (11, 3, 'Cy, "the painter"', 7.25), (12, 2, 'Ben', 1.00);
`;

function billingSql(): string {
  const ada = [];
  for (let i = 0; i < ADA_PAYMENTS_RECENT; i++) ada.push(`(${500 + i}, '1', ${10 + i}.50, '${RECENT}', 'Ada Lovelace', 'ch_ada_${500 + i}')`);
  for (let i = 0; i < ADA_PAYMENTS_OLD; i++) ada.push(`(${600 + i}, '1', ${20 + i}.00, '2009-0${1 + (i % 9)}-02 08:00:00', 'A. Lovelace', 'ch_ada_${600 + i}')`);
  return `
DROP TABLE IF EXISTS payments;
CREATE TABLE payments (id int PRIMARY KEY, customer_ref varchar(20) NOT NULL, amount decimal(10,2) NOT NULL,
  paid_at datetime NOT NULL, card_holder varchar(64), processor_ref varchar(40) UNIQUE);
INSERT INTO payments VALUES ${ada.join(', ')},
  (700, '2', 42.00, '${RECENT}', 'Ben Okri', 'ch_ben_700'), (701, '3', 3.00, '2009-05-05 05:05:05', 'Cy Twombly', 'ch_cy_701');
`;
}

const CRM_SQL = `
CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER, email TEXT, body TEXT, opened_at TEXT);
INSERT INTO tickets VALUES ${Array.from({ length: ADA_TICKETS }, (_, i) => `(${20 + i}, 1, 'ada@example.org', 'Ada asks question ${i}', '2024-02-0${1 + (i % 9)}')`).join(', ')},
  (1, 2, 'ben@example.org', 'Ben asks', '2024-01-01'), (2, 3, 'cy@example.org', 'Cy says ''hi''', '2024-01-02');
`;

export const MEMBERS_CSV =
  [
    'member_id,email,first_name,list',
    'b1,ben@example.org,Ben,"offers, weekly"',
    ...Array.from({ length: ADA_LISTS }, (_, i) => `a${i + 1}, Ada@Example.ORG ,Ada,list-${i + 1}`),
    'c1,cy@example.org,"Cy ""the painter""","line one\r\nline two"',
    'b2,ben@example.org,Ben,newsletter',
    // Everyone else: enough bytes that each rewrite of the file takes a while, a window for a kill to land in.
    ...Array.from({ length: 2000 }, (_, i) => `o${i},person${i}@example.net,Person ${i},newsletter`),
  ].join('\r\n') + '\r\n';

export { membersFile, uninterruptedRun, type Snapshot } from './four-systems.ts';
export type EraseWorld = World;

/** The world, its data map test/fixtures/datamaps/crash-erase.yaml. */
export function createEraseWorld(prefix: string): Promise<EraseWorld> {
  const tables = { app: ['customers', 'orders'], billing: ['payments'], crm: ['tickets'] };
  return createWorld(prefix, { appSql: APP_SQL, billingSql, crmSql: () => CRM_SQL, membersCsv: MEMBERS_CSV, tables, datamap: datamapFixture('crash-erase'), envPrefix: 'CRASH', hmacKey: HMAC_KEY });
}
