// The four systems the hardening worlds live in: PostgreSQL `app`, MariaDB `billing`, SQLite `crm` (`crm.db` in
// the run's directory) and a CSV `mailchimp/members.csv`. A world supplies its SQL, data map and table names; this
// file recreates them on reset(dir) and reads them back for comparison.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { runDsar, type DsarRun } from './dsar-process.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, queryMysql, queryPostgres, type TestDatabase } from '../../helpers/databases.ts';

export type Snapshot = Record<string, Array<Record<string, unknown>>>;

export interface WorldData {
  appSql: string;
  billingSql: () => string;
  crmSql: () => string;
  datamap: string;
  membersCsv: string;
  /** Prefix of the variables the data map reads: `<P>_APP_URL`, `<P>_BILLING_URL`, `<P>_HMAC_KEY`. */
  envPrefix: string;
  hmacKey: string;
  /** The tables a snapshot reads, per SQL system. */
  tables: { app: string[]; billing: string[]; crm: string[] };
}

export interface World {
  app: TestDatabase;
  billing: TestDatabase;
  /** Fresh data in the SQL databases and in `dir` (data map, crm.db, mailchimp/members.csv). */
  reset(dir: string): Promise<void>;
  /** A new temp dir holding a fresh copy (reset into it); dispose() removes it. */
  freshCopy(): Promise<string>;
  /** The environment a spawned dsar needs; `via` points the data map's URLs elsewhere (e.g. at a proxy). */
  env(via?: { app?: string; billing?: string }): NodeJS.ProcessEnv;
  /** Every table, rows in key order; the CSV as its raw lines. */
  snapshot(dir: string): Promise<Snapshot>;
  dispose(): Promise<void>;
}

export async function createWorld(prefix: string, data: WorldData): Promise<World> {
  const [app, billing] = await Promise.all([createPostgresDatabase(prefix), createMysqlDatabase(prefix)]);
  const p = data.envPrefix;
  const dirs: string[] = [];
  const world: World = {
    app,
    billing,
    async reset(dir) {
      await Promise.all([execPostgres(app.url, data.appSql), execMysql(billing.url, data.billingSql())]);
      mkdirSync(path.join(dir, 'mailchimp'), { recursive: true });
      writeFileSync(path.join(dir, 'datamap.yaml'), data.datamap);
      writeFileSync(membersFile(dir), data.membersCsv);
      const db = new Database(path.join(dir, 'crm.db'));
      db.exec(data.crmSql());
      db.close();
    },
    async freshCopy() {
      const dir = mkdtempSync(path.join(tmpdir(), `dsar-${prefix}-`));
      dirs.push(dir);
      await world.reset(dir);
      return dir;
    },
    env: (via = {}) => ({
      ...process.env,
      [`${p}_APP_URL`]: via.app ?? app.url,
      [`${p}_BILLING_URL`]: via.billing ?? billing.url,
      [`${p}_HMAC_KEY`]: data.hmacKey,
    }),
    async snapshot(dir) {
      const out: Snapshot = {};
      for (const t of data.tables.app) out[`app.${t}`] = stable(await queryPostgres(app.url, `SELECT * FROM ${t} ORDER BY id`));
      for (const t of data.tables.billing) out[`billing.${t}`] = stable(await queryMysql(billing.url, `SELECT * FROM ${t} ORDER BY id`));
      const crm = new Database(path.join(dir, 'crm.db'), { readonly: true });
      for (const t of data.tables.crm) out[`crm.${t}`] = stable(crm.prepare(`SELECT * FROM ${t} ORDER BY id`).all() as Array<Record<string, unknown>>);
      crm.close();
      out['mailchimp.members'] = readFileSync(membersFile(dir), 'utf8').split('\r\n').map((line) => ({ line }));
      return out;
    },
    async dispose() {
      await Promise.all([app.drop(), billing.drop()]);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return world;
}

/** dsar `args` run to its end (exit 0) on a fresh copy: what a run interrupted and run again must end like. */
export async function uninterruptedRun(world: World, args: string[]): Promise<{ dir: string; run: DsarRun; snapshot: Snapshot }> {
  const dir = await world.freshCopy();
  const run = await runDsar(args, { cwd: dir, env: world.env() });
  expect(run.code, run.stderr).toBe(0);
  return { dir, run, snapshot: await world.snapshot(dir) };
}

export function membersFile(dir: string): string {
  return path.join(dir, 'mailchimp', 'members.csv');
}

/** Rows as comparable values: dates as ISO text, bigints as text. */
export function stable(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v])),
  );
}
