import { getHeapStatistics } from 'node:v8';
import { expect, test } from 'vitest';
import { BUDGET_BYTES, keepHeapInBudget } from '../src/heap-budget.ts';

test('garbage past the budget is collected between batches, not left for V8 to reach its own limit', () => {
  // Batches of rows kept alive across awaits (as a sweep's in-flight batch is) reach the old generation.
  const batches: string[][][] = [];
  for (let i = 0; getHeapStatistics().used_heap_size < BUDGET_BYTES * 1.5; i++) {
    batches.push(Array.from({ length: 5_000 }, (_, j) => [`user${i}-${j}@example.com`.repeat(4), String(j)]));
  }
  batches.length = 0; // every batch written: garbage now
  keepHeapInBudget();
  expect(getHeapStatistics().used_heap_size).toBeLessThan(BUDGET_BYTES / 2);
});

test('under the budget nothing is collected', () => {
  const kept = Array.from({ length: 1_000 }, (_, j) => `row ${j}`);
  const before = getHeapStatistics().used_heap_size;
  keepHeapInBudget();
  expect(before).toBeLessThan(BUDGET_BYTES);
  expect(getHeapStatistics().used_heap_size).toBeGreaterThanOrEqual(before * 0.9);
  expect(kept.length).toBe(1_000);
});
