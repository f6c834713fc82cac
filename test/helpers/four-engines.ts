// One `people` table in each of the four kinds of system (PostgreSQL, MariaDB, SQLite, a CSV file), the same rows in
// each, and a data map declaring them as pg.people, my.people, lite.people and crm.people: for tests of what must
// come out the same whatever the engine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres } from './databases.ts';

export const FOUR_SYSTEMS = ['pg', 'my', 'lite', 'crm'] as const;

export interface FourEnginesSpec {
  /** `CREATE TABLE people (...)` per SQL engine. */
  create: { pg: string; my: string; lite: string };
  /** The rows, as `(...), (...)` for an INSERT. */
  values: string;
  /** The same rows as a CSV file (header first). */
  csv: string;
  /** The body of each system's `people:` entry under `tables:` (indented four spaces). */
  table: string;
}

export interface FourEngines {
  dir: string;
  map: string;
  /** The systems' URLs and the hmac_key, by the environment variable names the map reads. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createFourEngines(prefix: string, spec: FourEnginesSpec): Promise<FourEngines> {
  const [pg, my] = await Promise.all([createPostgresDatabase(prefix), createMysqlDatabase(prefix)]);
  const insert = `INSERT INTO people VALUES ${spec.values}`;
  await execPostgres(pg.url, `${spec.create.pg};\n${insert}`);
  await execMysql(my.url, `${spec.create.my};\n${insert}`);
  const dir = mkdtempSync(path.join(tmpdir(), `dsar-${prefix}-`));
  const lite = new Database(path.join(dir, 'app.db'));
  lite.exec(`${spec.create.lite}; ${insert}`);
  lite.close();
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'people.csv'), spec.csv);
  const tag = prefix.toUpperCase();
  const env = { [`${tag}_PG_URL`]: pg.url, [`${tag}_MY_URL`]: my.url, [`${tag}_KEY`]: `${prefix}-hmac-key` };
  const map = path.join(dir, 'datamap.yaml');
  writeFileSync(
    map,
    `version: 1
secrets: { hmac_key: env:${tag}_KEY }
systems:
  pg: { kind: postgres, url: env:${tag}_PG_URL }
  my: { kind: mysql, url: env:${tag}_MY_URL }
  lite: { kind: sqlite, path: app.db }
  crm: { kind: files, path: crm, format: csv }
tables:
${FOUR_SYSTEMS.map((s) => `  ${s}.people:\n${spec.table}`).join('')}`,
  );
  return {
    dir,
    map,
    env,
    async dispose() {
      await Promise.all([pg.drop(), my.drop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
