// A small shop in one SQL engine plus a CSV export beside it, shaped like the schemas `datamap init` must get right:
// a shared address (two users live at address 1), a second table of people (support agents who answer tickets),
// a composite key (order lines), a table without any key (an audit log), a partitioned table (events; MariaDB
// cannot give it a foreign key, so its user_id is matched by value), and a CSV export with a newsletter list and
// support notes whose user_id holds app.users ids (a link across systems, found by value), and referrals whose
// customer_ref holds small numbers that merely look like them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres } from '../helpers/databases.ts';

export type Engine = 'postgres' | 'mysql' | 'sqlite';

export const USERS = 30;

const DDL: Record<Engine, string> = {
  postgres: `
    CREATE TABLE addresses (id int PRIMARY KEY, line1 text NOT NULL, city text, zip text);
    CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, full_name text, phone text, address_id int REFERENCES addresses(id), created_at timestamptz);
    CREATE TABLE agents (id int PRIMARY KEY, email text NOT NULL UNIQUE, full_name text);
    CREATE TABLE tickets (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), agent_id int REFERENCES agents(id), topic text, opened_at timestamptz);
    CREATE TABLE order_lines (order_id int, line_no int, user_id int NOT NULL REFERENCES users(id), product text, PRIMARY KEY (order_id, line_no));
    CREATE TABLE audit_log (at timestamptz, ip inet, user_id int);
    CREATE TABLE events (id int, at date, ip inet, user_id int REFERENCES users(id), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE SCHEMA sales;
    CREATE TABLE sales.leads (id int PRIMARY KEY, email text UNIQUE);
    INSERT INTO sales.leads VALUES (1, 'lead1@example.net'), (2, 'lead2@example.net'), (3, 'lead3@example.net');`,
  mysql: `
    CREATE TABLE addresses (id int PRIMARY KEY, line1 varchar(100) NOT NULL, city varchar(60), zip varchar(10));
    CREATE TABLE users (id int PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, full_name varchar(100), phone varchar(30), address_id int, created_at datetime, FOREIGN KEY (address_id) REFERENCES addresses(id));
    CREATE TABLE agents (id int PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, full_name varchar(100));
    CREATE TABLE tickets (id int PRIMARY KEY, user_id int NOT NULL, agent_id int, topic varchar(100), opened_at datetime, FOREIGN KEY (user_id) REFERENCES users(id), FOREIGN KEY (agent_id) REFERENCES agents(id));
    CREATE TABLE order_lines (order_id int, line_no int, user_id int NOT NULL, product varchar(60), PRIMARY KEY (order_id, line_no), FOREIGN KEY (user_id) REFERENCES users(id));
    CREATE TABLE audit_log (at datetime, ip varchar(45), user_id int);
    CREATE TABLE events (id int, at date, ip varchar(45), user_id int, PRIMARY KEY (id, at)) PARTITION BY RANGE (YEAR(at)) (PARTITION p2025 VALUES LESS THAN (2026), PARTITION p2026 VALUES LESS THAN (2027));`,
  sqlite: `
    CREATE TABLE addresses (id INTEGER PRIMARY KEY, line1 TEXT NOT NULL, city TEXT, zip TEXT);
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, phone TEXT, address_id INTEGER REFERENCES addresses(id), created_at DATETIME);
    CREATE TABLE agents (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT);
    CREATE TABLE tickets (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), agent_id INTEGER REFERENCES agents(id), topic TEXT, opened_at DATETIME);
    CREATE TABLE order_lines (order_id INTEGER, line_no INTEGER, user_id INTEGER NOT NULL REFERENCES users(id), product TEXT, PRIMARY KEY (order_id, line_no));
    CREATE TABLE audit_log (at DATETIME, ip TEXT, user_id INTEGER);
    CREATE TABLE events (id INTEGER, at DATE, ip TEXT, user_id INTEGER REFERENCES users(id), PRIMARY KEY (id, at));`,
};

const pad = (n: number) => String(n).padStart(2, '0');

function inserts(): string {
  const rows: string[] = [];
  const values = (table: string, list: string[]) => rows.push(`INSERT INTO ${table} VALUES ${list.join(', ')}`);
  const ids = Array.from({ length: USERS }, (_, i) => i + 1);
  values('addresses', ids.map((i) => `(${i}, '${i} Main Street', 'Springfield', '${10000 + i * 7}')`));
  // Users 1 and 2 share address 1; address 2 belongs to no one.
  values('users', ids.map((i) => `(${i}, 'u${i}@example.com', 'User ${i}', '+1 415 555 01${pad(i)}', ${i === 2 ? 1 : i}, '2025-01-${pad(1 + (i % 28))} 10:00:00')`));
  values('agents', [1, 2, 3].map((i) => `(${i}, 'agent${i}@support.example.com', 'Agent ${i}')`));
  values('tickets', Array.from({ length: 60 }, (_, k) => `(${k + 1}, ${1 + (k % USERS)}, ${1 + (k % 3)}, 'topic ${k % 5}', '2025-03-${pad(1 + (k % 28))} 09:00:00')`));
  values('order_lines', ids.flatMap((i) => [1, 2].map((l) => `(${100 + i}, ${l}, ${i}, 'product ${l}')`)));
  values('audit_log', Array.from({ length: 40 }, (_, k) => `('2025-04-${pad(1 + (k % 28))} 12:00:00', '10.1.0.${k + 1}', ${1 + (k % USERS)})`));
  values('events', Array.from({ length: 60 }, (_, k) => `(${k + 1}, '${k % 2 ? '2026' : '2025'}-05-${pad(1 + (k % 28))}', '10.2.0.${k + 1}', ${1 + (k % USERS)})`));
  return rows.join(';\n');
}

export const NEWSLETTER_CSV = ['email,full_name,status', ...Array.from({ length: 12 }, (_, k) => `${k < 8 ? `u${k + 1}@example.com` : `prospect${k}@example.org`},Reader ${k + 1},${k % 3 ? 'subscribed' : 'unsubscribed'}`)].join('\n') + '\n';
export const NOTES_CSV = ['id,user_id,note', ...Array.from({ length: 45 }, (_, k) => `${k + 1},${1 + (k % USERS)},called about order ${k}`)].join('\n') + '\n';
/** customer_ref holds numbers that happen to be users.id values: too weak to link (numbered ids match any table). */
export const REFERRALS_CSV = ['id,customer_ref,contact_phone', ...Array.from({ length: 20 }, (_, k) => `${k + 1},${1 + (k % 12)},+1 212 555 01${pad(k % 4)}`)].join('\n') + '\n';

export interface Shop {
  dir: string;
  /** `--system` arguments for `datamap init`. */
  systems: string[];
  /** The systems: lines a hand-written map uses. */
  systemsYaml: string;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createShop(engine: Engine, prefix: string): Promise<Shop> {
  const dir = mkdtempSync(path.join(tmpdir(), `dsar-${prefix}-`));
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'newsletter.csv'), NEWSLETTER_CSV);
  writeFileSync(path.join(dir, 'crm', 'notes.csv'), NOTES_CSV);
  writeFileSync(path.join(dir, 'crm', 'referrals.csv'), REFERRALS_CSV);
  const sql = `${DDL[engine].trim().replace(/;$/, "")};\n${inserts()}`;
  const env: Record<string, string> = { [`${prefix.toUpperCase()}_KEY`]: `${prefix}-hmac-key` };
  let app: string;
  let drop = async () => {};
  if (engine === 'sqlite') {
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(sql);
    db.close();
    app = `app=sqlite:${path.join(dir, 'app.db')}`;
  } else {
    const db = engine === 'postgres' ? await createPostgresDatabase(prefix) : await createMysqlDatabase(prefix);
    await (engine === 'postgres' ? execPostgres : execMysql)(db.url, sql + (engine === 'postgres' ? ';\nANALYZE;' : ''));
    env[`${prefix.toUpperCase()}_APP_URL`] = db.url;
    app = `app=${engine}:${prefix.toUpperCase()}_APP_URL`;
    drop = () => db.drop();
  }
  const appYaml = engine === 'sqlite' ? '{ kind: sqlite, path: app.db }' : `{ kind: ${engine}, url: env:${prefix.toUpperCase()}_APP_URL }`;
  const systemsYaml = `  app: ${appYaml}\n  crm: { kind: files, path: crm, format: csv }\n`;
  return {
    dir,
    systems: [app, `crm=files:${path.join(dir, 'crm')}`],
    systemsYaml,
    env,
    async dispose() {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The map an engineer would write by hand for the shop (links only; masks do not change what an export finds). */
export function handWrittenTables(): string {
  return `tables:
  app.users:
    key: id
    identify: { email: email }
    links:
      - { column: address_id, references: app.addresses.id, owns: true }
  app.addresses:
    key: id
  app.agents:
    key: id
    identify: { email: email }
  app.tickets:
    key: id
    links:
      - { column: user_id, references: app.users.id }
  app.order_lines:
    key: [order_id, line_no]
    links:
      - { column: user_id, references: app.users.id }
  app.events:
    key: [id, at]
    links:
      - { column: user_id, references: app.users.id }
  crm.newsletter:
    key: email
    identify: { email: email }
  crm.notes:
    key: id
    links:
      - { column: user_id, references: app.users.id }
`;
}
