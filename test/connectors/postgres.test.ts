import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig, Row } from '../../connectors/connector.ts';
import { PostgresConnector } from '../../connectors/postgres/engine.ts';
import { SystemError } from '../../src/errors.ts';
import { execPostgres } from '../helpers/databases.ts';
import { collect, connectedDuring, freshDatabase } from '../helpers/per-file.ts';
import { contractTablesSql, doubleQuoted, introspectContract, introspectedTables, serverConnectContract, sqlConnectorContract, withConnected } from './sql-contract.ts';

const DDL = `${contractTablesSql({ int: 'int', timestamp: 'timestamp', quote: doubleQuoted })}
create index order_lines_lower_sku on order_lines (lower(sku));
create table coupons (id int primary key, label text);
create table orders (
  id int primary key,
  customer_id int not null references customers(id) on delete cascade,
  coupon_id int references coupons(id) on delete set null
);
create table invoices (id bigint primary key, order_id int, amount numeric(10,2), paid boolean not null default false,
  constraint invoices_order_fk foreign key (order_id) references orders(id) on delete restrict);
create view customer_emails as select id, email from customers;
create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger customers_touch before update on customers for each row execute function touch();
create table measurements (id int not null, taken_on date not null, reading int, customer_id int references customers(id) on delete cascade,
  primary key (id, taken_on)) partition by range (taken_on);
create table measurements_2023 partition of measurements for values from ('2023-01-01') to ('2024-01-01');
create table measurements_2024 partition of measurements for values from ('2024-01-01') to ('2025-01-01');
create schema billing;
create table billing.payments (id uuid primary key, customer_id int references public.customers(id), ip inet, meta jsonb);
`;

const database = freshDatabase('postgres', 'pgconn', DDL);
const config = (): ConnectorConfig => ({ system: 'app', kind: 'postgres', url: database.url });

describe('PostgresConnector', () => {
  sqlConnectorContract(config, (cfg, options) => new PostgresConnector(cfg, options));
  serverConnectContract(config, (cfg) => new PostgresConnector(cfg), {
    unreachable: { url: 'postgres://postgres:s3cret-pw@127.0.0.1:1/app', message: /^app: cannot connect to 127\.0\.0\.1:1\/app: .*ECONNREFUSED/ },
  });

  describe('introspect', () => {
    const tables = introspectedTables(
      () => new PostgresConnector(config()),
      () => execPostgres(database.url, `insert into measurements values (1, '2023-05-01', 7, null), (2, '2024-05-01', 8, null); analyze measurements;`),
    );

    it('lists tables and views of every user schema; other schemas are qualified, partitions are not listed', () => {
      expect([...tables.keys()]).toEqual(['accounts', 'billing.payments', 'contacts', 'coupons', 'customer_emails', 'customers', 'invoices', 'measurements', 'odd', 'order_lines', 'orders']);
      expect(tables.get('customer_emails')).toMatchObject({ kind: 'view', primaryKey: [], columns: [{ name: 'id' }, { name: 'email' }] });
    });

    it('folds a range-partitioned table’s partitions into its parent', () => {
      expect(tables.get('measurements')).toMatchObject({
        kind: 'table',
        partitions: ['measurements_2023', 'measurements_2024'],
        partitionKey: ['taken_on'],
        primaryKey: ['id', 'taken_on'],
        estimatedRows: 2,
        foreignKeys: [{ name: 'measurements_customer_id_fkey', columns: ['customer_id'], refTable: 'customers', refColumns: ['id'], onDelete: 'CASCADE' }],
      });
      expect(tables.get('customers')!.partitions).toEqual([]);
    });

    introspectContract(tables, {
      types: { id: 'integer', email: 'character varying(120)', phone: 'character varying(32)', code: 'character varying(16)', created_at: 'timestamp without time zone' },
      foreignKeys: { ordersCoupon: 'orders_coupon_id_fkey', ordersCustomer: 'orders_customer_id_fkey', invoicesOrder: 'invoices_order_fk' },
      orderLinesIndexes: [
        { name: 'order_lines_lower_sku', columns: ['lower(sku::text)'], unique: false, primary: false },
        { name: 'order_lines_pkey', columns: ['order_id', 'line_no'], unique: true, primary: true },
      ],
    });

    it('reads numeric, boolean, uuid, inet and jsonb types into their families', () => {
      expect(tables.get('invoices')!.columns.map((c) => [c.name, c.type, c.family])).toEqual([
        ['id', 'bigint', 'integer'],
        ['order_id', 'integer', 'integer'],
        ['amount', 'numeric(10,2)', 'decimal'],
        ['paid', 'boolean', 'boolean'],
      ]);
      expect(tables.get('billing.payments')!.columns.map((c) => [c.name, c.family])).toEqual([
        ['id', 'uuid'],
        ['customer_id', 'integer'],
        ['ip', 'inet'],
        ['meta', 'json'],
      ]);
    });

    // order_lines' index on lower(sku) is listed by its expression (the contract's test).
    it('lists the indexes of a primary key and a UNIQUE column', () => {
      expect(tables.get('customers')!.indexes).toEqual([
        { name: 'customers_email_key', columns: ['email'], unique: true, primary: false },
        { name: 'customers_pkey', columns: ['id'], unique: true, primary: true },
      ]);
    });

    it('reads a foreign key to another schema', () => {
      expect(tables.get('billing.payments')!.foreignKeys).toMatchObject([{ refTable: 'customers', onDelete: 'NO ACTION' }]);
    });

    it('reads a BEFORE UPDATE trigger', () => {
      expect(tables.get('customers')!.triggers).toEqual([{ name: 'customers_touch', timing: 'BEFORE', events: ['UPDATE'] }]);
    });

  });

  describe('schema-qualified and partitioned tables', () => {
    const c = connectedDuring(() => new PostgresConnector(config()));

    it('reads and writes a table named with its schema', async () => {
      await execPostgres(database.url, `insert into billing.payments values ('0b7e0a52-8a5e-4c8e-9d7e-5f7f7d8a0c11', 1, '10.0.0.7', '{"a":1}')`);
      const found = (await collect(c.rowsWhereIn('billing.payments', 'id', ['0b7e0a52-8a5e-4c8e-9d7e-5f7f7d8a0c11', 'not-a-uuid']))).flat();
      expect(found).toEqual([{ id: '0b7e0a52-8a5e-4c8e-9d7e-5f7f7d8a0c11', customer_id: 1, ip: '10.0.0.7', meta: { a: 1 } }]);
      expect(
        await c.updateByKeys('billing.payments', ['id'], [{ key: ['0b7e0a52-8a5e-4c8e-9d7e-5f7f7d8a0c11'], set: { ip: '10.0.0.0', meta: { b: [1, 2] } } }]),
      ).toBe(1);
      const after = (await collect(c.rowsWhereIn('billing.payments', 'ip', ['10.0.0.0', 'not an ip']))).flat();
      expect(after.map((r) => [r.ip, r.meta])).toEqual([['10.0.0.0', { b: [1, 2] }]]);
      expect((await c.tableInfo('public.customers')).name).toBe('customers');
    });

    it('reaches a partition’s rows through the parent', async () => {
      await execPostgres(database.url, `delete from measurements; insert into measurements values (1, '2023-05-01', 7, null), (2, '2024-05-01', 8, null)`);
      const batches = await collect(c.batches('measurements', ['id', 'taken_on'], { batchSize: 1, columns: ['reading'] }));
      expect(batches.map((b) => b.map((r) => r.reading))).toEqual([[7], [8]]);
      expect(await c.updateByKeys('measurements', ['id', 'taken_on'], [{ key: [2, '2024-05-01'], set: { reading: 9 } }])).toBe(1);
      expect(await c.deleteByKeys('measurements', ['id', 'taken_on'], [[1, '2023-05-01']])).toBe(1);
      await expect(c.tableInfo('measurements_2023')).rejects.toThrow('app.measurements_2023: no such table or view');
    });

    it('keeps int8 and numeric values as exact strings', async () => {
      await execPostgres(database.url, `insert into invoices values (9007199254740993, null, 12.30, true)`);
      const found = (await collect(c.rowsWhereIn('invoices', 'id', ['9007199254740993']))).flat();
      expect(found).toEqual([{ id: '9007199254740993', order_id: null, amount: '12.30', paid: true }]);
    });

    it('does not put a value that failed to convert into the error message', async () => {
      const err = await c.updateByKeys('accounts', ['id'], [{ key: [1], set: { score: 'secret-value' } }]).catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      expect(err.message).toBe('app.accounts: invalid input syntax for type integer (SQLSTATE 22P02; the value is not shown)');
      expect(err.message).not.toContain('secret-value');
    });

    it('identifies itself to the server as dsar', async () => {
      const rows = await c.db.selectNoFrom((eb) => eb.fn<string>('current_setting', [eb.val('application_name')]).as('name')).execute();
      expect(rows[0].name).toBe('dsar');
    });
  });

  describe('streamRows through COPY', () => {
    // Every value a plain query returns, streamed (COPY's text format escapes tabs, newlines and backslashes, and
    // writes NULL as \N): the stream must give the driver's values exactly, type by type.
    const TRICKY = `
      create table tricky (id bigint primary key, t text, n numeric(12, 3), f float8, b boolean, d date, ts timestamptz,
        j jsonb, bin bytea, u uuid, arr int[], i2 smallint);
      insert into tricky values
        (1, E'tab\there\nnew line\r\\back\\slash', 1.5, 0.1, true, '2024-02-29', '2024-01-01 10:00:00+02', '{"a": [1, "x\\ty"]}',
          '\\x00ff0a09', '6f1c2d1e-0b3a-4c59-9d5e-3f1a2b3c4d5e', '{1,2,NULL}', 7),
        (2, '\\N', null, null, false, null, null, 'null', '', null, '{}', null),
        (3, null, -0.001, -1e300, null, '0001-01-01', '2038-01-19 03:14:08+00', '"é漢🙂"', null, null, null, -32768),
        (4, '', 123456789.123, 'NaN', true, 'infinity', '-infinity', '[]', '\\x5c4e', null, '{-1}', 0),
        (9223372036854775807, 'é漢🙂 ' || repeat('ü', 3000), 0, 'Infinity', false, '2000-01-01', '2000-01-01 00:00:00.123456+00', '{}', '\\x', null, null, 1);
    `;

    it('gives every type and tricky text exactly as a plain query does', async () => {
      await execPostgres(database.url, TRICKY);
      const statements: string[] = [];
      await withConnected(new PostgresConnector(config(), { onQuery: (e) => statements.push(e.sql) }), async (c) => {
        const query = sql<Row>`select * from tricky order by id`;
        const streamed = (await collect(c.streamRows(query, { chunkSize: 2 }))).flat();
        // Through COPY, not a cursor (which the same values would also come through); `select 1` is connect's check.
        expect(statements).toEqual(['select 1', 'select * from tricky order by id']);
        expect(streamed).toEqual(await c.queryRows(query));
        expect(streamed[1]).toMatchObject({ t: '\\N', n: null, j: null, bin: Buffer.alloc(0) });
        const values = (await collect(c.streamValues(query, { chunkSize: 2 }))).flat();
        expect(values).toEqual(streamed.map((r) => Object.values(r)));
      });
    });

    it('a row of 20 MB, many network buffers long, arrives whole', async () => {
      await withConnected(new PostgresConnector(config()), async (c) => {
        const query = sql<Row>`select g as id, repeat('é', case when g = 2 then 10000000 else 3 end) as t from generate_series(1, 3) as g order by g`;
        const rows = (await collect(c.streamRows(query))).flat();
        expect(rows.map((r) => [r.id, (r.t as string).length])).toEqual([[1, 3], [2, 10_000_000], [3, 3]]);
      });
    });

    it('multibyte text cut anywhere by the network arrives whole', async () => {
      await withConnected(new PostgresConnector(config()), async (c) => {
        const query = sql<Row>`select g as id, repeat('é漢🙂', g % 97) as t from generate_series(1, 20000) as g order by g`;
        const streamed = (await collect(c.streamRows(query, { chunkSize: 3000 }))).flat();
        expect(streamed.length).toBe(20000);
        expect(streamed.every((r) => r.t === 'é漢🙂'.repeat(Number(r.id) % 97))).toBe(true);
      });
    });
  });

  describe('date style', () => {
    it('dates print as ISO on a database whose DateStyle is another, in queries and streams', async () => {
      const name = new URL(database.url).pathname.slice(1);
      await execPostgres(database.url, `alter database ${name} set datestyle = 'SQL, DMY'`);
      try {
        await withConnected(new PostgresConnector(config()), async (c) => {
          const query = sql<Row>`select cast(date '2024-03-31' as text) as d, cast(timestamp '2024-03-31 10:00' as text) as ts`;
          expect(await c.queryRows(query)).toEqual([{ d: '2024-03-31', ts: '2024-03-31 10:00:00' }]);
          expect((await collect(c.streamRows(query))).flat()).toEqual([{ d: '2024-03-31', ts: '2024-03-31 10:00:00' }]);
        });
      } finally {
        await execPostgres(database.url, `alter database ${name} reset datestyle`);
      }
    });
  });

  describe('working memory', () => {
    const workMem = async (c: PostgresConnector) => {
      const streamed: unknown[] = [];
      for await (const rows of c.streamRows(sql<Row>`select current_setting('work_mem') as w`)) streamed.push(rows[0].w);
      return [(await c.queryRows(sql<Row>`select current_setting('work_mem') as w`))[0].w, ...streamed];
    };

    it('every session, streams included, sorts and hashes in up to 64 MB before spilling to disk', async () => {
      await withConnected(new PostgresConnector(config()), async (c) => {
        expect(await workMem(c)).toEqual(['64MB', '64MB']);
      });
    });

    it('a server or database that allows more keeps its own setting', async () => {
      await execPostgres(database.url, `alter database ${new URL(database.url).pathname.slice(1)} set work_mem = '256MB'`);
      try {
        await withConnected(new PostgresConnector(config()), async (c) => {
          expect(await workMem(c)).toEqual(['256MB', '256MB']);
        });
      } finally {
        await execPostgres(database.url, `alter database ${new URL(database.url).pathname.slice(1)} reset work_mem`);
      }
    });
  });
});
