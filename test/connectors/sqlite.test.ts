import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorConfig } from '../../connectors/connector.ts';
import { SqliteConnector } from '../../connectors/sqlite/engine.ts';
import { SystemError } from '../../src/errors.ts';
import { contractTablesSql, doubleQuoted, introspectContract, introspectedTables, sqlConnectorContract, withConnected } from './sql-contract.ts';

const DDL = `${contractTablesSql({ int: 'integer', timestamp: 'timestamp', quote: doubleQuoted })}
create index order_lines_sku on order_lines (sku, line_no);
create table coupons (id integer primary key, label text);
create table orders (
  id integer primary key,
  customer_id integer not null references customers(id) on delete cascade,
  coupon_id integer references coupons on delete set null
);
create table invoices (id integer primary key, order_id integer, foreign key (order_id) references orders(id) on delete restrict);
create view customer_emails as select id, email from customers;
create trigger "customers touch" before update of email on customers begin select 1; end;
create trigger orders_audit after delete on orders begin select 1; end;
`;

let dir: string;
let file: string;
const config = (): ConnectorConfig => ({ system: 'shop', kind: 'sqlite', path: file });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-sqlite-'));
  file = path.join(dir, 'shop.db');
  const db = new Database(file);
  db.exec(DDL);
  db.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteConnector', () => {
  sqlConnectorContract(config, (cfg, options) => new SqliteConnector(cfg, options));

  describe('introspect', () => {
    const tables = introspectedTables(() => new SqliteConnector(config()));

    it('lists every table and view, nothing of SQLite itself', () => {
      expect([...tables.keys()]).toEqual(['accounts', 'contacts', 'coupons', 'customer_emails', 'customers', 'invoices', 'odd', 'order_lines', 'orders']);
      expect(tables.get('customer_emails')).toMatchObject({ kind: 'view', primaryKey: [], columns: [{ name: 'id' }, { name: 'email' }] });
      expect(tables.get('customers')!.kind).toBe('table');
    });

    // The orders' key to coupons names no column: the foreign key resolves it to coupons' primary key.
    introspectContract(tables, {
      types: { id: 'INTEGER', email: 'varchar(120)', phone: 'varchar(32)', code: 'varchar(16)', created_at: 'timestamp' },
      foreignKeys: { ordersCoupon: 'orders_fk0', ordersCustomer: 'orders_fk1', invoicesOrder: 'invoices_fk0' },
      orderLinesIndexes: [
        { name: 'order_lines_sku', columns: ['sku', 'line_no'], unique: false, primary: false },
        { name: 'sqlite_autoindex_order_lines_1', columns: ['order_id', 'line_no'], unique: true, primary: true },
      ],
    });

    it('lists the rowid primary key as an index', () => {
      expect(tables.get('customers')!.indexes).toEqual([
        { name: 'rowid', columns: ['id'], unique: true, primary: true },
        { name: 'sqlite_autoindex_customers_1', columns: ['email'], unique: true, primary: false },
      ]);
    });

    it('reads triggers with timing and event', () => {
      expect(tables.get('customers')!.triggers).toEqual([{ name: 'customers touch', timing: 'BEFORE', events: ['UPDATE'] }]);
      expect(tables.get('orders')!.triggers).toEqual([{ name: 'orders_audit', timing: 'AFTER', events: ['DELETE'] }]);
    });

  });

  describe('connect', () => {
    it('a missing file is a SystemError naming the system, and no file is created', async () => {
      const missing = path.join(dir, 'missing.db');
      const err = await new SqliteConnector({ system: 'shop', kind: 'sqlite', path: missing }).connect().catch((e) => e);
      expect(err).toBeInstanceOf(SystemError);
      expect(err.message).toMatch(/^shop: cannot connect to .*missing\.db/);
      expect(() => new Database(missing, { fileMustExist: true })).toThrow();
    });

    it('enforces declared foreign keys, so ON DELETE CASCADE happens', async () => {
      await withConnected(new SqliteConnector(config()), (c) =>
        c.transaction(async (tx) => {
          await tx.db.insertInto('customers').values({ id: 50, email: 'fk@example.org' }).execute();
          await tx.db.insertInto('orders').values({ id: 500, customer_id: 50 }).execute();
          expect(await tx.deleteByKeys('customers', ['id'], [[50]])).toBe(1);
          expect(await tx.db.selectFrom('orders').select('id').where('id', '=', 500).execute()).toEqual([]);
        }),
      );
    });

    it('opens the file in WAL mode', async () => {
      await withConnected(new SqliteConnector(config()), async (c) => {
        const { rows } = await sql`pragma journal_mode`.execute(c.db);
        expect(rows).toEqual([{ journal_mode: 'wal' }]);
      });
    });
  });
});
