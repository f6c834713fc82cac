// Real databases for tests: DSAR_TEST_PG_URL / DSAR_TEST_MYSQL_URL when set, else the local services when
// reachable, else a testcontainers container. Each call makes a uniquely named database; drop() removes it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';

const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_MYSQL = 'mysql://root@127.0.0.1:3306/mysql';

export interface TestDatabase {
  /** URL of the fresh database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

let pgServer: Promise<string> | undefined;
let mysqlServer: Promise<string> | undefined;

async function pgServerUrl(): Promise<string> {
  if (process.env.DSAR_TEST_PG_URL) return process.env.DSAR_TEST_PG_URL;
  if (await reachable('127.0.0.1', 5432)) return LOCAL_PG;
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const c = await new PostgreSqlContainer('postgres:15').start();
  return c.getConnectionUri();
}

async function mysqlServerUrl(): Promise<string> {
  if (process.env.DSAR_TEST_MYSQL_URL) return process.env.DSAR_TEST_MYSQL_URL;
  if (await reachable('127.0.0.1', 3306)) return LOCAL_MYSQL;
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const c = await new MySqlContainer('mariadb:10.11').withRootPassword('root').start();
  return `mysql://root:root@${c.getHost()}:${c.getPort()}/mysql`;
}

function uniqueName(prefix: string): string {
  return `dsar_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(serverUrl: string, db: string): string {
  const u = new URL(serverUrl);
  u.pathname = '/' + db;
  return u.toString();
}

export async function createPostgresDatabase(prefix = 't'): Promise<TestDatabase> {
  const server = await (pgServer ??= pgServerUrl());
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(server, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createMysqlDatabase(prefix = 't'): Promise<TestDatabase> {
  const server = await (mysqlServer ??= mysqlServerUrl());
  const name = uniqueName(prefix);
  const admin = await mysql.createConnection(server);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url: withDatabase(server, name),
    name,
    async drop() {
      const c = await mysql.createConnection(server);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Runs SQL statements (separated by `;\n`) against a test database, for fixtures. */
export async function execPostgres(url: string, sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

export async function queryPostgres<T = Record<string, unknown>>(url: string, sqlText: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sqlText, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function execMysql(url: string, sqlText: string): Promise<void> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

export async function queryMysql<T = Record<string, unknown>>(url: string, sqlText: string, params: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection({ uri: url, dateStrings: false });
  try {
    const [rows] = await c.query(sqlText, params);
    return rows as T[];
  } finally {
    await c.end();
  }
}

/** The same four things for either database server, by the name a data map's `kind:` gives it. */
export const SERVERS = {
  postgres: { create: createPostgresDatabase, exec: execPostgres, query: queryPostgres },
  mysql: { create: createMysqlDatabase, exec: execMysql, query: queryMysql },
} as const;
