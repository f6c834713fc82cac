// The two servers every database benchmark talks to, and a throwaway connection per statement. URLs:
// DSAR_BENCH_PG_URL / DSAR_BENCH_MYSQL_URL name a database to use as is; otherwise the local servers and a
// database of the benchmark's own name, created when missing.
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface BenchServer<Result> {
  /** The engine, as the benchmarks print it. */
  name: string;
  /** The engine's system kind in a data map. */
  kind: 'postgres' | 'mysql';
  /** The benchmark's database. */
  url: string;
  /** Runs `sql` (several statements allowed) on a fresh connection to `url`, or to the server's admin database. */
  exec(sql: string, on?: 'admin'): Promise<Result>;
  /** Creates the database unless a URL was given. */
  ensureDatabase(): Promise<void>;
}

function withDatabase(server: string, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

interface ServerSpec<Result> {
  name: string;
  kind: 'postgres' | 'mysql';
  /** The URL given in the environment, if any. */
  given: string | undefined;
  /** The local server's admin database. */
  localAdmin: string;
  /** Runs `sql` on a fresh connection to `url`. */
  run(url: string, sql: string): Promise<Result>;
  /** Creates the database `db`, given exec on the admin database. */
  create(admin: (sql: string) => Promise<Result>): Promise<unknown>;
}

function benchServer<Result>(db: string, spec: ServerSpec<Result>): BenchServer<Result> {
  const admin = spec.given ?? spec.localAdmin;
  const url = spec.given ?? withDatabase(admin, db);
  const exec = (sql: string, on?: 'admin') => spec.run(on ? admin : url, sql);
  return {
    name: spec.name,
    kind: spec.kind,
    url,
    exec,
    async ensureDatabase() {
      if (!spec.given) await spec.create((sql) => exec(sql, 'admin'));
    },
  };
}

export function postgresServer(db: string): BenchServer<pg.QueryResult> {
  return benchServer(db, {
    name: 'PostgreSQL',
    kind: 'postgres',
    given: process.env.DSAR_BENCH_PG_URL,
    localAdmin: 'postgres://postgres@127.0.0.1:5432/postgres',
    async run(url, sql) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query(sql);
      } finally {
        await c.end();
      }
    },
    async create(admin) {
      if (!(await admin(`SELECT 1 FROM pg_database WHERE datname = '${db}'`)).rowCount) await admin(`CREATE DATABASE ${db}`);
    },
  });
}

/** `exec` gives what mysql2 gives: the rows of a SELECT, the result header of a write. */
export function mysqlServer(db: string): BenchServer<unknown> {
  return benchServer<unknown>(db, {
    name: 'MariaDB',
    kind: 'mysql',
    given: process.env.DSAR_BENCH_MYSQL_URL,
    localAdmin: 'mysql://root@127.0.0.1:3306/mysql',
    async run(url, sql) {
      const c = await mysql.createConnection({ uri: url, multipleStatements: true });
      try {
        return (await c.query(sql))[0];
      } finally {
        await c.end();
      }
    },
    create: (admin) => admin(`CREATE DATABASE IF NOT EXISTS ${db}`),
  });
}
