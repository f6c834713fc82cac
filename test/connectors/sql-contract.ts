// What every SQL connector does the same way, run against each engine's real database. The engine's test file
// creates the contract's tables in its own spelling (contractTablesSql) and calls sqlConnectorContract.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorConfig, IndexInfo, Row, SqlConnector, TableInfo } from '../../connectors/connector.ts';
import type { SqlConnectorOptions } from '../../connectors/sql-base.ts';
import { SystemError } from '../../src/errors.ts';
import { collect } from '../helpers/per-file.ts';

/** Column names that must be quoted, including one written to break out of either quote style. */
export const ODD = {
  address: 'Address Line1',
  metadata: 'app_customer_id (metadata)',
  quotes: 'we"ird`col',
  injection: 'x`"; drop table customers; --',
} as const;

/** How an engine spells what the contract's tables need. */
export interface ContractSpelling {
  /** The integer type of keys and counts (`int`, `integer`). */
  int: string;
  /** The type of customers.created_at. */
  timestamp: string;
  /** A column name quoted the engine's way. */
  quote(name: string): string;
}

export const doubleQuoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const backQuoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * The tables every contract test reads and writes, in the engine's spelling: customers, order_lines (composite key),
 * contacts, accounts and odd (the ODD columns). The engine's file adds its own tables and indexes after them.
 */
export function contractTablesSql({ int, timestamp, quote }: ContractSpelling): string {
  return `
create table customers (
  id ${int} primary key,
  email varchar(120) not null unique,
  phone varchar(32),
  code varchar(16),
  created_at ${timestamp}
);
create table order_lines (order_id ${int} not null, line_no ${int} not null, sku varchar(32), primary key (order_id, line_no));
create table contacts (id ${int} primary key, email varchar(120));
create table accounts (id ${int} primary key, name varchar(50), email varchar(120), score ${int});
create table odd (id ${int} primary key, ${Object.values(ODD).map((name) => `${quote(name)} varchar(100)`).join(', ')});
`;
}

type MakeConnector = (config: ConnectorConfig, options?: SqlConnectorOptions) => SqlConnector;

export async function insertRows(db: Kysely<any>, table: string, rows: Row[]): Promise<void> {
  const columns = Object.keys(rows[0]);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
    await sql`insert into ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c)))}) values ${sql.join(values)}`.execute(db);
  }
}

async function resetTable(db: Kysely<any>, table: string, rows: Row[]): Promise<void> {
  await sql`delete from ${sql.id(table)}`.execute(db);
  if (rows.length) await insertRows(db, table, rows);
}

async function allRows(db: Kysely<any>, table: string, orderBy: string[]): Promise<Row[]> {
  const { rows } = await sql<Row>`select * from ${sql.id(table)} order by ${sql.join(orderBy.map((c) => sql.id(c)))}`.execute(db);
  return rows;
}

/** Connects `c`, gives it to `use` and closes it again, whatever `use` does. */
export async function withConnected<C extends SqlConnector, T>(c: C, use: (c: C) => Promise<T>): Promise<T> {
  await c.connect();
  try {
    return await use(c);
  } finally {
    await c.close();
  }
}

/** The tables and views that introspect() reads, by name, in its order: read once before the describe's tests, after `setup`. */
export function introspectedTables(make: () => SqlConnector, setup?: () => Promise<void>): Map<string, TableInfo> {
  const tables = new Map<string, TableInfo>();
  beforeAll(async () => {
    await setup?.();
    for (const t of await withConnected(make(), async (c) => (await c.introspect()).tables)) tables.set(t.name, t);
  });
  return tables;
}

/**
 * What introspect() must read of the tables every engine declares: the customers' columns (`types`: each column's
 * type as the engine names it), order_lines' composite key and indexes, and the foreign keys of orders (to coupons ON DELETE SET NULL, to customers CASCADE)
 * and invoices (to orders RESTRICT), by the names the engine gives them.
 */
export function introspectContract(
  tables: Map<string, TableInfo>,
  expected: {
    types: { id: string; email: string; phone: string; code: string; created_at: string };
    foreignKeys: { ordersCoupon: string; ordersCustomer: string; invoicesOrder: string };
    /** order_lines' indexes: its primary key's and the engine's own on sku, under the engine's names. */
    orderLinesIndexes: IndexInfo[];
  },
): void {
  it('reads types, families, NOT NULL, varchar lengths and UNIQUE', () => {
    const { types } = expected;
    expect(tables.get('customers')!.columns).toEqual([
      { name: 'id', type: types.id, family: 'integer', nullable: false, maxLength: null, unique: true },
      { name: 'email', type: types.email, family: 'text', nullable: false, maxLength: 120, unique: true },
      { name: 'phone', type: types.phone, family: 'text', nullable: true, maxLength: 32, unique: false },
      { name: 'code', type: types.code, family: 'text', nullable: true, maxLength: 16, unique: false },
      { name: 'created_at', type: types.created_at, family: 'timestamp', nullable: true, maxLength: null, unique: false },
    ]);
  });

  it('reads a composite primary key in order, and its indexes', () => {
    const lines = tables.get('order_lines')!;
    expect(lines.primaryKey).toEqual(['order_id', 'line_no']);
    expect(lines.indexes).toEqual(expected.orderLinesIndexes);
  });

  it('reads foreign keys with ON DELETE CASCADE, SET NULL and RESTRICT', () => {
    const names = expected.foreignKeys;
    expect(tables.get('orders')!.foreignKeys).toEqual([
      { name: names.ordersCoupon, columns: ['coupon_id'], refTable: 'coupons', refColumns: ['id'], onDelete: 'SET NULL' },
      { name: names.ordersCustomer, columns: ['customer_id'], refTable: 'customers', refColumns: ['id'], onDelete: 'CASCADE' },
    ]);
    expect(tables.get('invoices')!.foreignKeys).toEqual([
      { name: names.invoicesOrder, columns: ['order_id'], refTable: 'orders', refColumns: ['id'], onDelete: 'RESTRICT' },
    ]);
  });
}

/**
 * Connecting to a database server (PostgreSQL, MySQL) that cannot be reached, or that refuses the user: `unreachable`
 * is a URL with a password to a closed port and the message expected, `refused` what the refusal must say, if anything.
 */
export function serverConnectContract(
  config: () => ConnectorConfig,
  make: MakeConnector,
  expected: { unreachable: { url: string; message: RegExp }; refused?: RegExp },
): void {
  describe('connect', () => {
    it('an unreachable server is a SystemError naming the system, with no password in it', async () => {
      const { system, kind } = config();
      const err = await make({ system, kind, url: expected.unreachable.url }).connect().catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      expect(err).toMatchObject({ system, table: undefined });
      expect(err.message).toMatch(expected.unreachable.message);
      expect(err.message).not.toContain('s3cret-pw');
    });

    it('a wrong password is refused without echoing it', async () => {
      const u = new URL(config().url!);
      u.username = 'no_such_user';
      u.password = 'wr0ng-pass';
      const err = await make({ ...config(), url: u.toString() }).connect().catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      if (expected.refused) expect(err.message).toMatch(expected.refused);
      expect(err.message).not.toContain('wr0ng-pass');
    });
  });
}

const CUSTOMERS = [
  { id: 1, email: '  Mary.Smith@X.org ', phone: '+1 (555) 010-0001', code: 'A1', created_at: '2020-01-01 00:00:00' },
  { id: 2, email: 'john@example.org', phone: '555.010.0002', code: 'B2', created_at: '2024-06-01 00:00:00' },
  { id: 3, email: 'ana@example.org', phone: null, code: null, created_at: null },
];
const CONTACTS = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, email: `user${i + 1}@example.org` }));
const ACCOUNTS = [
  { id: 1, name: 'Ann', email: 'ann@example.org', score: 10 },
  { id: 2, name: 'Bob', email: 'bob@example.org', score: 20 },
  { id: 3, name: 'Cy', email: 'cy@example.org', score: 30 },
  { id: 4, name: 'Di', email: 'di@example.org', score: 40 },
];
const ORDER_LINES = [3, 1, 2].flatMap((order) => [2, 1, 3].map((line) => ({ order_id: order, line_no: line, sku: `sku-${order}-${line}` })));
const ODD_ROWS = [
  { id: 1, [ODD.address]: '1 Main St', [ODD.metadata]: 'cus_1', [ODD.quotes]: 'q1', [ODD.injection]: 'i1' },
  { id: 2, [ODD.address]: '2 High St', [ODD.metadata]: 'cus_2', [ODD.quotes]: 'q2', [ODD.injection]: 'i2' },
];

export function sqlConnectorContract(config: () => ConnectorConfig, make: MakeConnector): void {
  const queries: string[] = [];
  let c: SqlConnector;

  beforeAll(async () => {
    c = make(config(), { onQuery: (e) => queries.push(e.sql) });
    await c.connect();
    await resetTable(c.db, 'customers', CUSTOMERS);
    await resetTable(c.db, 'contacts', CONTACTS);
    await resetTable(c.db, 'odd', ODD_ROWS);
  });
  afterAll(async () => {
    await c?.close();
  });

  /** Reads the table's columns once so that only the operation's own statements are counted. */
  async function countQueries(table: string, op: () => Promise<unknown>): Promise<number> {
    await c.tableInfo(table);
    queries.length = 0;
    await op();
    return queries.length;
  }

  describe('rowsWhereIn', () => {
    it('looks 2,500 values up with three IN queries of at most 1,000 values, one chunk of rows per query', async () => {
      const values = Array.from({ length: 2500 }, (_, i) => `user${i + 1}@example.org`);
      let chunks: Row[][] = [];
      const count = await countQueries('contacts', async () => (chunks = await collect(c.rowsWhereIn('contacts', 'email', values))));
      expect(count).toBe(3);
      expect(chunks.map((rows) => rows.length)).toEqual([1000, 1000, 500]);
      const ids = chunks.flat().map((r) => r.id as number).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    });

    it('honours a smaller chunk size', async () => {
      const chunks = await collect(c.rowsWhereIn('contacts', 'email', ['user1@example.org', 'user2@example.org', 'user3@example.org'], { chunkSize: 2 }));
      expect(chunks.map((rows) => rows.length)).toEqual([2, 1]);
    });

    it('with lowercase-trim, finds the row stored as "  Mary.Smith@X.org "', async () => {
      const chunks = await collect(c.rowsWhereIn('customers', 'email', ['mary.smith@x.org'], { normalize: 'lowercase-trim' }));
      expect(chunks.flat().map((r) => [r.id, r.email])).toEqual([[1, '  Mary.Smith@X.org ']]);
    });

    it('without normalization, the stored value must match exactly', async () => {
      const chunks = await collect(c.rowsWhereIn('customers', 'email', ['mary.smith@x.org']));
      expect(chunks.flat()).toEqual([]);
    });

    it('with trim, compares the trimmed value with its case kept', async () => {
      const found = await collect(c.rowsWhereIn('customers', 'email', ['Mary.Smith@X.org', 'mary.smith@x.org'], { normalize: 'trim' }));
      expect(found.flat().map((r) => r.id)).toEqual([1]);
    });

    it('with digits, finds phones stored with punctuation', async () => {
      const chunks = await collect(c.rowsWhereIn('customers', 'phone', ['15550100001', '5550100002', '999'], { normalize: 'digits' }));
      expect(chunks.flat().map((r) => r.id).sort()).toEqual([1, 2]);
    });

    it('skips text values that are not integers when the column is an integer, without an SQL error', async () => {
      const values = ['2', 'abc', '3.5', '', ' 3', '007', '99999999999999999999999', 'user1@example.org'];
      const chunks = await collect(c.rowsWhereIn('customers', 'id', values));
      expect(chunks.flat().map((r) => r.id)).toEqual([2]);
    });

    it('yields nothing when no value can match the column', async () => {
      expect(await collect(c.rowsWhereIn('customers', 'id', ['abc']))).toEqual([]);
    });

    it('returns only the requested columns', async () => {
      const chunks = await collect(c.rowsWhereIn('customers', 'email', ['john@example.org'], { columns: ['id', 'code'] }));
      expect(chunks.flat()).toEqual([{ id: 2, code: 'B2' }]);
    });

    it('returns timestamps as Date objects or text exactly as the driver reads them', async () => {
      const [row] = (await collect(c.rowsWhereIn('customers', 'id', ['2'], { columns: ['created_at'] }))).flat();
      const value = row.created_at;
      const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
      expect(text).toBe('2024-06-01');
    });
  });

  describe('batches', () => {
    it('walks a composite key: every row exactly once, in key order, at most batchSize per batch', async () => {
      await resetTable(c.db, 'order_lines', ORDER_LINES);
      const batches = await collect(c.batches('order_lines', ['order_id', 'line_no'], { batchSize: 4 }));
      expect(batches.map((b) => b.length)).toEqual([4, 4, 1]);
      expect(batches.flat().map((r) => [r.order_id, r.line_no])).toEqual([
        [1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [3, 1], [3, 2], [3, 3],
      ]);
    });

    it('starts strictly after the given key', async () => {
      await resetTable(c.db, 'order_lines', ORDER_LINES);
      const batches = await collect(c.batches('order_lines', ['order_id', 'line_no'], { batchSize: 10, after: [2, 2], columns: ['sku'] }));
      expect(batches.flat()).toEqual([
        { order_id: 2, line_no: 3, sku: 'sku-2-3' },
        { order_id: 3, line_no: 1, sku: 'sku-3-1' },
        { order_id: 3, line_no: 2, sku: 'sku-3-2' },
        { order_id: 3, line_no: 3, sku: 'sku-3-3' },
      ]);
    });

    it('uses one query per batch, never OFFSET', async () => {
      const seen: number[] = [];
      const count = await countQueries('contacts', async () => {
        for await (const batch of c.batches('contacts', ['id'], { batchSize: 1000, columns: ['id'] })) seen.push(batch.length);
      });
      expect(seen).toEqual([1000, 1000, 1000]);
      expect(count).toBe(4); // the fourth finds nothing after the last key
      expect(queries.some((q) => /offset/i.test(q))).toBe(false);
    });

    it('filters in SQL with olderThan: only rows before the instant, NULLs never', async () => {
      const info = await c.tableInfo('customers');
      const family = info.columns.find((col) => col.name === 'created_at')!.family;
      const where = c.olderThan('created_at', family, new Date('2022-01-01T00:00:00Z'));
      const batches = await collect(c.batches('customers', ['id'], { batchSize: 10, where, columns: ['id'] }));
      expect(batches.flat()).toEqual([{ id: 1 }]);
    });
  });

  describe('SQL helpers', () => {
    it('yearOf, asText and normalized give the same answers on every engine', async () => {
      const { rows } = await sql<Row>`select ${c.yearOf(sql.id('created_at'))} as y, ${c.asText(sql.id('id'))} as t,
        ${c.normalized(sql.id('email'), 'lowercase-trim')} as e, ${c.normalized(sql.id('phone'), 'digits')} as p
        from ${c.tableRef('customers')} where ${sql.id('id')} = ${1}`.execute(c.db);
      expect(rows).toEqual([{ y: 2020, t: '1', e: 'mary.smith@x.org', p: '15550100001' }]);
    });
  });

  describe('updateByKeys', () => {
    beforeEach(async () => {
      await resetTable(c.db, 'accounts', ACCOUNTS);
    });

    it('sets the new values on exactly the keyed rows and returns how many changed', async () => {
      const changed = await c.updateByKeys('accounts', ['id'], [
        { key: [1], set: { name: 'A.', email: null } },
        { key: [3], set: { name: 'C.', email: 'redacted@invalid' } },
        { key: [4], set: { score: 0 } },
      ]);
      expect(changed).toBe(3);
      expect(await allRows(c.db, 'accounts', ['id'])).toEqual([
        { id: 1, name: 'A.', email: null, score: 10 },
        { id: 2, name: 'Bob', email: 'bob@example.org', score: 20 },
        { id: 3, name: 'C.', email: 'redacted@invalid', score: 30 },
        { id: 4, name: 'Di', email: 'di@example.org', score: 0 },
      ]);
    });

    it('groups changes that set the same columns into one statement', async () => {
      const count = await countQueries('accounts', () =>
        c.updateByKeys('accounts', ['id'], [
          { key: [1], set: { name: 'x' } },
          { key: [2], set: { score: 1 } },
          { key: [3], set: { name: 'y' } },
        ]),
      );
      expect(count).toBe(2);
    });

    it('writes 2,500 changes in three statements of at most 1,000 rows', async () => {
      await resetTable(c.db, 'accounts', Array.from({ length: 2500 }, (_, i) => ({ id: i + 1, name: 'n', email: null, score: 0 })));
      let changed = 0;
      const changes = Array.from({ length: 2500 }, (_, i) => ({ key: [i + 1], set: { score: i + 1 } }));
      const count = await countQueries('accounts', async () => (changed = await c.updateByKeys('accounts', ['id'], changes)));
      expect(count).toBe(3);
      expect(changed).toBe(2500);
      const rows = await allRows(c.db, 'accounts', ['id']);
      expect(rows.every((r) => r.score === r.id)).toBe(true);
    });

    it('updates by a composite key', async () => {
      await resetTable(c.db, 'order_lines', ORDER_LINES);
      const changed = await c.updateByKeys('order_lines', ['order_id', 'line_no'], [
        { key: [1, 2], set: { sku: 'x' } },
        { key: [3, 3], set: { sku: 'y' } },
        { key: [9, 9], set: { sku: 'none' } },
      ]);
      expect(changed).toBe(2);
      const rows = await allRows(c.db, 'order_lines', ['order_id', 'line_no']);
      expect(rows.filter((r) => !String(r.sku).startsWith('sku-'))).toEqual([
        { order_id: 1, line_no: 2, sku: 'x' },
        { order_id: 3, line_no: 3, sku: 'y' },
      ]);
    });

    it('accepts keys given as text, as links and ledgers carry them', async () => {
      expect(await c.updateByKeys('accounts', ['id'], [{ key: ['2'], set: { name: 'B.' } }])).toBe(1);
      expect((await allRows(c.db, 'accounts', ['id']))[1]).toEqual({ id: 2, name: 'B.', email: 'bob@example.org', score: 20 });
    });
  });

  describe('streamRows', () => {
    const ids = (chunks: Row[][]) => chunks.map((rows) => rows.map((r) => Number(r.id)));

    it('streams a sorted result in chunks of chunkSize: every row once, in order, no empty chunk', async () => {
      const query = sql<Row>`select id from contacts where id <= 2500 order by id desc`;
      const chunks = await collect(c.streamRows(query, { chunkSize: 1000 }));
      expect(chunks.map((rows) => rows.length)).toEqual([1000, 1000, 500]);
      expect(ids(chunks).flat()).toEqual(Array.from({ length: 2500 }, (_, i) => 2500 - i));
    });

    it('ends after the last full chunk when the result is a multiple of chunkSize', async () => {
      const chunks = await collect(c.streamRows(sql<Row>`select id from contacts where id <= 2000 order by id`, { chunkSize: 1000 }));
      expect(chunks.map((rows) => rows.length)).toEqual([1000, 1000]);
    });

    it('a caller that stops after the first chunk leaves the connector ready for the next statement', async () => {
      for await (const rows of c.streamRows(sql<Row>`select id from contacts order by id`, { chunkSize: 100 })) {
        expect(rows.length).toBe(100);
        break;
      }
      const after = await collect(c.streamRows(sql<Row>`select id from contacts where id in (1, 2, 3) order by id`, { chunkSize: 100 }));
      expect(ids(after)).toEqual([[1, 2, 3]]);
    });

    it('a statement with bound values streams the same rows as one with the values written in', async () => {
      const bound = await collect(c.streamRows(sql<Row>`select id from contacts where id <= ${1500} order by id`, { chunkSize: 1000 }));
      const written = await collect(c.streamRows(sql<Row>`select id from contacts where id <= 1500 order by id`, { chunkSize: 1000 }));
      expect(ids(bound)).toEqual([Array.from({ length: 1000 }, (_, i) => i + 1), Array.from({ length: 500 }, (_, i) => i + 1001)]);
      expect(ids(bound)).toEqual(ids(written));
    });

    it('callers that stop early, more of them than the pool has connections, leave none of it used up', async () => {
      for (let i = 0; i < 6; i++) {
        for await (const rows of c.streamRows(sql<Row>`select id from contacts order by id`, { chunkSize: 10 })) {
          expect(rows.length).toBe(10);
          break;
        }
      }
      expect(ids(await collect(c.streamRows(sql<Row>`select id from contacts where id = 7`)))).toEqual([[7]]);
    });

    it('streamValues gives each row as its values in select-list order, chunked the same way', async () => {
      const query = sql<Row>`select id, email, id * 2 as twice from contacts where id <= 1500 order by id desc`;
      const values = await collect(c.streamValues(query, { chunkSize: 1000 }));
      const rows = (await collect(c.streamRows(query, { chunkSize: 1000 }))).flat();
      expect(values.map((chunk) => chunk.length)).toEqual([1000, 500]);
      expect(values.flat()).toEqual(rows.map((r) => [r.id, r.email, r.twice]));
      expect(values.flat()[0].length).toBe(3);
    });

    it('streamValues with bound values, and stopped early, leaves the connector ready', async () => {
      for await (const chunk of c.streamValues(sql<Row>`select id from contacts where id > ${10} order by id`, { chunkSize: 5 })) {
        expect(chunk.map((v) => Number(v[0]))).toEqual([11, 12, 13, 14, 15]);
        break;
      }
      const after: unknown[][] = [];
      for await (const chunk of c.streamValues(sql<Row>`select id from contacts where id in (1, 2) order by id`)) after.push(...chunk);
      expect(after.map((v) => Number(v[0]))).toEqual([1, 2]);
    });

    it('a failing statement is a SystemError naming the table', async () => {
      const stream = c.streamRows(sql<Row>`select no_such_column from contacts`, { table: 'contacts' });
      await expect(collect(stream)).rejects.toBeInstanceOf(SystemError);
      await expect(collect(c.streamRows(sql<Row>`select no_such_column from contacts`, { table: 'contacts' }))).rejects.toThrow(/contacts/);
    });
  });

  describe('updateRows', () => {
    beforeEach(async () => {
      await resetTable(c.db, 'accounts', ACCOUNTS);
    });

    it('writes each row its own values by key in one statement: quotes, backslashes, emoji and NULL exactly', async () => {
      const tricky = `O'Brien "\\n" 😀 東`;
      const count = await countQueries('accounts', async () => {
        const changed = await c.updateRows('accounts', ['id'], ['name', 'email', 'score'], [
          { key: [1], values: [tricky, null, 11] },
          { key: [3], values: ['C.', 'c@erased.invalid', 0] },
        ]);
        expect(changed).toBe(2);
      });
      expect(count).toBe(1);
      expect(await allRows(c.db, 'accounts', ['id'])).toEqual([
        { id: 1, name: tricky, email: null, score: 11 },
        { id: 2, name: 'Bob', email: 'bob@example.org', score: 20 },
        { id: 3, name: 'C.', email: 'c@erased.invalid', score: 0 },
        { id: 4, name: 'Di', email: 'di@example.org', score: 40 },
      ]);
    });

    it('writes keys far apart as exactly as keys close together', async () => {
      try {
        const changed = await c.updateRows('contacts', ['id'], ['email'], [
          { key: [3000], values: ['last@erased.invalid'] },
          { key: [1], values: ['first@erased.invalid'] },
        ]);
        expect(changed).toBe(2);
        const { rows } = await sql<Row>`select id, email from contacts where id in (1, 2, 2999, 3000) order by id`.execute(c.db);
        expect(rows.map((r) => [Number(r.id), r.email])).toEqual([
          [1, 'first@erased.invalid'],
          [2, 'user2@example.org'],
          [2999, 'user2999@example.org'],
          [3000, 'last@erased.invalid'],
        ]);
      } finally {
        await resetTable(c.db, 'contacts', CONTACTS);
      }
    });

    it('leaves the rows its where excludes as they are', async () => {
      const changed = await c.updateRows('accounts', ['id'], ['name'], [
        { key: [2], values: ['B.'] },
        { key: [4], values: ['D.'] },
      ], { where: sql`score < 30` });
      expect(changed).toBe(1);
      expect((await allRows(c.db, 'accounts', ['id'])).map((r) => r.name)).toEqual(['Ann', 'B.', 'Cy', 'Di']);
    });
  });

  describe('deleteByKeys', () => {
    it('deletes exactly the keyed rows and returns how many', async () => {
      await resetTable(c.db, 'accounts', ACCOUNTS);
      expect(await c.deleteByKeys('accounts', ['id'], [[2], [4], [99]])).toBe(2);
      expect((await allRows(c.db, 'accounts', ['id'])).map((r) => r.id)).toEqual([1, 3]);
    });

    it('deletes by a composite key', async () => {
      await resetTable(c.db, 'order_lines', ORDER_LINES);
      expect(await c.deleteByKeys('order_lines', ['order_id', 'line_no'], [[1, 1], [2, 3], [3, 9]])).toBe(2);
      const left = (await allRows(c.db, 'order_lines', ['order_id', 'line_no'])).map((r) => `${r.order_id}/${r.line_no}`);
      expect(left).toEqual(['1/2', '1/3', '2/1', '2/2', '3/1', '3/2', '3/3']);
    });

    it('deletes 2,500 rows in three statements', async () => {
      await resetTable(c.db, 'accounts', Array.from({ length: 2600 }, (_, i) => ({ id: i + 1, name: 'n', email: null, score: 0 })));
      let deleted = 0;
      const keys = Array.from({ length: 2500 }, (_, i) => [i + 1]);
      expect(await countQueries('accounts', async () => (deleted = await c.deleteByKeys('accounts', ['id'], keys)))).toBe(3);
      expect(deleted).toBe(2500);
      expect(await allRows(c.db, 'accounts', ['id'])).toHaveLength(100);
    });
  });

  describe('quoted names', () => {
    it('introspects odd column names exactly', async () => {
      expect((await c.tableInfo('odd')).columns.map((col) => col.name)).toEqual(['id', ODD.address, ODD.metadata, ODD.quotes, ODD.injection]);
    });

    it('looks up, pages and updates columns named with spaces, parentheses and quotes', async () => {
      await resetTable(c.db, 'odd', ODD_ROWS);
      const found = await collect(c.rowsWhereIn('odd', ODD.metadata, ['cus_2'], { columns: [ODD.address, ODD.quotes] }));
      expect(found.flat()).toEqual([{ [ODD.address]: '2 High St', [ODD.quotes]: 'q2' }]);

      expect(await c.updateByKeys('odd', ['id'], [{ key: [1], set: { [ODD.address]: 'moved', [ODD.quotes]: 'q"`' } }])).toBe(1);
      const pages = await collect(c.batches('odd', ['id'], { batchSize: 1, columns: [ODD.address, ODD.quotes] }));
      expect(pages.flat()).toEqual([
        { id: 1, [ODD.address]: 'moved', [ODD.quotes]: 'q"`' },
        { id: 2, [ODD.address]: '2 High St', [ODD.quotes]: 'q2' },
      ]);
    });

    it('treats a column name written as an injection literally', async () => {
      await resetTable(c.db, 'odd', ODD_ROWS);
      const found = await collect(c.rowsWhereIn('odd', ODD.injection, ['i1'], { columns: ['id', ODD.injection] }));
      expect(found.flat()).toEqual([{ id: 1, [ODD.injection]: 'i1' }]);
      expect(await c.updateByKeys('odd', ['id'], [{ key: [2], set: { [ODD.injection]: 'still data' } }])).toBe(1);
      expect((await allRows(c.db, 'customers', ['id'])).map((r) => r.id)).toEqual([1, 2, 3]);
    });

    it('refuses an unknown column named as an injection with a SystemError, and nothing runs', async () => {
      for (const column of ['id" ; drop table customers; --', 'id` ; drop table customers; --', "id'; drop table customers; --"]) {
        await expect(collect(c.rowsWhereIn('customers', column, ['1']))).rejects.toThrow(SystemError);
        await expect(c.updateByKeys('customers', ['id'], [{ key: [1], set: { [column]: 'x' } }])).rejects.toThrow(SystemError);
      }
      expect((await allRows(c.db, 'customers', ['id'])).map((r) => r.id)).toEqual([1, 2, 3]);
    });
  });

  describe('transaction', () => {
    beforeEach(async () => {
      await resetTable(c.db, 'accounts', ACCOUNTS);
    });

    it('commits every write of the callback together', async () => {
      const result = await c.transaction(async (tx) => {
        await tx.updateByKeys('accounts', ['id'], [{ key: [1], set: { name: 'tx' } }]);
        await tx.deleteByKeys('accounts', ['id'], [[4]]);
        return 'done';
      });
      expect(result).toBe('done');
      expect((await allRows(c.db, 'accounts', ['id'])).map((r) => [r.id, r.name])).toEqual([[1, 'tx'], [2, 'Bob'], [3, 'Cy']]);
    });

    it('undoes every write when the callback throws, and rethrows its error unchanged', async () => {
      const boom = new Error('boom');
      await expect(
        c.transaction(async (tx) => {
          await tx.updateByKeys('accounts', ['id'], [{ key: [1], set: { name: 'tx' } }]);
          await tx.deleteByKeys('accounts', ['id'], [[4]]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await allRows(c.db, 'accounts', ['id'])).toEqual(ACCOUNTS);
    });

    it('reads its own writes inside the transaction', async () => {
      await c.transaction(async (tx) => {
        await tx.updateByKeys('accounts', ['id'], [{ key: [2], set: { name: 'inside' } }]);
        const seen = await collect(tx.rowsWhereIn('accounts', 'id', ['2'], { columns: ['name'] }));
        expect(seen.flat()).toEqual([{ name: 'inside' }]);
      });
    });
  });

  describe('errors', () => {
    it('a missing table is a SystemError naming the system and the table', async () => {
      const err = await collect(c.rowsWhereIn('no_such_table', 'id', ['1'])).catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      expect(err).toMatchObject({ system: config().system, table: 'no_such_table' });
      expect(err.message).toMatch(new RegExp(`^${config().system}\\.no_such_table: `));
    });

    it('a failing statement is a SystemError that does not echo the values it was given', async () => {
      // MySQL reports "Duplicate entry '<value>'"; the value must not reach the message.
      const err = await c.updateByKeys('customers', ['id'], [{ key: [2], set: { email: '  Mary.Smith@X.org ' } }]).catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      expect(err.table).toBe('customers');
      expect(err.message).not.toContain('Mary.Smith');
      expect((await allRows(c.db, 'customers', ['id'])).map((r) => r.email)).toEqual(CUSTOMERS.map((r) => r.email));
    });
  });
}
