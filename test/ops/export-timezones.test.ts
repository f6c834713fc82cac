// Values leave as they are stored: an export's dates and times are the same whatever the host's TZ, and the same
// from every engine (a `timestamp without time zone` once moved by 8 hours under TZ=America/Los_Angeles).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from '../helpers/databases.ts';
import { runDsar } from '../hardening/support/dsar-process.ts';

const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata'];
const EXPECTED = [{ id: 1, email: 'ann@example.org', seen_at: '2023-05-01T10:00:00.000Z', born_on: '1990-01-31T00:00:00.000Z' }];

let pgDb: TestDatabase;
let myDb: TestDatabase;
let dir: string;

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createPostgresDatabase('tz'), createMysqlDatabase('tz')]);
  const insert = `INSERT INTO people VALUES (1, 'ann@example.org', '2023-05-01 10:00:00', '1990-01-31')`;
  await execPostgres(pgDb.url, `CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, seen_at timestamp without time zone, born_on date);\n${insert}`);
  await execMysql(myDb.url, `CREATE TABLE people (id int PRIMARY KEY, email varchar(80) NOT NULL, seen_at datetime, born_on date);\n${insert}`);
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-tz-'));
  const lite = new Database(path.join(dir, 'app.db'));
  lite.exec(`CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, seen_at datetime, born_on date); ${insert}`);
  lite.close();
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'people.csv'), 'id,email,seen_at,born_on\n1,ann@example.org,2023-05-01 10:00:00,1990-01-31\n');
  const table = (system: string) => `  ${system}.people:
    key: id
    identify: { email: email }
    fields:
      email: { category: contact.email, mask: hash }
      seen_at: { category: account.activity, mask: keep }
      born_on: { category: identity.birthdate, mask: generalize }
`;
  writeFileSync(
    path.join(dir, 'datamap.yaml'),
    `version: 1
systems:
  pg: { kind: postgres, url: env:TZ_PG_URL }
  my: { kind: mysql, url: env:TZ_MY_URL }
  lite: { kind: sqlite, path: app.db }
  crm: { kind: files, path: crm, format: csv }
tables:
${['pg', 'my', 'lite', 'crm'].map(table).join('')}`,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([pgDb?.drop(), myDb?.drop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let runs = 0;

async function exportUnder(tz: string): Promise<Record<string, unknown>> {
  const ticket = `TZ-${++runs}`;
  const run = await runDsar(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', 'export', 'ann@example.org', '--ticket', ticket, '--out', path.join(dir, 'out')], {
    cwd: dir,
    env: { ...process.env, TZ: tz, TZ_PG_URL: pgDb.url, TZ_MY_URL: myDb.url, DSAR_STATE_DIR: dir },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const read = (system: string) => JSON.parse(readFileSync(path.join(dir, 'out', ticket, 'data', system, 'people.json'), 'utf8'));
  return { pg: read('pg'), my: read('my'), lite: read('lite'), crm: read('crm') };
}

describe('an export under different host time zones', () => {
  test.each(ZONES)('TZ=%s: PostgreSQL and MariaDB give the stored wall time, as UTC, alike', async (tz) => {
    const data = await exportUnder(tz);
    expect(data.pg).toEqual(EXPECTED);
    expect(data.my).toEqual(EXPECTED);
  });

  test('SQLite and CSV text dates leave as written, under every zone', async () => {
    const [utc, la] = [await exportUnder('UTC'), await exportUnder('America/Los_Angeles')];
    expect(utc.lite).toEqual([{ id: 1, email: 'ann@example.org', seen_at: '2023-05-01 10:00:00', born_on: '1990-01-31' }]);
    expect(utc.crm).toEqual([{ id: '1', email: 'ann@example.org', seen_at: '2023-05-01 10:00:00', born_on: '1990-01-31' }]);
    expect([la.lite, la.crm]).toEqual([utc.lite, utc.crm]);
  });
});
