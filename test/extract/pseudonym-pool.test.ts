import { randomBytes } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { pseudonymizer } from '../../src/extract/pseudonym.ts';
import { PseudonymPool } from '../../src/extract/pseudonym-pool.ts';

let pool: PseudonymPool | undefined;
afterEach(() => pool?.close());

test('the worker gives every value the pseudonym the extract gives it in process, in order, NULL staying NULL', async () => {
  const pseudonym = pseudonymizer(randomBytes(32));
  pool = new PseudonymPool(pseudonym);
  const values: unknown[] = [42, '42', ' 0042 ', 7n, 'ann@example.com', '東京 😀', null, undefined, new Date('2024-01-02T03:04:05Z'), 'x'.repeat(2000)];
  expect(await pool.pseudonyms(values)).toEqual(values.map((v) => pseudonym(v)));
});

test('chunks sent one after another come back to their own callers', async () => {
  const pseudonym = pseudonymizer(randomBytes(32));
  pool = new PseudonymPool(pseudonym);
  const chunks = [0, 1, 2].map((c) => Array.from({ length: 5_000 }, (_, i) => c * 5_000 + i));
  const results = await Promise.all(chunks.map((chunk) => pool!.pseudonyms(chunk)));
  expect(results).toEqual(chunks.map((chunk) => chunk.map((v) => pseudonym(v))));
});

test('after close, asking for pseudonyms fails instead of waiting forever', async () => {
  pool = new PseudonymPool(pseudonymizer(randomBytes(32)));
  await pool.close();
  await expect(pool.pseudonyms([1])).rejects.toThrow();
});
