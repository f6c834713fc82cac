// A small table whose optimal generalizations are worked out by hand (see the comments in the tests), loaded into
// PostgreSQL, MariaDB, SQLite and a CSV file, with a data map template whose systems point at all four.
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from '../helpers/databases.ts';

export const COLUMNS = ['id', 'email', 'full_name', 'phone', 'birth_date', 'zip', 'plan', 'diagnosis', 'household', 'amount'] as const;

/**
 * At (year, prefix-3) the classes are {1,2} {3,4} {5,6} {7,8}; at (10-years, prefix-3) {1-4} {5-8}.
 * Raw birth dates and zips are all distinct. Diagnosis is the same (flu) in class {3,4}.
 */
export const PEOPLE: ReadonlyArray<readonly [number, string, string, string, string, string, string, string, string, number]> = [
  [1, 'ann@example.com', 'Ann Archer', '+1 555 0101', '1980-03-01', '12345', 'free', 'flu', 'H1', 10],
  [2, 'bob@example.com', 'Bob Baker', '+1 555 0102', '1980-07-15', '12399', 'pro', 'cold', 'H1', 20],
  [3, 'cid@example.com', 'Cid Carter', '+1 555 0103', '1981-01-02', '12311', 'free', 'flu', 'H2', 30],
  [4, 'dee@example.com', 'Dee Dalton', '+1 555 0104', '1981-12-30', '12322', 'team', 'flu', 'H2', 40],
  [5, 'eve@example.com', 'Eve Evans', '+1 555 0105', '1992-05-05', '54321', 'free', 'cold', 'H3', 50],
  [6, 'fay@example.com', 'Fay Fisher', '+1 555 0106', '1992-06-06', '54399', 'pro', 'flu', 'H3', 60],
  [7, 'gus@example.com', 'Gus Grant', '+1 555 0107', '1995-01-01', '54300', 'free', 'cold', 'H4', 70],
  [8, 'hal@example.com', 'Hal Hughes', '+1 555 0108', '1995-02-02', '54311', 'pro', 'flu', 'H4', 80],
];

const sqlValues = PEOPLE.map((r) => `(${r.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ')})`).join(',\n');

export interface PeopleSystems {
  dir: string;
  pg: TestDatabase;
  my: TestDatabase;
  sqlitePath: string;
  filesDir: string;
  /** Writes `datamap.yaml` with the systems and these extracts (YAML text under `extracts:`), returns its path. */
  datamap(extracts: string): string;
  dispose(): Promise<void>;
}

export async function createPeopleSystems(): Promise<PeopleSystems> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-extract-'));
  const [pg, my] = await Promise.all([createPostgresDatabase('xt'), createMysqlDatabase('xt')]);
  await execPostgres(
    pg.url,
    `CREATE TABLE people (id integer PRIMARY KEY, email varchar(80) NOT NULL, full_name text, phone text, birth_date date,
       zip varchar(10), plan text, diagnosis text, household text, amount integer);
     INSERT INTO people VALUES ${sqlValues};`,
  );
  await execMysql(
    my.url,
    `CREATE TABLE people (id int PRIMARY KEY, email varchar(80) NOT NULL, full_name varchar(80), phone varchar(20), birth_date date,
       zip varchar(10), plan varchar(10), diagnosis varchar(20), household varchar(10), amount int);
     INSERT INTO people VALUES ${sqlValues};`,
  );
  const sqlitePath = path.join(dir, 'app.db');
  const db = new Database(sqlitePath);
  db.exec(`CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, full_name text, phone text, birth_date date,
    zip text, plan text, diagnosis text, household text, amount integer); INSERT INTO people VALUES ${sqlValues};`);
  db.close();
  const filesDir = path.join(dir, 'files');
  mkdirSync(filesDir);
  writeFileSync(path.join(filesDir, 'people.csv'), [COLUMNS.join(','), ...PEOPLE.map((r) => r.join(','))].join('\r\n') + '\r\n');

  return {
    dir,
    pg,
    my,
    sqlitePath,
    filesDir,
    datamap(extracts) {
      const file = path.join(dir, 'datamap.yaml');
      writeFileSync(
        file,
        `version: 1
identities:
  email: { normalize: lowercase-trim }
  phone: { normalize: digits }
secrets:
  hmac_key: env:DSAR_TEST_EXTRACT_KEY
systems:
  pg:    { kind: postgres, url: ${pg.url} }
  my:    { kind: mysql, url: ${my.url} }
  lite:  { kind: sqlite, path: app.db }
  files: { kind: files, path: files, format: csv }
tables:
${['pg', 'my', 'lite', 'files']
  .map(
    (s) => `  ${s}.people:
    key: ${s === 'files' ? 'email' : 'id'}
    identify: { email: email, phone: phone }
    fields:
      email:     { category: contact.email, mask: hash }
      full_name: { category: identity.name, mask: fake }
      phone:     { category: contact.phone, mask: null }`,
  )
  .join('\n')}
extracts:
${extracts}
`,
      );
      return file;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([pg.drop(), my.drop()]);
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the CLI with the test key set (unless `key` is null). */
export async function dsar(datamap: string, argv: string[], key: string | null = 'extract-test-key'): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const before = process.env.DSAR_TEST_EXTRACT_KEY;
  if (key === null) delete process.env.DSAR_TEST_EXTRACT_KEY;
  else process.env.DSAR_TEST_EXTRACT_KEY = key;
  const cwd = process.cwd();
  process.chdir(path.dirname(datamap)); // default outputs (./extracts) land in the fixture's directory
  try {
    const code = await main(['--datamap', datamap, '--log-level', 'silent', '--json', ...argv], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    });
    let json: any;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { code, stdout, stderr, json };
  } finally {
    process.chdir(cwd);
    if (before === undefined) delete process.env.DSAR_TEST_EXTRACT_KEY;
    else process.env.DSAR_TEST_EXTRACT_KEY = before;
  }
}

/** A CSV file as rows of cells (no quoted fields in these fixtures' outputs beyond plain values). */
export function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}
