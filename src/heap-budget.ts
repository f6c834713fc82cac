// A long batch loop (a sweep, an extract) allocates a batch of rows, works on them, writes them and drops them;
// V8 lets such garbage pile up in the old generation until its first full collection, which on a large machine
// comes only after ~128 MB. Collecting once the heap passes a budget keeps resident memory at what is really held.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap in use after which a full collection runs (checked between batches). */
export const BUDGET_BYTES = 40 * 1024 * 1024;

let collect: (() => void) | undefined | null;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      // Node's documented way to reach V8's gc() without starting node with --expose-gc.
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Runs a full collection when the heap has grown past `budget` bytes (true when it did); cheap to call after every batch. */
export function keepHeapInBudget(budget = BUDGET_BYTES): boolean {
  if (getHeapStatistics().used_heap_size < budget) return false;
  const collect = collector();
  collect?.();
  return collect !== null;
}
