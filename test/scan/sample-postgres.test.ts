// PostgreSQL sampling: TABLESAMPLE for large tables, LIMIT for small ones and as the fallback, a cursor for --full.
import { describe, expect, test } from 'vitest';
import { PostgresConnector } from '../../connectors/postgres/engine.ts';
import { collect, connectedDuring, freshDatabase } from '../helpers/per-file.ts';

const db = freshDatabase(
  'postgres',
  'sample',
  `CREATE TABLE big (id bigint PRIMARY KEY, email text);
     INSERT INTO big SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 60000) g;
     CREATE TABLE shrunk (id bigint PRIMARY KEY, email text);
     INSERT INTO shrunk SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 60000) g;
     ANALYZE big; ANALYZE shrunk;
     DELETE FROM shrunk WHERE id > 1500;
     CREATE TABLE small (id int PRIMARY KEY, email text);
     INSERT INTO small SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 10) g;
     CREATE TABLE keyless (note text);
     INSERT INTO keyless SELECT 'n' || g FROM generate_series(1, 2500) g;
     CREATE TABLE events (id int, at date, ip text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
     CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     INSERT INTO events VALUES (1, '2024-05-01', '10.0.0.1'), (2, '2025-05-01', '10.0.0.2');
     CREATE VIEW small_emails AS SELECT id, email FROM small;`,
);
const pg = connectedDuring(() => new PostgresConnector({ system: 'app', kind: 'postgres', url: db.url }));

describe('a sample of a large table', () => {
  test('reads n rows in one TABLESAMPLE statement, spread over the whole table', async () => {
    const [chunk] = await collect(pg.sample('big', ['email'], 1000));
    expect(chunk.method).toMatch(/^tablesample \d/);
    expect(chunk.queries).toBe(1);
    expect(chunk.rows).toHaveLength(1000);
    expect(chunk.key).toEqual(['id']);
    const ids = chunk.rows.map((r) => Number(r.id));
    // About 18 random pages of ~370: rows from both halves of the table (all in one half: odds of about 1 in 100,000).
    expect(Math.min(...ids)).toBeLessThan(30_000);
    expect(Math.max(...ids)).toBeGreaterThan(30_000);
    expect(Object.keys(chunk.rows[0]).sort()).toEqual(['email', 'id']);
  });

  test('a repeatable sample reads the same rows each time (datamap init writes the same file twice)', async () => {
    const ids = async (repeatable: boolean) => (await collect(pg.sample('big', ['email'], 1000, { repeatable })))[0].rows.map((r) => Number(r.id));
    const first = await ids(true);
    expect(first).toHaveLength(1000);
    expect(await ids(true)).toEqual(first);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(30_000);
    expect(await ids(false)).not.toEqual(first);
  });

  test('falls back to a plain LIMIT when the sample comes back short (stale statistics)', async () => {
    const [chunk] = await collect(pg.sample('shrunk', ['email'], 1000));
    expect(chunk).toMatchObject({ method: 'limit', queries: 2 });
    expect(chunk.rows).toHaveLength(1000);
  });
});

test('a small table is read with a LIMIT', async () => {
  const [chunk] = await collect(pg.sample('small', ['email'], 1000));
  expect(chunk).toMatchObject({ method: 'limit', queries: 1, rowsRead: 10 });
});

test('a partitioned table is sampled through its parent, rows of every partition included', async () => {
  const [chunk] = await collect(pg.sample('events', ['ip'], 100));
  expect(chunk.rows.map((r) => r.ip).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
  expect(chunk.key).toEqual(['id', 'at']);
});

test('a view is sampled with a LIMIT and has no key', async () => {
  const [chunk] = await collect(pg.sample('small_emails', ['email'], 3));
  expect(chunk).toMatchObject({ method: 'limit', key: [] });
  expect(chunk.rows).toHaveLength(3);
});

describe('--full', () => {
  test('a keyed table is read in keyset batches of 1,000, in key order', async () => {
    const chunks = await collect(pg.sample('shrunk', ['email'], 10, { full: true }));
    expect(chunks.map((c) => c.rows.length)).toEqual([1000, 500]);
    expect(chunks.reduce((n, c) => n + c.queries, 0)).toBe(2);
    expect(chunks.flatMap((c) => c.rows.map((r) => Number(r.id)))).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });

  test('a table without key streams through one cursor', async () => {
    const chunks = await collect(pg.sample('keyless', ['note'], 10, { full: true }));
    expect(chunks.map((c) => c.rows.length)).toEqual([1000, 1000, 500]);
    expect(chunks.reduce((n, c) => n + c.queries, 0)).toBe(1);
    expect(chunks.reduce((n, c) => n + c.rowsRead, 0)).toBe(2500);
  });

  test('stopping early releases the cursor and the connection', async () => {
    for await (const chunk of pg.sample('keyless', ['note'], 10, { full: true })) {
      expect(chunk.rows).toHaveLength(1000);
      break;
    }
    const [again] = await collect(pg.sample('small', ['email'], 2));
    expect(again.rows).toHaveLength(2);
  });
});

test('an unknown column is an error naming the system and table', async () => {
  await expect(collect(pg.sample('small', ['nope'], 2))).rejects.toThrow('app.small: no column "nope"');
});
