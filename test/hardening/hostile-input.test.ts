// Hostile input on the command line and in the data: tickets that try to leave the export directory, identities
// that try to act as LIKE patterns or SQL, table and column names that try to inject SQL, against real PostgreSQL,
// MariaDB, SQLite and CSV. Everything is matched literally, or refused with one line and exit 2.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, queryMysql, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { removeDir, runCli, tempDir } from './helpers.ts';

/** A table and its columns named to break out of every quoting style. */
const ODD = {
  table: 'we"ird table',
  email: 'x"; DROP TABLE users; --',
  name: "it's name",
  note: 'sp ace',
  tick: 'b`tick',
  when: 'when\'s "created"',
} as const;
const TODAY = new Date().toISOString().slice(0, 10) + ' 00:00:00';
const LONG_EMAIL = 'a'.repeat(10_240) + '@example.org';

/** The same people in every system; 2 and 3 tell a literal match from a LIKE pattern, 6 and 7 from a loose collation. */
const PEOPLE: Array<[number, string, string]> = [
  [1, 'ann@example.org', 'Ann Example'],
  [2, "o'brien%_x@example.org", "Pat O'Brien"],
  [3, "o'brienzzzx@example.org", 'Decoy Zed'],
  [4, 'path/../sep\\x@example.org', 'Path Sep'],
  [5, LONG_EMAIL, 'Long Mail'],
  [6, 'josé@example.org', 'José Accent'],
  [7, 'straße@example.org', 'Sigrid Straße'],
];
const ODD_ROWS: Array<[number, string, string, string, string, string]> = [
  [1, 'ann@example.org', 'Ann Odd', 'a note with spaces', 'tick one', '2015-01-01 00:00:00'],
  [2, 'bob@example.org', 'Bob Odd', 'bob note', 'tick two', TODAY],
  [3, 'cy@example.org', 'Cy Odd', 'cy note', 'tick three', '2016-06-01 00:00:00'],
];

const SYSTEMS = ['pg', 'my', 'lite', 'csv'] as const;
type System = (typeof SYSTEMS)[number];

let dir: string;
let map: string;
let pg: TestDatabase;
let my: TestDatabase;
const savedEnv = { ...process.env };

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const bq = (name: string) => `\`${name.replaceAll('`', '``')}\``;

function mapText(): string {
  const y = JSON.stringify; // a JSON string is a YAML string: every odd name is written quoted
  const tables = SYSTEMS.flatMap((s) => [
    `  ${s}.people:`,
    '    key: id',
    '    identify: { email: email }',
    '    on_erase: delete',
    '    fields:',
    '      email: { category: contact.email, mask: hash }',
    '      name:  { category: identity.name, mask: fake }',
    `  ${y(`${s}.${ODD.table}`)}:`,
    '    key: id',
    `    identify: { email: ${y(ODD.email)} }`,
    '    on_erase: anonymize',
    '    retention: old',
    '    fields:',
    `      ${y(ODD.email)}: { category: contact.email, mask: hash }`,
    `      ${y(ODD.name)}: { category: identity.name, mask: fake }`,
    `      ${y(ODD.note)}: { category: support.notes, mask: redact }`,
    `      ${y(ODD.tick)}: { category: support.notes, mask: null }`,
  ]);
  return [
    'version: 1',
    'identities:',
    '  email: { normalize: lowercase-trim }',
    'secrets:',
    '  hmac_key: env:DSAR_HMAC_KEY',
    'systems:',
    '  pg:   { kind: postgres, url: env:HOSTILE_PG_URL }',
    '  my:   { kind: mysql, url: env:HOSTILE_MY_URL }',
    '  lite: { kind: sqlite, path: lite.db }',
    '  csv:  { kind: files, path: files, format: csv }',
    'retention:',
    `  old: { keep: 1y, after: ${y(ODD.when)}, then: anonymize }`,
    'tables:',
    ...tables,
    '',
  ].join('\n');
}

const ODD_COLUMNS = [ODD.email, ODD.name, ODD.note, ODD.tick];

beforeAll(async () => {
  dir = tempDir('input');
  [pg, my] = await Promise.all([createPostgresDatabase('hostile'), createMysqlDatabase('hostile')]);
  process.env.HOSTILE_PG_URL = pg.url;
  process.env.HOSTILE_MY_URL = my.url;
  process.env.DSAR_HMAC_KEY = 'hardening-hostile-input-key';
  delete process.env.DSAR_STATE_DIR;
  delete process.env.DSAR_STATE_URL;

  const placeholders = (n: number, rows: number, mark: (i: number) => string) =>
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: n }, (_, c) => mark(r * n + c + 1)).join(', ')})`).join(', ');

  await execPostgres(
    pg.url,
    `CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, name text);
     CREATE TABLE users (id integer PRIMARY KEY, note text); INSERT INTO users VALUES (1, 'canary');
     CREATE TABLE ${q(ODD.table)} (id integer PRIMARY KEY, ${ODD_COLUMNS.map((c) => `${q(c)} varchar(300)`).join(', ')}, ${q(ODD.when)} timestamp);`,
  );
  await queryPostgres(pg.url, `INSERT INTO people VALUES ${placeholders(3, PEOPLE.length, (i) => `$${i}`)}`, PEOPLE.flat());
  await queryPostgres(pg.url, `INSERT INTO ${q(ODD.table)} VALUES ${placeholders(6, ODD_ROWS.length, (i) => `$${i}`)}`, ODD_ROWS.flat());

  await execMysql(
    my.url,
    `CREATE TABLE people (id int PRIMARY KEY, email varchar(12000) NOT NULL, name varchar(200));
     CREATE TABLE users (id int PRIMARY KEY, note text); INSERT INTO users VALUES (1, 'canary');
     CREATE TABLE ${bq(ODD.table)} (id int PRIMARY KEY, ${ODD_COLUMNS.map((c) => `${bq(c)} varchar(300)`).join(', ')}, ${bq(ODD.when)} datetime);`,
  );
  await queryMysql(my.url, `INSERT INTO people VALUES ${placeholders(3, PEOPLE.length, () => '?')}`, PEOPLE.flat());
  await queryMysql(my.url, `INSERT INTO ${bq(ODD.table)} VALUES ${placeholders(6, ODD_ROWS.length, () => '?')}`, ODD_ROWS.flat());

  const lite = new Database(path.join(dir, 'lite.db'));
  lite.exec(`CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, name text);
    CREATE TABLE users (id integer PRIMARY KEY, note text); INSERT INTO users VALUES (1, 'canary');
    CREATE TABLE ${q(ODD.table)} (id integer PRIMARY KEY, ${ODD_COLUMNS.map((c) => `${q(c)} text`).join(', ')}, ${q(ODD.when)} datetime);`);
  const insertPeople = lite.prepare('INSERT INTO people VALUES (?, ?, ?)');
  for (const p of PEOPLE) insertPeople.run(...p);
  const insertOdd = lite.prepare(`INSERT INTO ${q(ODD.table)} VALUES (?, ?, ?, ?, ?, ?)`);
  for (const r of ODD_ROWS) insertOdd.run(...r);
  lite.close();

  mkdirSync(path.join(dir, 'files'));
  writeFileSync(path.join(dir, 'files', 'people.csv'), stringify([['id', 'email', 'name'], ...PEOPLE]));
  writeFileSync(path.join(dir, 'files', `${ODD.table}.csv`), stringify([['id', ...ODD_COLUMNS, ODD.when], ...ODD_ROWS]));

  map = path.join(dir, 'datamap.yaml');
  writeFileSync(map, mapText());
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([pg?.drop(), my?.drop()]);
  removeDir(dir);
});

const dsar = (...argv: string[]) => runCli(['--datamap', map, '--log-level', 'silent', ...argv]);

/** Rows of a table in every system, as plain objects with numeric ids, in id order. */
async function rowsOf(table: string): Promise<Record<System, Array<Record<string, unknown>>>> {
  const byId = (rows: Array<Record<string, unknown>>) => rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
  const lite = new Database(path.join(dir, 'lite.db'), { readonly: true });
  try {
    return {
      pg: byId(await queryPostgres(pg.url, `SELECT * FROM ${q(table)}`)),
      my: byId(await queryMysql(my.url, `SELECT * FROM ${bq(table)}`)),
      lite: byId(lite.prepare(`SELECT * FROM ${q(table)}`).all() as Array<Record<string, unknown>>),
      csv: byId(parse(readFileSync(path.join(dir, 'files', `${table}.csv`)), { columns: true, bom: true })),
    };
  } finally {
    lite.close();
  }
}

/** A row without the retention date, which each engine hands back in its own type. */
function withoutDate(row: Record<string, unknown>): Record<string, unknown> {
  const { [ODD.when]: _when, ...rest } = row;
  return rest;
}

function each<T>(value: T): Record<System, T> {
  return { pg: value, my: value, lite: value, csv: value };
}

describe('tickets name a directory, so only plain names are accepted', () => {
  const hostile = ['../escape', '..', 'a/b', '/abs', 'a\\b', 'C:\\x', "x'; DROP TABLE x; --", '%', '_x', 'a\u0000b', 'a\nb', 'T'.repeat(10_240), '', ' T-1', 'T-1 ', 'Tické-1', '.hidden', 'a..b'];

  test.each(hostile.map((t) => [JSON.stringify(t).slice(0, 40), t]))('export --ticket %s: exit 2, one line, nothing written', async (_shown, ticket) => {
    const out = path.join(dir, 'ticket-exports');
    const r = await dsar('export', 'ann@example.org', '--ticket', ticket, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: --ticket: '[^\n]*' is not a safe request reference[^\n]*\n$/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(path.join(dir, '.dsar'))).toBe(false);
    expect(existsSync(path.join(dir, 'escape'))).toBe(false);
  });

  test.each(hostile.map((t) => [JSON.stringify(t).slice(0, 40), t]))('erase --ticket %s: exit 2, one line, nothing touched', async (_shown, ticket) => {
    const r = await dsar('erase', 'ann@example.org', '--ticket', ticket);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: --ticket: '[^\n]*' is not a safe request reference[^\n]*\n$/);
    expect(existsSync(path.join(dir, '.dsar'))).toBe(false);
  });

  test('after every refused ticket, every system still holds every row', async () => {
    const rows = await rowsOf('people');
    for (const s of SYSTEMS) expect(rows[s].map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('values echoed back in an error stay on one line (a newline cannot forge a second message)', () => {
  const forged = 'x\ndsar: forged second line\r\u001b[2K';
  test.each([
    ['--by', ['export', 'a@example.org', '--by', forged, '--ticket', 'T-1', '--dry-run']],
    ['--ticket', ['export', 'a@example.org', '--ticket', forged]],
    ['--received', ['export', 'a@example.org', '--ticket', 'T-1', '--received', forged, '--dry-run']],
    ['an unknown command', [forged]],
    ['an unknown job', ['run-job', forged]],
    ['an unknown extract', ['extract', forged]],
    ['sweep --system', ['sweep', '--system', forged, '--dry-run']],
    ['scan --system', ['scan', '--system', forged]],
  ])('%s', async (_what, argv) => {
    const r = await dsar(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: [^\n\r\u001b]*\n$/);
  });

  test('--datamap', async () => {
    const r = await runCli(['--datamap', forged, 'datamap', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: data map not found: [^\n\r\u001b]*\n$/);
  });
});

describe('an option given twice is refused, not a crash', () => {
  test.each([
    ['--datamap', ['--datamap', 'other.yaml', 'datamap', 'validate']],
    ['--log-level', ['--log-level', 'debug', 'datamap', 'validate']],
    ['--out', ['export', 'a@example.org', '--ticket', 'T-1', '--out', 'a', '--out', 'b']],
    ['--ticket', ['erase', 'a@example.org', '--ticket', 'T-1', '--ticket', 'T-2']],
    ['--reason', ['hold', 'add', 'a@example.org', '--reason', 'a', '--reason', 'b']],
  ])('%s: exit 2, one line naming it', async (option, argv) => {
    const r = await dsar(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`dsar: ${option} was given more than once; give it once\n`);
  });
});

describe('identities match literally: exactly the subject or nothing, in PostgreSQL, MariaDB, SQLite and CSV', () => {
  let n = 0;
  const exported = async (identity: string): Promise<Record<System, number[]>> => {
    const ticket = `ID-${++n}`;
    const out = path.join(dir, 'exports');
    const r = await dsar('export', identity, '--ticket', ticket, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = (s: System) => {
      const file = path.join(out, ticket, 'data', s, 'people.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Array<{ id: unknown }>).map((row) => Number(row.id)).sort() : [];
    };
    return { pg: ids('pg'), my: ids('my'), lite: ids('lite'), csv: ids('csv') };
  };

  test.each([
    ['%', []],
    ['_', []],
    ['%@example.org', []],
    ['ann@example.or_', []],
    ["o'brien%_x@example.org", [2]],
    ["  O'BRIEN%_X@EXAMPLE.ORG ", [2]],
    ["o'brien%", []],
    ["'; DROP TABLE people; --", []],
    ['ann@example.org\u0000', []],
    ['path/../sep\\x@example.org', [4]],
    ['../../etc/passwd', []],
    ['\\', []],
    [LONG_EMAIL, [5]],
    [LONG_EMAIL.slice(1), []],
    ['josé@example.org', [6]],
    ['jose@example.org', []],
    ['straße@example.org', [7]],
    ['strasse@example.org', []],
  ].map(([identity, ids]) => [`${identity.length > 60 ? `a ${identity.length}-character email` : JSON.stringify(identity)} finds exactly ${JSON.stringify(ids)}`, identity, ids]) as Array<
    [string, string, number[]]
  >)('%s', async (_title, identity, ids) => {
    expect(await exported(identity)).toEqual(each(ids));
  });

  test('a legal hold on "%", on a NUL and on 10 kB holds exactly those subjects, and no one else', async () => {
    for (const identity of ['%', 'x\u0000y@example.org', LONG_EMAIL]) {
      const r = await dsar('hold', 'add', identity, '--reason', 'hostile');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse((await dsar('--json', 'hold', 'list', identity)).stdout).holds).toHaveLength(1);
    }
    for (const other of ['ann@example.org', 'x@example.org', LONG_EMAIL.slice(1)]) {
      expect(JSON.parse((await dsar('--json', 'hold', 'list', other)).stdout).holds).toEqual([]);
    }
    for (const identity of ['%', 'x\u0000y@example.org', LONG_EMAIL]) expect((await dsar('hold', 'remove', identity)).code).toBe(0);
    expect(JSON.parse((await dsar('--json', 'hold', 'list')).stdout).holds).toEqual([]);
  });

  test('erasing "%" erases no one', async () => {
    const r = await dsar('erase', '%', '--ticket', 'ERASE-PERCENT');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await rowsOf('people');
    for (const s of SYSTEMS) expect(rows[s].map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test("erasing o'brien%_x@example.org erases that one person, not the one a LIKE pattern would also match", async () => {
    const r = await dsar('erase', "o'brien%_x@example.org", '--ticket', 'ERASE-OBRIEN');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await rowsOf('people');
    for (const s of SYSTEMS) expect(rows[s].map((p) => p.id)).toEqual([1, 3, 4, 5, 6, 7]);
  });
});

describe('table and column names with quotes, backticks and spaces are identifiers, never SQL', () => {
  test('validate --live finds every odd table and column', async () => {
    const r = await dsar('--json', 'datamap', 'validate', '--live');
    const doc = JSON.parse(r.stdout);
    expect(doc.errors, JSON.stringify(doc.errors, null, 1)).toEqual([]);
    expect(doc.unreachable).toEqual([]);
    expect(r.code).toBe(0);
  });

  test('an export reads the odd table through its odd identity column', async () => {
    const out = path.join(dir, 'exports');
    const r = await dsar('export', 'ANN@example.org', '--ticket', 'ODD-1', '--out', out);
    expect(r.code).toBe(0);
    for (const s of SYSTEMS) {
      const files = readdirSync(path.join(out, 'ODD-1', 'data', s)).filter((f) => f.endsWith('.json') && f !== 'people.json');
      expect(files).toHaveLength(1);
      const rows = JSON.parse(readFileSync(path.join(out, 'ODD-1', 'data', s, files[0]), 'utf8')).map(withoutDate);
      expect(rows).toEqual([{ id: s === 'csv' ? '1' : 1, [ODD.email]: 'ann@example.org', [ODD.name]: 'Ann Odd', [ODD.note]: 'a note with spaces', [ODD.tick]: 'tick one' }]);
    }
  });

  test('an erasure masks the odd columns of that row only, and `users` is still there', async () => {
    const r = await dsar('erase', 'ann@example.org', '--ticket', 'ODD-ERASE');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const odd = await rowsOf(ODD.table);
    for (const s of SYSTEMS) {
      const [ann, bob] = odd[s].map(withoutDate);
      expect(ann[ODD.email]).not.toBe('ann@example.org');
      expect(String(ann[ODD.email])).toMatch(/@/);
      expect(ann[ODD.name]).not.toBe('Ann Odd');
      expect(ann[ODD.note]).not.toBe('a note with spaces');
      expect(ann[ODD.tick] ?? '').toBe('');
      expect(bob).toEqual({ id: 2, [ODD.email]: 'bob@example.org', [ODD.name]: 'Bob Odd', [ODD.note]: 'bob note', [ODD.tick]: 'tick two' });
    }
    const people = await rowsOf('people');
    for (const s of SYSTEMS) expect(people[s].map((p) => p.id)).toEqual([3, 4, 5, 6, 7]);
    expect(await queryPostgres(pg.url, 'SELECT * FROM users')).toEqual([{ id: 1, note: 'canary' }]);
    expect(await queryMysql(my.url, 'SELECT * FROM users')).toEqual([{ id: 1, note: 'canary' }]);
    const lite = new Database(path.join(dir, 'lite.db'), { readonly: true });
    expect(lite.prepare('SELECT * FROM users').all()).toEqual([{ id: 1, note: 'canary' }]);
    lite.close();
  });

  test('a sweep judges the odd retention column and masks only the expired row the erasure left', async () => {
    const r = await dsar('--json', 'sweep');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const odd = await rowsOf(ODD.table);
    for (const s of SYSTEMS) {
      const [, bob, cy] = odd[s].map(withoutDate);
      expect(bob).toEqual({ id: 2, [ODD.email]: 'bob@example.org', [ODD.name]: 'Bob Odd', [ODD.note]: 'bob note', [ODD.tick]: 'tick two' });
      expect(cy[ODD.email]).not.toBe('cy@example.org');
      expect(cy[ODD.name]).not.toBe('Cy Odd');
      expect(cy[ODD.note]).not.toBe('cy note');
    }
    expect(await queryPostgres(pg.url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 1 }]);
  });
});
