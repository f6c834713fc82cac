// SQLite sampling: a keyset spread over the integer primary key or the rowid; a LIMIT for views.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SqliteConnector } from '../../connectors/sqlite/engine.ts';
import { collect } from '../helpers/per-file.ts';

let dir: string;
let lite: SqliteConnector;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-sample-'));
  const file = path.join(dir, 'app.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) INSERT INTO users SELECT n, 'u' || n || '@example.com' FROM g;
    CREATE TABLE log (line TEXT);
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) INSERT INTO log SELECT 'line ' || n FROM g;
    CREATE VIEW recent AS SELECT email FROM users WHERE id > 19990;
  `);
  db.close();
  lite = new SqliteConnector({ system: 'app', kind: 'sqlite', path: file });
  await lite.connect();
});

afterAll(async () => {
  await lite?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an integer primary key is sampled in spread key ranges', async () => {
  const [chunk] = await collect(lite.sample('users', ['email'], 200));
  expect(chunk).toMatchObject({ method: 'keyset spread (20 ranges)', queries: 2, key: ['id'] });
  expect(chunk.rows).toHaveLength(200);
  expect(new Set(chunk.rows.map((r) => Math.floor((Number(r.id) - 1) / 1000))).size).toBe(20);
});

test('a table without primary key is spread over its rowid', async () => {
  const [chunk] = await collect(lite.sample('log', ['line'], 200));
  expect(chunk).toMatchObject({ method: 'keyset spread (20 ranges)', key: [] });
  expect(chunk.rows.map((r) => r.line)).toContain('line 19001');
});

test('a view is read with a LIMIT', async () => {
  const [chunk] = await collect(lite.sample('recent', ['email'], 100));
  expect(chunk).toMatchObject({ method: 'limit', rowsRead: 10 });
});

test('--full reads a table without key from one streamed statement', async () => {
  const chunks = await collect(lite.sample('log', ['line'], 10, { full: true }));
  expect(chunks.reduce((n, c) => n + c.rows.length, 0)).toBe(20_000);
  expect(chunks.reduce((n, c) => n + c.queries, 0)).toBe(1);
});
