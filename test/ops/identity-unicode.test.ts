// Identities compare by one defined rule: NFC, then ASCII-only lowercasing; lookalike characters never fold into
// plain ones. `\u212Aim@example.org` (with U+212A KELVIN SIGN) is another mailbox than kim@example.org, on every engine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from '../helpers/databases.ts';

const KELVIN = '\u212Aim@example.org';
const SYSTEMS = ['pg', 'my', 'lite', 'crm'] as const;

let pgDb: TestDatabase;
let myDb: TestDatabase;
let dir: string;

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createPostgresDatabase('uni'), createMysqlDatabase('uni')]);
  const rows = [`(1, 'kim@example.org', 'Kim Plain')`, `(2, '${KELVIN}', 'Kim Kelvin')`, `(3, 'E\u0301lise@Example.org', 'Elise')`].join(', ');
  await execPostgres(pgDb.url, `CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, name text);\nINSERT INTO people VALUES ${rows}`);
  await execMysql(myDb.url, `CREATE TABLE people (id int PRIMARY KEY, email varchar(80) NOT NULL, name varchar(80)) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nINSERT INTO people VALUES ${rows}`);
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-unicode-'));
  const lite = new Database(path.join(dir, 'app.db'));
  lite.exec(`CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, name text); INSERT INTO people VALUES ${rows}`);
  lite.close();
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'people.csv'), `id,email,name\n1,kim@example.org,Kim Plain\n2,${KELVIN},Kim Kelvin\n3,E\u0301lise@Example.org,Elise\n`);
  process.env.UNI_PG_URL = pgDb.url;
  process.env.UNI_MY_URL = myDb.url;
  writeFileSync(
    path.join(dir, 'datamap.yaml'),
    `version: 1
systems:
  pg: { kind: postgres, url: env:UNI_PG_URL }
  my: { kind: mysql, url: env:UNI_MY_URL }
  lite: { kind: sqlite, path: app.db }
  crm: { kind: files, path: crm, format: csv }
tables:
${SYSTEMS.map((s) => `  ${s}.people:\n    key: id\n    identify: { email: email }\n    fields:\n      name: { category: identity.name, mask: redact }\n`).join('')}`,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([pgDb?.drop(), myDb?.drop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let tickets = 0;
async function exportOf(identity: string): Promise<{ code: number; stderr: string; names: Record<string, string[]> }> {
  const ticket = `U-${++tickets}`;
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await main(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', 'export', identity, '--ticket', ticket, '--out', path.join(dir, 'out')], {
      stdout: () => {},
      stderr: (s) => void (stderr += s),
    });
    const names: Record<string, string[]> = {};
    if (code === 0) {
      for (const s of SYSTEMS) {
        try {
          names[s] = JSON.parse(readFileSync(path.join(dir, 'out', ticket, 'data', s, 'people.json'), 'utf8')).map((r: { name: string }) => r.name);
        } catch {
          names[s] = [];
        }
      }
    }
    return { code, stderr, names };
  } finally {
    process.chdir(cwd);
  }
}

describe('identities in Unicode', () => {
  test('kim@example.org finds Kim Plain only, never the Kelvin-sign mailbox, on every engine', async () => {
    const r = await exportOf('KIM@example.org');
    expect(r.stderr).toBe('');
    expect(r.names).toEqual({ pg: ['Kim Plain'], my: ['Kim Plain'], lite: ['Kim Plain'], crm: ['Kim Plain'] });
  });

  test('an identity given with a lookalike character is refused with exit 2, naming the character', async () => {
    const r = await exportOf(KELVIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: the email given holds U\+212A, a character that looks like another/);
  });

  test('a composed and a decomposed é are one address (NFC), and case folds for it too, on every engine', async () => {
    const r = await exportOf('\u00C9LISE@EXAMPLE.ORG');
    expect(r.names).toEqual({ pg: ['Elise'], my: ['Elise'], lite: ['Elise'], crm: ['Elise'] });
  });
});
