import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig, Row } from '../../connectors/connector.ts';
import { MysqlConnector } from '../../connectors/mysql/engine.ts';
import { execMysql } from '../helpers/databases.ts';
import { collect, connectedDuring, freshDatabase } from '../helpers/per-file.ts';
import { backQuoted, contractTablesSql, introspectContract, introspectedTables, serverConnectContract, sqlConnectorContract, withConnected } from './sql-contract.ts';

const DDL = `${contractTablesSql({ int: 'int', timestamp: 'datetime', quote: backQuoted })}
create unique index order_lines_sku on order_lines (sku, line_no);
create table coupons (id int primary key, label text);
create table orders (
  id int primary key,
  customer_id int not null,
  coupon_id int,
  constraint orders_customer_fk foreign key (customer_id) references customers(id) on delete cascade,
  constraint orders_coupon_fk foreign key (coupon_id) references coupons(id) on delete set null
);
create table invoices (id bigint unsigned primary key, order_id int, amount decimal(10,2), token varbinary(16),
  constraint invoices_order_fk foreign key (order_id) references orders(id) on delete restrict);
create table events (id int not null, happened_on date not null, primary key (id, happened_on))
  partition by range columns (happened_on) (partition p2023 values less than ('2024-01-01'), partition p2024 values less than ('2025-01-01'));
create table tags (code varchar(20) primary key, label varchar(50));
create view customer_emails as select id, email from customers;
create trigger customers_touch before update on customers for each row set new.code = new.code;
`;

const database = freshDatabase('mysql', 'myconn', DDL);
const config = (): ConnectorConfig => ({ system: 'billing', kind: 'mysql', url: database.url });

describe('MysqlConnector (MariaDB 10.11 here)', () => {
  sqlConnectorContract(config, (cfg, options) => new MysqlConnector(cfg, options));
  serverConnectContract(config, (cfg) => new MysqlConnector(cfg), {
    unreachable: { url: 'mysql://root:s3cret-pw@127.0.0.1:1/billing', message: /^billing: cannot connect to 127\.0\.0\.1:1\/billing: .*ECONNREFUSED/ },
    refused: /Access denied/,
  });

  describe('introspect', () => {
    const tables = introspectedTables(() => new MysqlConnector(config()));

    it('lists the database’s tables and views', () => {
      expect([...tables.keys()]).toEqual(['accounts', 'contacts', 'coupons', 'customer_emails', 'customers', 'events', 'invoices', 'odd', 'order_lines', 'orders', 'tags']);
      expect(tables.get('customer_emails')).toMatchObject({ kind: 'view', primaryKey: [], columns: [{ name: 'id' }, { name: 'email' }] });
    });

    introspectContract(tables, {
      types: { id: 'int(11)', email: 'varchar(120)', phone: 'varchar(32)', code: 'varchar(16)', created_at: 'datetime' },
      foreignKeys: { ordersCoupon: 'orders_coupon_fk', ordersCustomer: 'orders_customer_fk', invoicesOrder: 'invoices_order_fk' },
      orderLinesIndexes: [
        { name: 'PRIMARY', columns: ['order_id', 'line_no'], unique: true, primary: true },
        { name: 'order_lines_sku', columns: ['sku', 'line_no'], unique: true, primary: false },
      ],
    });

    it('reads unsigned, decimal and binary types, with a varbinary’s length', () => {
      expect(tables.get('invoices')!.columns.map((c) => [c.name, c.type, c.family, c.maxLength])).toEqual([
        ['id', 'bigint(20) unsigned', 'integer', null],
        ['order_id', 'int(11)', 'integer', null],
        ['amount', 'decimal(10,2)', 'decimal', null],
        ['token', 'varbinary(16)', 'binary', 16],
      ]);
    });

    it('counts every column of a composite unique key as unique', () => {
      expect(tables.get('order_lines')!.columns.map((c) => [c.name, c.unique])).toEqual([
        ['order_id', true],
        ['line_no', true],
        ['sku', true],
      ]);
    });

    it('reads a BEFORE UPDATE trigger', () => {
      expect(tables.get('customers')!.triggers).toEqual([{ name: 'customers_touch', timing: 'BEFORE', events: ['UPDATE'] }]);
    });

    it('lists a partitioned table’s partitions and key', () => {
      expect(tables.get('events')).toMatchObject({ partitions: ['p2023', 'p2024'], partitionKey: ['happened_on'], primaryKey: ['id', 'happened_on'] });
    });

  });

  describe('values', () => {
    const c = connectedDuring(() => new MysqlConnector(config()));

    it('keeps unsigned bigint and decimal values as exact strings, binary as a Buffer', async () => {
      await execMysql(database.url, `insert into invoices values (18446744073709551615, null, 12.30, x'00ff')`);
      const found = (await collect(c.rowsWhereIn('invoices', 'id', ['18446744073709551615', '18446744073709551616', '-1']))).flat();
      expect(found).toEqual([{ id: '18446744073709551615', order_id: null, amount: '12.30', token: Buffer.from([0, 255]) }]);
    });

    it('updates rows keyed by text', async () => {
      await execMysql(database.url, `insert into tags values ('a', 'A'), ('b', 'B'), ('c', 'C')`);
      expect(await c.updateByKeys('tags', ['code'], [{ key: ['a'], set: { label: 'x' } }, { key: ['c'], set: { label: null } }])).toBe(2);
      const rows = (await collect(c.batches('tags', ['code'], { batchSize: 2 }))).flat();
      expect(rows).toEqual([
        { code: 'a', label: 'x' },
        { code: 'b', label: 'B' },
        { code: 'c', label: null },
      ]);
    });

    it('reads and writes DATETIME as UTC', async () => {
      await execMysql(database.url, `insert into customers values (70, 'utc@example.org', null, null, '2024-03-01 12:00:00')`);
      expect(await c.updateByKeys('customers', ['id'], [{ key: [70], set: { created_at: new Date('2024-03-02T08:30:00Z') } }])).toBe(1);
      const found = (await collect(c.rowsWhereIn('customers', 'id', ['70'], { columns: ['created_at'] }))).flat();
      expect(found).toEqual([{ created_at: new Date('2024-03-02T08:30:00Z') }]);
      await c.deleteByKeys('customers', ['id'], [[70]]);
    });
  });

  describe('working memory', () => {
    it('every session, streams included, keeps temporary tables of up to 64 MB in memory', async () => {
      await withConnected(new MysqlConnector(config()), async (c) => {
        const [row] = await c.queryRows(sql<Row>`select @@tmp_table_size as tmp, @@max_heap_table_size as heap`);
        expect([Number(row.tmp), Number(row.heap)].every((v) => v >= 64 * 1024 * 1024)).toBe(true);
        for await (const rows of c.streamRows(sql<Row>`select @@tmp_table_size as tmp`)) expect(Number(rows[0].tmp)).toBeGreaterThanOrEqual(64 * 1024 * 1024);
      });
    });
  });

  describe('isolation', () => {
    it('every session reads committed (the binary log here is not STATEMENT), the first one included', async () => {
      await withConnected(new MysqlConnector(config()), async (c) => {
        const levels = await Promise.all(Array.from({ length: 6 }, () => c.queryRows(sql<Row>`select @@tx_isolation as level, sleep(0.05) as s`)));
        expect(levels.map(([r]) => r.level)).toEqual(Array(6).fill('READ-COMMITTED'));
      });
    });
  });
});
