// Masked values written into real typed columns of PostgreSQL and MariaDB: what checkFits accepts, the engine
// accepts and hands back unchanged; what it rejects, the engine rejects too.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ColumnInfo, TypeFamily } from '../../connectors/connector.ts';
import type { MaskName } from '../../src/datamap/types.ts';
import { checkFits, maskValue, type MaskContext } from '../../src/masking/masker.ts';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from '../helpers/databases.ts';
import { KEY } from './contexts.ts';

type Row = Record<string, unknown>;

const MASKS: MaskName[] = ['null', 'redact', 'hash', 'fake', 'generalize', 'random', 'keep'];

interface Client {
  insert(table: string, rows: Row[]): Promise<void>;
  select(sql: string): Promise<Row[]>;
  end(): Promise<void>;
}

interface Engine {
  name: string;
  create(): Promise<TestDatabase>;
  connect(url: string): Promise<Client>;
  ddl: string;
  /** column -> [type, family, maxLength] as the engine declares it */
  types: Record<string, [string, TypeFamily, number | null]>;
}

const CATEGORIES: Record<string, string> = {
  short_text: 'identity.name',
  email: 'contact.email',
  phone: 'contact.phone',
  photo: 'user-content.image',
  birth_date: 'identity.birthdate',
  seen_at: 'account.activity',
  last_ip: 'online.ip',
  score: 'usage.activity',
  ref: 'online.identifier',
};

const postgres: Engine = {
  name: 'PostgreSQL',
  create: () => createPostgresDatabase('masking'),
  async connect(url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return {
      async insert(table, rows) {
        const cols = Object.keys(rows[0]);
        const params = rows.flatMap((r) => cols.map((k) => r[k]));
        const tuples = rows.map((_, i) => `(${cols.map((_, j) => `$${i * cols.length + j + 1}`).join(', ')})`);
        await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params);
      },
      select: async (sql) => (await c.query(sql)).rows,
      end: () => c.end(),
    };
  },
  ddl: `
    CREATE TABLE people (
      id int PRIMARY KEY, short_text varchar(16) NOT NULL, email varchar(40) UNIQUE, phone varchar(20),
      photo bytea, birth_date date, seen_at timestamp, last_ip inet, score int, ref uuid);
    CREATE TABLE tiny (id int PRIMARY KEY, email varchar(10));`,
  types: {
    short_text: ['character varying(16)', 'text', 16],
    email: ['character varying(40)', 'text', 40],
    phone: ['character varying(20)', 'text', 20],
    photo: ['bytea', 'binary', null],
    birth_date: ['date', 'date', null],
    seen_at: ['timestamp without time zone', 'timestamp', null],
    last_ip: ['inet', 'inet', null],
    score: ['integer', 'integer', null],
    ref: ['uuid', 'uuid', null],
  },
};

const mariadb: Engine = {
  name: 'MariaDB',
  create: () => createMysqlDatabase('masking'),
  async connect(url) {
    const c = await mysql.createConnection({ uri: url });
    return {
      async insert(table, rows) {
        const cols = Object.keys(rows[0]);
        await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ?`, [rows.map((r) => cols.map((k) => r[k]))]);
      },
      select: async (sql) => (await c.query(sql))[0] as Row[],
      end: () => c.end(),
    };
  },
  ddl: `
    CREATE TABLE people (
      id int PRIMARY KEY, short_text varchar(16) NOT NULL, email varchar(40) UNIQUE, phone varchar(20),
      photo blob, birth_date date, seen_at timestamp NULL DEFAULT NULL, last_ip varchar(45), score int, ref char(36));
    CREATE TABLE tiny (id int PRIMARY KEY, email varchar(10));`,
  types: {
    short_text: ['varchar(16)', 'text', 16],
    email: ['varchar(40)', 'text', 40],
    phone: ['varchar(20)', 'text', 20],
    photo: ['blob', 'binary', 65535],
    birth_date: ['date', 'date', null],
    seen_at: ['timestamp', 'timestamp', null],
    last_ip: ['varchar(45)', 'text', 45],
    score: ['int(11)', 'integer', null],
    ref: ['char(36)', 'text', 36],
  },
};

function columnOf(engine: Engine, name: string): ColumnInfo {
  const [type, family, maxLength] = engine.types[name];
  return { name, type, family, maxLength, nullable: name !== 'short_text', unique: name === 'email' };
}

function contextOf(engine: Engine, name: string): MaskContext {
  return { column: columnOf(engine, name), category: CATEGORIES[name], options: {}, hmacKey: KEY };
}

function original(i: number): Row {
  return {
    short_text: `Person ${i}`,
    email: `person.${i}@mail.org`,
    phone: `+1 555 ${String(1_000_000 + i).slice(1)}`,
    photo: Buffer.from(`photo of person ${i}`),
    birth_date: new Date(1960 + (i % 40), i % 12, 1 + (i % 28)),
    seen_at: new Date(2021, i % 12, 1 + (i % 28), 13, 45, 30),
    last_ip: `10.${i % 256}.${(i * 7) % 256}.77`,
    score: i * 7,
    ref: `3f2504e0-4f89-41d3-9a0c-${String(i).padStart(12, '0')}`,
  };
}

/** The row with every column masked where checkFits lets `mask` in (the original where it reports why not). */
function masked(engine: Engine, mask: MaskName, id: number, source: Row): Row {
  const row: Row = { id };
  for (const [name, value] of Object.entries(source)) {
    const ctx = contextOf(engine, name);
    row[name] = checkFits(mask, ctx) === undefined ? maskValue(mask, value, ctx) : value;
  }
  return row;
}

describe.each([postgres, mariadb])('$name', (engine) => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await engine.create();
    client = await engine.connect(db.url);
    for (const statement of engine.ddl.split(';').map((s) => s.trim()).filter(Boolean)) {
      await client.select(statement);
    }
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  test('checkFits lets each mask into the columns it can fill', () => {
    const allowed = (mask: MaskName) => Object.keys(CATEGORIES).filter((c) => checkFits(mask, contextOf(engine, c)) === undefined);
    const all = Object.keys(CATEGORIES);
    expect(allowed('null')).toEqual(all.filter((c) => c !== 'short_text'));
    expect(allowed('redact')).toEqual(all.filter((c) => c !== 'email'));
    expect(allowed('hash')).toEqual(all);
    expect(allowed('fake')).toEqual(all.filter((c) => c !== 'email'));
    expect(allowed('generalize')).toEqual(['birth_date', 'seen_at', 'last_ip', 'score']);
    expect(allowed('random')).toEqual(all);
    expect(allowed('keep')).toEqual(all);
  });

  test.each(MASKS)(
    'every column takes what %s writes where checkFits allows it, and gives it back unchanged',
    async (mask) => {
      const base = MASKS.indexOf(mask) * 100;
      const count = 20;
      const rows = Array.from({ length: count }, (_, i) => masked(engine, mask, base + i, original(base + i)));
      await client.insert('people', rows);
      const back = await client.select(`SELECT * FROM people WHERE id >= ${base} AND id < ${base + count} ORDER BY id`);
      expect(back).toEqual(rows);
    },
  );

  test('1,000 distinct emails hash to 1,000 distinct addresses that fit the UNIQUE varchar(40)', async () => {
    const ctx = contextOf(engine, 'email');
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: 10_000 + i,
      short_text: 'x',
      email: maskValue('hash', `someone.${i}@mail.org`, ctx),
    }));
    await client.insert('people', rows);
    const [{ distinct, longest, shaped }] = await client.select(
      `SELECT COUNT(DISTINCT email) AS "distinct", MAX(LENGTH(email)) AS longest,
              SUM(CASE WHEN email LIKE '%@erased.invalid' THEN 1 ELSE 0 END) AS shaped
       FROM people WHERE id >= 10000`,
    );
    expect([Number(distinct), Number(longest), Number(shaped)]).toEqual([1000, 40, 1000]);
  });

  test('NULL into the NOT NULL column is reported, and the engine refuses it', async () => {
    const ctx = contextOf(engine, 'short_text');
    expect(checkFits('null', ctx)).toMatch(/^mask null writes NULL but column short_text .* is NOT NULL$/);
    await expect(client.insert('people', [{ id: 20_000, short_text: maskValue('null', 'Jane', ctx) }])).rejects.toThrow();
  });

  test('redact into the UNIQUE email is reported, and the engine refuses the second marker', async () => {
    const ctx = contextOf(engine, 'email');
    expect(checkFits('redact', ctx)).toMatch(/^mask redact can give different rows the same value but column email .* is UNIQUE$/);
    const rows = ['a@mail.org', 'b@mail.org'].map((email, i) => ({ id: 20_010 + i, short_text: 'x', email: maskValue('redact', email, ctx) }));
    await expect(client.insert('people', rows)).rejects.toThrow();
  });

  test('a hashed email is reported too long for varchar(10), and the engine refuses the shortest one', async () => {
    const tiny: MaskContext = { ...contextOf(engine, 'email'), column: { ...columnOf(engine, 'email'), type: 'varchar(10)', maxLength: 10 } };
    expect(checkFits('hash', tiny)).toMatch(/^mask hash needs 31 characters but column email .* holds 10$/);
    const shortest = { ...contextOf(engine, 'email'), column: { ...columnOf(engine, 'email'), maxLength: 31 } };
    const address = maskValue('hash', 'jane@mail.org', shortest) as string;
    expect(address).toMatch(/^[0-9a-f]{16}@erased\.invalid$/);
    await expect(client.insert('tiny', [{ id: 1, email: address }])).rejects.toThrow();
  });

  test('fake into the UNIQUE email is reported', () => {
    expect(checkFits('fake', contextOf(engine, 'email'))).toMatch(/^mask fake can give different rows the same value/);
  });
});
