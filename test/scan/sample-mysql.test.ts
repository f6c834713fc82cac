// MariaDB sampling: a keyset spread over an integer primary key, a LIMIT otherwise, a driver stream for --full.
import { expect, test } from 'vitest';
import { MysqlConnector } from '../../connectors/mysql/engine.ts';
import { collect, connectedDuring, freshDatabase } from '../helpers/per-file.ts';

const db = freshDatabase(
  'mysql',
  'sample',
  `CREATE TABLE big (id bigint PRIMARY KEY, email varchar(80));
     INSERT INTO big SELECT seq * 3, CONCAT('u', seq, '@example.com') FROM seq_1_to_50000;
     CREATE TABLE coded (code varchar(10) PRIMARY KEY, email varchar(80));
     INSERT INTO coded SELECT CONCAT('c', seq), CONCAT('u', seq, '@example.com') FROM seq_1_to_30;
     CREATE TABLE keyless (note varchar(20));
     INSERT INTO keyless SELECT CONCAT('n', seq) FROM seq_1_to_2500;`,
);
const my = connectedDuring(() => new MysqlConnector({ system: 'billing', kind: 'mysql', url: db.url }));

test('an integer key is sampled in evenly spaced key ranges: two statements, rows from all over the table', async () => {
  const [chunk] = await collect(my.sample('big', ['email'], 1000));
  expect(chunk).toMatchObject({ method: 'keyset spread (20 ranges)', queries: 2, key: ['id'] });
  expect(chunk.rows).toHaveLength(1000);
  const ranges = new Set(chunk.rows.map((r) => Math.floor((Number(r.id) - 3) / 7500)));
  expect(ranges.size).toBe(20);
  expect(new Set(chunk.rows.map((r) => r.id)).size).toBe(1000);
});

test('a table the catalog knows to be smaller than the sample is read whole with one LIMIT', async () => {
  const [chunk] = await collect(my.sample('big', ['email'], 100_000));
  expect(chunk).toMatchObject({ method: 'limit', queries: 1 });
  expect(chunk.rows).toHaveLength(50_000);
});

test('a text key is sampled with a LIMIT', async () => {
  const [chunk] = await collect(my.sample('coded', ['email'], 10));
  expect(chunk).toMatchObject({ method: 'limit', queries: 1, key: ['code'] });
  expect(chunk.rows).toHaveLength(10);
});

test('--full streams a table without key in chunks of 1,000 from one statement', async () => {
  const chunks = await collect(my.sample('keyless', ['note'], 10, { full: true }));
  expect(chunks.map((c) => c.rows.length)).toEqual([1000, 1000, 500]);
  expect(chunks.reduce((n, c) => n + c.queries, 0)).toBe(1);
});
