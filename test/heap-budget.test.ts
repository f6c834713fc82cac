import { getHeapStatistics } from 'node:v8';
import { expect, test } from 'vitest';
import { BUDGET_BYTES, HeapBudget } from '../src/heap-budget.ts';

const MB = 1024 * 1024;

/** A heap whose size the test sets, and a collector that counts its calls and frees what the test says. */
function scripted(startMb: number) {
  const state = { usedMb: startMb, liveMb: startMb, collections: 0 };
  const budget = new HeapBudget({
    budget: 40 * MB,
    heapUsed: () => state.usedMb * MB,
    collect: () => {
      state.collections++;
      state.usedMb = state.liveMb;
    },
  });
  return { state, budget };
}

test('under the budget nothing is collected', () => {
  const { state, budget } = scripted(10);
  for (const mb of [12, 25, 39]) {
    state.usedMb = mb;
    expect(budget.check()).toBe(false);
  }
  expect(state.collections).toBe(0);
});

test('garbage past the budget is collected once, then only after the heap has grown by the budget again', () => {
  const { state, budget } = scripted(10);
  state.usedMb = 45; // 35 MB of it garbage
  expect(budget.check()).toBe(true);
  expect(state.collections).toBe(1);
  for (const mb of [30, 49]) {
    state.usedMb = mb;
    expect(budget.check()).toBe(false);
  }
  state.usedMb = 50; // 10 MB live + 40 MB
  expect(budget.check()).toBe(true);
  expect(state.collections).toBe(2);
});

test('a large live heap (an extract holding its frequency set) is not collected after every batch', () => {
  const { state, budget } = scripted(100);
  state.liveMb = 100;
  state.usedMb = 101;
  budget.check(); // one collection: 100 MB survive
  for (let batch = 0; batch < 50; batch++) {
    state.usedMb = 100 + (batch % 35); // each batch's garbage, short of another 40 MB
    budget.check();
  }
  expect(state.collections).toBe(1);
});

test('without a collector (gc refused), checks say so and do nothing', () => {
  const budget = new HeapBudget({ budget: 40 * MB, heapUsed: () => 500 * MB, collect: null });
  expect(budget.check()).toBe(false);
});

test("V8's own collector: garbage past the budget is freed", () => {
  const budget = new HeapBudget();
  // Batches of rows kept alive across awaits (as a sweep's in-flight batch is) reach the old generation.
  const batches: string[][][] = [];
  for (let i = 0; getHeapStatistics().used_heap_size < BUDGET_BYTES * 1.5; i++) {
    batches.push(Array.from({ length: 5_000 }, (_, j) => [`user${i}-${j}@example.com`.repeat(4), String(j)]));
  }
  batches.length = 0; // every batch written: garbage now
  expect(budget.check()).toBe(true);
  expect(getHeapStatistics().used_heap_size).toBeLessThan(BUDGET_BYTES / 2);
});
