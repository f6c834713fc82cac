import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { randomSource, shuffledRows } from '../../src/extract/shuffle.ts';

async function* chunks(n: number, size = 1000): AsyncIterable<unknown[][]> {
  for (let i = 0; i < n; i += size) yield Array.from({ length: Math.min(size, n - i) }, (_, j) => [i + j, `v${i + j}`]);
}

async function all(rows: AsyncIterable<unknown[][]>): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const c of rows) out.push(...c);
  return out;
}

const spillDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('dsar-shuffle-')).length;

describe('shuffling a file’s rows', () => {
  test('in memory: every row once, in another order', async () => {
    const out = await all(shuffledRows(chunks(5000)));
    expect(out.map((r) => r[0]).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(out.map((r) => r[0])).not.toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  test('past the memory bound: dealt into temporary buckets, every row once, and the buckets removed', async () => {
    const before = spillDirs();
    const out = await all(shuffledRows(chunks(20_000), randomSource(), 1_000));
    expect(out).toHaveLength(20_000);
    expect(new Set(out.map((r) => r[0])).size).toBe(20_000);
    expect(out.find((r) => r[0] === 123)).toEqual([123, 'v123']);
    // Rows near each other in the file end up far apart: the first 100 are not among the first 100 out.
    expect(out.slice(0, 100).filter((r) => Number(r[0]) < 100).length).toBeLessThan(10);
    expect(spillDirs()).toBe(before);
  });

  test('positions are spread evenly: each of 10 rows lands in each half about as often', async () => {
    const random = randomSource(Buffer.alloc(16, 7));
    let firstHalf = 0;
    for (let run = 0; run < 2000; run++) {
      const out = await all(shuffledRows(chunks(10, 10), random));
      if (out.findIndex((r) => r[0] === 0) < 5) firstHalf++;
    }
    expect(firstHalf).toBeGreaterThan(900);
    expect(firstHalf).toBeLessThan(1100);
  });
});
