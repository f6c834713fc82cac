// The two servers every database benchmark talks to, and a throwaway connection per statement. URLs:
// DSAR_BENCH_PG_URL / DSAR_BENCH_MYSQL_URL name a database to use as is; otherwise the local servers and a
// database of the benchmark's own name, created when missing.
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface BenchServer<Result> {
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

export function postgresServer(db: string): BenchServer<pg.QueryResult> {
  const given = process.env.DSAR_BENCH_PG_URL;
  const admin = given ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = given ?? withDatabase(admin, db);
  const exec = async (sql: string, on?: 'admin') => {
    const c = new pg.Client({ connectionString: on ? admin : url });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    url,
    exec,
    async ensureDatabase() {
      if (given) return;
      const exists = await exec(`SELECT 1 FROM pg_database WHERE datname = '${db}'`, 'admin');
      if (!exists.rowCount) await exec(`CREATE DATABASE ${db}`, 'admin');
    },
  };
}

/** `exec` gives what mysql2 gives: the rows of a SELECT, the result header of a write. */
export function mysqlServer(db: string): BenchServer<unknown> {
  const given = process.env.DSAR_BENCH_MYSQL_URL;
  const admin = given ?? 'mysql://root@127.0.0.1:3306/mysql';
  const url = given ?? withDatabase(admin, db);
  const exec = async (sql: string, on?: 'admin') => {
    const c = await mysql.createConnection({ uri: on ? admin : url, multipleStatements: true });
    try {
      const [rows] = await c.query(sql);
      return rows;
    } finally {
      await c.end();
    }
  };
  return {
    url,
    exec,
    async ensureDatabase() {
      if (!given) await exec(`CREATE DATABASE IF NOT EXISTS ${db}`, 'admin');
    },
  };
}
