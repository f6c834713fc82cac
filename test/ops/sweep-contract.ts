// What `dsar sweep` does the same way on every SQL engine, run against each engine's real database. The engine's
// test file supplies its DDL types, a trigger, and raw SQL access; the data map and the rows are the same.
//
// The clock of every test is --as-of 2026-06-15 (00:00 UTC): `3y` expires rows older than 2023-06-15 00:00,
// `2y` rows older than 2024-06-15 00:00, `7y` rows older than 2019-06-15 00:00.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { SERVERS, type TestDatabase } from '../helpers/databases.ts';
import { counts, sweepFixture, tableOf, type SweepFixture } from './sweep-fixture.ts';

export type Row = Record<string, unknown>;

export interface SweepEngine {
  /** The `systems.app` entry of the data map; `urlEnv` names the environment variable that holds a URL. */
  system(urlEnv: string, dir: string): string;
  /** Sets up once (e.g. creates the database and puts its URL in process.env[urlEnv]). */
  setup(urlEnv: string, dir: string): Promise<void>;
  teardown(): Promise<void>;
  /** Runs statements separated by `;\n`. */
  exec(sqlText: string): Promise<void>;
  query(sqlText: string): Promise<Row[]>;
  /** `exactText`: text compared case-sensitively (MySQL's default collation is not). */
  types: { ts: string; date: string; int: string; exactText: string };
  /** DDL for a BEFORE UPDATE row trigger on `table` that adds a row to `fires` and stamps `last_update`. */
  updateTrigger(table: string): string;
  /** DDL for a BEFORE DELETE trigger on `logs` that refuses row 5, quoting its `msg` where the engine can. */
  refuseDelete(): string;
}

/** The SweepEngine part that is the same for PostgreSQL and MariaDB: a fresh database whose URL the map reads. */
export function serverDatabase(kind: keyof typeof SERVERS): Pick<SweepEngine, 'system' | 'setup' | 'teardown' | 'exec' | 'query'> {
  const server = SERVERS[kind];
  let db: TestDatabase | undefined;
  const url = () => db?.url ?? fail('the database is made in setup');
  return {
    system: (urlEnv) => `{ kind: ${kind}, url: env:${urlEnv} }`,
    async setup(urlEnv) {
      db = await server.create('sweep');
      process.env[urlEnv] = db.url;
    },
    teardown: async () => db?.drop(),
    exec: (sqlText) => server.exec(url(), sqlText),
    query: (sqlText) => server.query(url(), sqlText),
  };
}

function fail(message: string): never {
  throw new Error(message);
}

export const AS_OF = '2026-06-15';

const TABLES = ['members', 'logs', 'bill_notes', 'bill_lines', 'bills', 'order_lines', 'invoices', 'tickets', 'orders', 'customers', 'profiles', 'accounts', 'fires'];

function schema(e: SweepEngine): string {
  const { ts, date, int, exactText } = e.types;
  return [
    `create table accounts (id ${int} primary key, email varchar(120) not null, full_name varchar(80), birth_date ${date}, last_seen_at ${ts}, last_update ${ts})`,
    `create table profiles (id ${int} primary key, email varchar(120), full_name varchar(80), last_ip varchar(45), last_seen_at ${ts})`,
    `create table customers (id ${int} primary key, name varchar(80), closed_at ${ts})`,
    `create table orders (id ${int} primary key, customer_id ${int} not null references customers (id), note varchar(200), placed_at ${ts})`,
    `create table tickets (id ${int} primary key, customer_id ${int}, body varchar(200), closed_at varchar(32))`,
    `create table invoices (id ${int} primary key, buyer varchar(80), issued_at ${ts})`,
    `create table order_lines (order_no ${int} not null, line_no ${int} not null, sku varchar(20), shipped_at ${ts}, primary key (order_no, line_no))`,
    `create table fires (n ${int})`,
    `create table members (id ${int} primary key, email ${exactText} not null unique, issued_at ${ts})`,
    `insert into members (id, email, issued_at) values (1, 'Bob@Example.org', '2020-01-01 00:00:00'), (2, 'bob@example.org', '2020-01-01 00:00:00'), (3, 'cy@example.org', '2026-01-01 00:00:00')`,
    `create table logs (id ${int} primary key, msg varchar(80), issued_at ${ts})`,
    `insert into logs (id, msg, issued_at) values ${[1, 2, 3, 4, 5, 6].map((i) => `(${i}, 'log of secret-${i}@example.org', '2020-01-01 00:00:00')`).join(', ')}`,
    `create table bills (id ${int} primary key, buyer varchar(80), issued_at ${ts})`,
    `create table bill_lines (id ${int} primary key, bill_id ${int} not null references bills (id), item varchar(40))`,
    `create table bill_notes (id ${int} primary key, bill_id ${int} not null references bills (id), body varchar(40))`,
    `insert into bills (id, buyer, issued_at) values (1, 'Old Bill', '2020-01-01 00:00:00'), (2, 'Young Bill', '2026-01-01 00:00:00'), (3, 'Old Noted Bill', '2020-01-01 00:00:00')`,
    `insert into bill_lines (id, bill_id, item) values (101, 1, 'a'), (102, 1, 'b'), (201, 2, 'c'), (301, 3, 'd')`,
    `insert into bill_notes (id, bill_id, body) values (1, 3, 'not declared')`,
    e.updateTrigger('accounts'),
    `insert into accounts (id, email, full_name, birth_date, last_seen_at, last_update) values
      (1, 'ann@example.org', 'Ann', '1980-05-06', '2023-06-15 00:00:00', '2026-01-01 00:00:00'),
      (2, 'bob@example.org', 'Bob', '1981-07-08', '2023-06-14 23:59:59', '2026-01-01 00:00:00'),
      (3, 'cy@example.org', 'Cy', null, null, '2026-01-01 00:00:00'),
      (4, 'di@example.org', 'Di', '1990-01-02', '2020-01-01 00:00:00', '2026-01-01 00:00:00'),
      (5, 'ed@example.org', 'Ed', '1970-03-04', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
    `insert into profiles (id, email, full_name, last_ip, last_seen_at) values
      (1, 'Bob@Example.org', 'Bob Jones', '203.0.113.77', '2021-01-01 00:00:00'),
      (2, 'fay@example.org', 'Fay Wu', '198.51.100.5', '2026-01-01 00:00:00'),
      (3, null, 'Gus Lee', '192.0.2.44', '2020-05-05 00:00:00')`,
    `insert into customers (id, name, closed_at) values
      (1, 'Kept By Young Order', '2020-01-01 00:00:00'), (2, 'Old Order Only', '2020-01-01 00:00:00'),
      (3, 'Kept By Ticket Link', '2020-01-01 00:00:00'), (4, 'Still Open', '2026-01-01 00:00:00'), (5, 'Nobody Points Here', '2020-01-01 00:00:00')`,
    `insert into orders (id, customer_id, note, placed_at) values
      (10, 1, 'young order', '2026-01-01 00:00:00'), (11, 2, 'old order', '2020-01-01 00:00:00')`,
    `insert into tickets (id, customer_id, body, closed_at) values
      (20, 4, 'expired ticket', '2020-01-01 00:00:00'), (21, 3, 'never closed', ''), (22, null, 'no date', null)`,
    `insert into invoices (id, buyer, issued_at) values (1, 'Six Years Old', '2020-06-15 00:00:00'), (2, 'Eight Years Old', '2018-06-15 00:00:00')`,
    `insert into order_lines (order_no, line_no, sku, shipped_at) values
      (1, 1, 'a', '2020-01-01 00:00:00'), (1, 2, 'b', '2026-01-01 00:00:00'), (1, 3, 'c', '2020-01-01 00:00:00'),
      (2, 1, 'd', '2020-01-01 00:00:00'), (2, 2, 'e', '2020-01-01 00:00:00'), (3, 1, 'f', '2026-01-01 00:00:00')`,
  ].join(';\n');
}

function datamap(e: SweepEngine, f: SweepFixture): string {
  return datamapFixture('sweep-contract', { key: f.env.key, app: e.system(f.env.url, f.dir) });
}

/** Dates as `YYYY-MM-DD HH:MM:SS` (UTC) whatever the driver returns; counts as numbers. */
function plain(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

export function sweepContract(engine: SweepEngine): void {
  let f: SweepFixture;
  const rows = async (sqlText: string) => (await engine.query(sqlText)).map(plain);
  const ids = async (table: string) => (await rows(`select id from ${table} order by id`)).map((r) => Number(r.id));
  const fires = async () => Number((await rows('select count(*) as n from fires'))[0].n);
  const sweep = (...argv: string[]) => f.sweep('--as-of', AS_OF, ...argv);

  beforeAll(async () => {
    f = sweepFixture('contract');
    await engine.setup(f.env.url, f.dir);
    f.writeDatamap(datamap(engine, f));
  });
  afterAll(async () => {
    await engine.teardown();
    f?.dispose();
  });
  beforeEach(async () => {
    await engine.exec(TABLES.map((t) => `drop table if exists ${t}`).join(';\n'));
    await engine.exec(schema(engine));
    rmSync(path.join(f.dir, '.dsar'), { recursive: true, force: true });
  });

  describe('a UNIQUE column masked by hash', () => {
    test('two stored emails that differ only in case stay two distinct masked values: the sweep finishes', async () => {
      const result = await sweep('--table', 'app.members');

      expect(result.ok).toBe(true);
      expect(counts(tableOf(result, 'app.members'))).toMatchObject({ expired: 2, anonymized: 2 });
      const emails = (await rows('select email from members order by id')).map((r) => String(r.email));
      expect(new Set(emails).size).toBe(3);
      expect(emails[2]).toBe('cy@example.org');
      for (const e of emails.slice(0, 2)) expect(e).not.toMatch(/bob/i);
      expect(counts(tableOf(await sweep('--table', 'app.members'), 'app.members'))).toMatchObject({ anonymized: 0 });
    });
  });

  describe('a table whose sweep fails mid-way', () => {
    test('reports and records what its committed batches did, and the server error by code, never its text', async () => {
      await engine.exec(engine.refuseDelete());
      const r = await f.dsar('--json', 'sweep', '--as-of', AS_OF, '--table', 'app.logs', '--batch-size', '2');
      const doc = JSON.parse(r.stdout);

      expect(r.code).toBe(1);
      expect(counts(tableOf(doc, 'app.logs'))).toMatchObject({ deleted: 4 });
      // By its code, never the trigger's text.
      expect(tableOf(doc, 'app.logs').error).toMatch(/^app\.logs: (SQLSTATE P0001: raised by a trigger or function|error 1644 ER_SIGNAL_EXCEPTION: raised by a trigger or procedure \(SIGNAL\)|SQLITE_CONSTRAINT_TRIGGER: raised by a trigger)/);
      expect(tableOf(doc, 'app.logs').batches).toBe(2);
      expect(await ids('logs')).toEqual([5, 6]);
      expect(r.stdout + r.stderr).not.toContain('secret-5');
      const requests = JSON.parse((await f.dsar('--json', 'requests', '--all')).stdout);
      expect(JSON.stringify(requests)).not.toContain('secret-5');
    });
  });

  describe('children that belong to the rows deleted', () => {
    test('an expired bill goes with its declared lines, children first; a bill an undeclared table points at is anonymized, and the reason named', async () => {
      const text = (await f.dsar('sweep', '--as-of', AS_OF, '--table', 'app.bills', '--dry-run')).stdout;
      const dry = await sweep('--table', 'app.bills', '--dry-run');
      const result = await sweep('--table', 'app.bills');

      for (const r of [dry, result]) {
        expect(counts(tableOf(r, 'app.bills'))).toEqual({ expired: 2, anonymized: 1, deleted: 1, skippedHolds: 0, nullDates: 0, unchanged: 0 });
        expect(tableOf(r, 'app.bills').followersDeleted).toEqual({ 'app.bill_lines': 2 });
        expect(Object.keys(tableOf(r, 'app.bills').anonymizedInstead)).toEqual([expect.stringMatching(/^app\.bill_notes \(.+\)$/)]);
        expect(Object.values(tableOf(r, 'app.bills').anonymizedInstead)).toEqual([1]);
      }
      expect(await ids('bills')).toEqual([2, 3]);
      expect(await ids('bill_lines')).toEqual([201, 301]);
      expect((await rows('select buyer from bills where id = 3'))[0].buyer).toBe('[REDACTED]');
      expect(text).toContain('app.bills: would delete 2 row(s) of app.bill_lines with the expired rows they belong to (children first)\n');
      expect(text).toMatch(/app\.bills: 1 expired row\(s\) anonymized instead of deleted: still referenced by app\.bill_notes \(.+\)\n/);
    });
  });

  describe('expiry', () => {
    test('a row exactly `keep` old stays; one second older is anonymized; NULL dates never expire and are counted', async () => {
      const result = await sweep('--table', 'app.accounts');

      expect(result.ok).toBe(true);
      expect(counts(tableOf(result, 'app.accounts'))).toEqual({ expired: 2, anonymized: 2, deleted: 0, skippedHolds: 0, nullDates: 1, unchanged: 0 });
      const accounts = await rows('select id, email, full_name, last_seen_at from accounts order by id');
      expect(accounts).toEqual([
        { id: 1, email: 'ann@example.org', full_name: 'Ann', last_seen_at: '2023-06-15 00:00:00' },
        { id: 2, email: '[REDACTED]', full_name: null, last_seen_at: '2023-06-14 23:59:59' },
        { id: 3, email: 'cy@example.org', full_name: 'Cy', last_seen_at: null },
        { id: 4, email: '[REDACTED]', full_name: null, last_seen_at: '2020-01-01 00:00:00' },
        { id: 5, email: 'ed@example.org', full_name: 'Ed', last_seen_at: '2026-01-01 00:00:00' },
      ]);
      const births = (await rows('select id, birth_date from accounts order by id')).map((r) => [r.id, String(r.birth_date ?? '').slice(0, 10)]);
      expect(births).toEqual([[1, '1980-05-06'], [2, '1981-01-01'], [3, ''], [4, '1990-01-01'], [5, '1970-03-04']]);
    });

    test('a date kept as text expires the same way; an empty one never expires and is counted', async () => {
      const result = await sweep('--table', 'app.tickets');

      expect(counts(tableOf(result, 'app.tickets'))).toEqual({ expired: 1, anonymized: 0, deleted: 1, skippedHolds: 0, nullDates: 2, unchanged: 0 });
      expect(await ids('tickets')).toEqual([21, 22]);
    });

    test('years are calendar years: at 29 February 2024, 1y ago is 28 February 2023, which is not expired', async () => {
      await engine.exec(`update invoices set issued_at = '2017-02-28 00:00:00' where id = 1;\nupdate invoices set issued_at = '2017-02-27 23:59:59' where id = 2`);
      const result = await f.sweep('--as-of', '2024-02-29', '--table', 'app.invoices');

      expect(counts(tableOf(result, 'app.invoices'))).toEqual({ expired: 1, anonymized: 0, deleted: 1, skippedHolds: 0, nullDates: 0, unchanged: 0 });
      expect(await ids('invoices')).toEqual([1]);
    });

    test('a legal-obligation rule keeps its rows while `keep` runs, and deletes them after', async () => {
      const result = await sweep('--table', 'app.invoices');

      expect(counts(tableOf(result, 'app.invoices'))).toEqual({ expired: 1, anonymized: 0, deleted: 1, skippedHolds: 0, nullDates: 0, unchanged: 0 });
      expect(await rows('select id, buyer from invoices order by id')).toEqual([{ id: 1, buyer: 'Six Years Old' }]);
    });

    test('--as-of later than now is refused with exit 2 and nothing changes', async () => {
      const r = await f.dsar('sweep', '--as-of', '2999-01-01');

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--as-of 2999-01-01 is later than now');
      expect(await ids('invoices')).toEqual([1, 2]);
    });
  });

  describe('anonymizing', () => {
    test('masks SQL can write (redact, null, generalize of a date) are written by the sweep, and a second sweep writes nothing: no trigger fires, last_update stays', async () => {
      await sweep('--table', 'app.accounts');
      const firstFires = await fires();
      const after = await rows('select * from accounts order by id');

      const second = await sweep('--table', 'app.accounts');

      expect(firstFires).toBe(2);
      expect(counts(tableOf(second, 'app.accounts'))).toEqual({ expired: 2, anonymized: 0, deleted: 0, skippedHolds: 0, nullDates: 1, unchanged: 2 });
      expect(await fires()).toBe(2);
      expect(await rows('select * from accounts order by id')).toEqual(after);
    });

    test('hash, fake and generalize of an IP are computed in process and written back; a second sweep writes nothing', async () => {
      const first = await sweep('--table', 'app.profiles');
      const after = await rows('select * from profiles order by id');
      const second = await sweep('--table', 'app.profiles');

      expect(counts(tableOf(first, 'app.profiles'))).toEqual({ expired: 2, anonymized: 2, deleted: 0, skippedHolds: 0, nullDates: 0, unchanged: 0 });
      expect(after[0].email).toMatch(/^[0-9a-f]{16,64}@erased\.invalid$/);
      expect(after[0].full_name).not.toBe('Bob Jones');
      expect(after[0].last_ip).toBe('203.0.113.0');
      expect(after[1]).toEqual({ id: 2, email: 'fay@example.org', full_name: 'Fay Wu', last_ip: '198.51.100.5', last_seen_at: '2026-01-01 00:00:00' });
      expect(after[2]).toMatchObject({ id: 3, email: null, last_ip: '192.0.2.0' });
      expect(after[2].full_name).not.toBe('Gus Lee');
      expect(counts(tableOf(second, 'app.profiles'))).toEqual({ expired: 2, anonymized: 0, deleted: 0, skippedHolds: 0, nullDates: 0, unchanged: 2 });
      expect(await rows('select * from profiles order by id')).toEqual(after);
    });

    test('batches follow the key: 5 rows in batches of 2 are 3 batches, with the same result', async () => {
      const result = await sweep('--table', 'app.accounts', '--batch-size', '2');

      expect(tableOf(result, 'app.accounts')).toMatchObject({ anonymized: 2, batches: 3 });
      expect((await rows('select id, email from accounts order by id')).map((r) => r.email)).toEqual([
        'ann@example.org', '[REDACTED]', 'cy@example.org', '[REDACTED]', 'ed@example.org',
      ]);
    });
  });

  describe('references', () => {
    test('children go first; a parent still referenced by an unexpired row (foreign key or map link) is anonymized instead of deleted', async () => {
      const result = await sweep('--batch-size', '2');

      expect(result.tables.map((t) => t.table).indexOf('app.orders')).toBeLessThan(result.tables.map((t) => t.table).indexOf('app.customers'));
      expect(counts(tableOf(result, 'app.orders'))).toEqual({ expired: 1, anonymized: 0, deleted: 1, skippedHolds: 0, nullDates: 0, unchanged: 0 });
      expect(counts(tableOf(result, 'app.customers'))).toEqual({ expired: 4, anonymized: 2, deleted: 2, skippedHolds: 0, nullDates: 0, unchanged: 0 });
      expect(await rows('select id, name from customers order by id')).toEqual([
        { id: 1, name: '[REDACTED]' },
        { id: 3, name: '[REDACTED]' },
        { id: 4, name: 'Still Open' },
      ]);
      expect(await rows('select id, customer_id from orders order by id')).toEqual([{ id: 10, customer_id: 1 }]);
    });

    test('the dry run prints the counts of the real run and changes nothing', async () => {
      const dry = await sweep('--dry-run', '--batch-size', '2');
      const before = await rows('select * from customers order by id');
      const real = await sweep('--batch-size', '2');

      expect(dry.dryRun).toBe(true);
      expect(before.map((r) => r.name)).toEqual(['Kept By Young Order', 'Old Order Only', 'Kept By Ticket Link', 'Still Open', 'Nobody Points Here']);
      expect(dry.tables.map(counts)).toEqual(real.tables.map(counts));
    });
  });

  test('composite keys are batched in key order', async () => {
    const result = await sweep('--table', 'app.order_lines', '--batch-size', '2');

    expect(counts(tableOf(result, 'app.order_lines'))).toEqual({ expired: 4, anonymized: 0, deleted: 4, skippedHolds: 0, nullDates: 0, unchanged: 0 });
    expect(tableOf(result, 'app.order_lines').batches).toBe(3);
    expect(await rows('select order_no, line_no from order_lines order by order_no, line_no')).toEqual([
      { order_no: 1, line_no: 2 },
      { order_no: 3, line_no: 1 },
    ]);
  });

  test('a legal hold keeps the held subject’s expired rows in every table, and they are counted', async () => {
    expect((await f.dsar('hold', 'add', 'BOB@example.org', '--reason', 'litigation 2026-4')).code).toBe(0);

    const result = await sweep('--table', 'app.accounts');
    const profiles = await sweep('--table', 'app.profiles');

    expect(counts(tableOf(result, 'app.accounts'))).toEqual({ expired: 2, anonymized: 1, deleted: 0, skippedHolds: 1, nullDates: 1, unchanged: 0 });
    expect((await rows('select email from accounts order by id')).map((r) => r.email)).toEqual([
      'ann@example.org', 'bob@example.org', 'cy@example.org', '[REDACTED]', 'ed@example.org',
    ]);
    expect(counts(tableOf(profiles, 'app.profiles'))).toMatchObject({ expired: 2, anonymized: 1, skippedHolds: 1 });
    expect((await rows('select email from profiles where id = 1'))[0].email).toBe('Bob@Example.org');
  });
}
