// Files sampling: a reservoir over one streamed pass, every row with its row number.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleRecords } from '../../connectors/files/sample.ts';
import { filesDir, type FilesDir } from '../connectors/files-helpers.ts';
import { collect } from '../helpers/per-file.ts';

let files: FilesDir;

beforeAll(async () => {
  files = await filesDir();
  const lines = ['email,name', ...Array.from({ length: 5000 }, (_, i) => `u${i + 1}@example.com,User ${i + 1}`)];
  await files.write('members.csv', lines.join('\r\n') + '\r\n');
  await files.write('small.csv', 'email\r\na@example.com\r\nb@example.com\r\n');
});

afterAll(async () => {
  await files?.remove();
});

test('a large file is read once and a reservoir of n rows kept, from all over the file', async () => {
  const c = await files.connector('csv');
  const [chunk] = await collect(c.sample!('members', ['email'], 100));
  expect(chunk).toMatchObject({ method: 'reservoir', rowsRead: 5000, queries: 1, key: ['_row'] });
  expect(chunk.rows).toHaveLength(100);
  const rows = chunk.rows.map((r) => r._row as number);
  expect(new Set(rows).size).toBe(100);
  expect(Math.max(...rows)).toBeGreaterThan(2500);
  expect(chunk.rows.every((r) => r.email === `u${r._row}@example.com`)).toBe(true);
  expect(Object.keys(chunk.rows[0])).toEqual(['email']); // the row number is not a column
});

test('a file smaller than the sample is read whole', async () => {
  const c = await files.connector('csv');
  const [chunk] = await collect(c.sample!('small', ['email'], 100));
  expect(chunk).toMatchObject({ method: 'all', rowsRead: 2 });
  expect(chunk.rows.map((r) => [r._row, r.email])).toEqual([
    [1, 'a@example.com'],
    [2, 'b@example.com'],
  ]);
});

test('--full yields every row in chunks of 1,000 from one pass', async () => {
  const c = await files.connector('csv');
  const chunks = await collect(c.sample!('members', ['email'], 10, { full: true }));
  expect(chunks.map((x) => x.rows.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
  expect(chunks.reduce((n, x) => n + x.queries, 0)).toBe(1);
});

test('every record is equally likely to stay in the reservoir', async () => {
  async function* numbers() {
    for (let i = 0; i < 1000; i++) yield i;
  }
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const kept: number[] = [];
  for (let run = 0; run < 200; run++) {
    for await (const chunk of sampleRecords(numbers(), (n) => ({ n }), 10, {}, random)) kept.push(...chunk.rows.map((r) => r.n as number));
  }
  const firstHalf = kept.filter((n) => n < 500).length / kept.length;
  expect(firstHalf).toBeGreaterThan(0.4);
  expect(firstHalf).toBeLessThan(0.6);
});
