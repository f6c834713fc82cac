// A long batch loop (a sweep, an extract) allocates a batch of rows, works on them, writes them and drops them;
// V8 lets such garbage pile up in the old generation until its first full collection, which on a large machine
// comes only after ~128 MB. Collecting once the heap passes a budget keeps resident memory at what is really held.
// What survives a collection is held on purpose (an extract's frequency set, rows in flight): the next collection
// waits until the heap has grown by the budget again, so a large live heap is not collected after every batch.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Growth of the heap after which a full collection runs (checked between batches). */
export const BUDGET_BYTES = 40 * 1024 * 1024;

/** V8's full collection, reached without starting node with --expose-gc (Node's documented way); null if refused. */
function v8Collector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

export interface HeapBudgetOptions {
  /** Heap in use that triggers the first collection (default BUDGET_BYTES). */
  budget?: number;
  /** The next trigger, from the heap left after a collection (default: that plus the budget). */
  next?: (liveBytes: number) => number;
  heapUsed?: () => number;
  /** The full collection; null when there is none (default: V8's, reached on first use). */
  collect?: (() => void) | null;
}

export class HeapBudget {
  #threshold: number;
  #collect: (() => void) | null | undefined;
  readonly #next: (liveBytes: number) => number;
  readonly #heapUsed: () => number;

  constructor(o: HeapBudgetOptions = {}) {
    const budget = o.budget ?? BUDGET_BYTES;
    this.#threshold = budget;
    this.#next = o.next ?? ((live) => live + budget);
    this.#heapUsed = o.heapUsed ?? (() => getHeapStatistics().used_heap_size);
    this.#collect = o.collect;
  }

  /** Runs a full collection when the heap has grown past the threshold (true when it did); cheap after every batch. */
  check(): boolean {
    if (this.#heapUsed() < this.#threshold) return false;
    if (this.#collect === undefined) this.#collect = v8Collector();
    if (!this.#collect) return false;
    this.#collect();
    this.#threshold = this.#next(this.#heapUsed());
    return true;
  }
}

const processHeap = new HeapBudget();

/** The process's budget, checked between batches by sweeps and extracts. */
export function keepHeapInBudget(): boolean {
  return processHeap.check();
}
