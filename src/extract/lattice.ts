// The generalization lattice (one level per quasi column) and its search for the qualifying node of least
// information loss, pruned as ARX's Flash does. Pure: the caller evaluates a node (one GROUP BY in SQL).
//
// Monotonicity (Flash's premise): generalizing merges whole equivalence classes, so a class that was at least k rows
// and l-diverse stays so, and suppressed rows never grow. Hence if a node qualifies, every generalization of it does;
// if it fails, every specialization fails. Loss grows strictly with every level, so the best node is a minimal
// qualifying one, and nodes lossier than the best found so far need no evaluation at all (equally lossy ones are
// evaluated, so that ties are broken by `prefer` and not by the order of the search).
//
// The search: the most general node first (if it fails, nothing qualifies: its result is the closest there is).
// Then each column's floor: with every other column at its top, the lowest level of this column that still
// qualifies (binary search); a failure there fails every node with the column at that level or below, so one
// GROUP BY can rule out a quarter of the lattice (a raw timestamp, say). Then, taking unresolved nodes in order of
// loss, a path upward from each (the cheapest unresolved successor at every step) is binary-searched for its
// lowest qualifying node, and each answer resolves that node's whole up-set (pass) or down-set (fail). The result is
// exact; only a spent evaluation budget makes it a best effort, and then says so.

export type Levels = readonly number[];

export interface LatticeSpec {
  /** Lowest level each column may take (0 = raw; 1 for a column whose raw value must never leave). */
  min: readonly number[];
  /** Highest level of each column (the ladder's length). */
  max: readonly number[];
}

export interface Evaluated<R> {
  levels: Levels;
  result: R;
  qualifies: boolean;
}

export interface SearchOutcome<R> {
  /** The qualifying node of least loss (ties: `prefer`, then the lowest levels in column order); undefined when even the most general node fails. */
  best?: Evaluated<R>;
  /** The most general node, always evaluated: the closest there is when nothing qualifies. */
  top: Evaluated<R>;
  /** Every node evaluated, in order. */
  evaluated: Evaluated<R>[];
  /** Nodes in the lattice. */
  nodes: number;
  /** False when the evaluation budget ran out before the search was complete: `best` qualifies but may not be the least lossy. */
  exhaustive: boolean;
}

export interface SearchOptions<R> {
  evaluate(levels: Levels): Promise<R>;
  qualifies(result: R): boolean;
  loss(levels: Levels): number;
  /** Between qualifying nodes of equal loss: negative when `a` is better (e.g. fewer rows suppressed). Last resort: column order. */
  prefer?(a: R, b: R): number;
  /** Most nodes to evaluate (each is a GROUP BY over the source). */
  budget?: number;
}

/** Lattices larger than this are refused: shorten the ladders or use fewer quasi columns. */
export const MAX_LATTICE_NODES = 250_000;
export const DEFAULT_BUDGET = 100;
const EPSILON = 1e-12;

export function latticeSize(spec: LatticeSpec): number {
  return spec.max.reduce((n, max, i) => n * (max - spec.min[i] + 1), 1);
}

/** Information loss of a node: the average over generalizable columns of level / ladder length (0 = raw, 1 = `*`). */
export function precisionLoss(max: readonly number[]): (levels: Levels) => number {
  const columns = max.map((m, i) => i).filter((i) => max[i] > 0);
  return (levels) => (columns.length ? columns.reduce((sum, i) => sum + levels[i] / max[i], 0) / columns.length : 0);
}

export async function searchLattice<R>(spec: LatticeSpec, opts: SearchOptions<R>): Promise<SearchOutcome<R>> {
  const lattice = new Lattice(spec);
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const evaluated: Evaluated<R>[] = [];
  const status = new Int8Array(lattice.size); // 0 unknown, 1 qualifies, -1 fails
  const loss = Float64Array.from({ length: lattice.size }, (_, i) => opts.loss(lattice.levels(i)));

  const evaluate = async (index: number): Promise<Evaluated<R>> => {
    const levels = lattice.levels(index);
    const result = await opts.evaluate(levels);
    const node = { levels, result, qualifies: opts.qualifies(result) };
    evaluated.push(node);
    if (node.qualifies) lattice.forEachAbove(index, (j) => (status[j] = 1));
    else lattice.forEachBelow(index, (j) => (status[j] = -1));
    return node;
  };

  const top = await evaluate(lattice.size - 1);
  if (!top.qualifies) return { top, evaluated, nodes: lattice.size, exhaustive: true };
  let best = top;
  let bestIndex = lattice.size - 1;
  let bestLoss = loss[bestIndex];
  const better = (node: Evaluated<R>, index: number): boolean => {
    if (loss[index] < bestLoss - EPSILON) return true;
    if (loss[index] > bestLoss + EPSILON) return false;
    const preferred = opts.prefer?.(node.result, best.result) ?? 0;
    return preferred < 0 || (preferred === 0 && index < bestIndex);
  };
  const order = Array.from({ length: lattice.size }, (_, i) => i).sort((a, b) => loss[a] - loss[b] || a - b);
  /**
   * Binary search along a chain of ever more generalized nodes for the first that qualifies, keeping the best seen;
   * `skipKnown` steers by what earlier evaluations implied instead of evaluating. False when the budget ran out.
   */
  const bisect = async (chain: readonly number[], skipKnown: boolean): Promise<boolean> => {
    let lo = 0;
    let hi = chain.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = chain[mid];
      if (skipKnown && status[at] !== 0) {
        if (status[at] > 0) hi = mid - 1;
        else lo = mid + 1;
        continue;
      }
      if (evaluated.length >= budget) return false;
      const node = await evaluate(at);
      if (node.qualifies) {
        if (better(node, at)) {
          best = node;
          bestIndex = at;
          bestLoss = loss[at];
        }
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return true;
  };

  // Column floors. Nodes found qualifying here are lossy (every other column at the top) but may still be the best.
  for (let column = 0; column < spec.max.length; column++) {
    const chain = Array.from({ length: spec.max[column] - spec.min[column] }, (_, i) => lattice.index(spec.max.map((m, c) => (c === column ? spec.min[column] + i : m))));
    if (!(await bisect(chain, true))) return { best, top, evaluated, nodes: lattice.size, exhaustive: false };
  }

  for (const start of order) {
    if (loss[start] > bestLoss + EPSILON) break;
    if (status[start] !== 0) continue;
    const path = [start];
    for (let at = start; ; ) {
      let next = -1;
      for (const j of lattice.successors(at)) {
        if (status[j] === 0 && loss[j] <= bestLoss + EPSILON && (next < 0 || loss[j] < loss[next] || (loss[j] === loss[next] && j < next))) next = j;
      }
      if (next < 0) break;
      path.push(next);
      at = next;
    }
    if (!(await bisect(path, false))) return { best, top, evaluated, nodes: lattice.size, exhaustive: false };
  }
  return { best, top, evaluated, nodes: lattice.size, exhaustive: true };
}

/** Nodes as mixed-radix indices: column 0 varies slowest, so index order is lexicographic order of levels. */
class Lattice {
  readonly size: number;
  readonly #min: readonly number[];
  readonly #max: readonly number[];
  readonly #stride: number[];

  constructor(spec: LatticeSpec) {
    this.#min = spec.min;
    this.#max = spec.max;
    this.size = latticeSize(spec);
    if (this.size > MAX_LATTICE_NODES) throw new RangeError(`the generalization lattice has ${this.size} nodes (at most ${MAX_LATTICE_NODES})`);
    this.#stride = new Array(spec.max.length).fill(1);
    for (let i = spec.max.length - 2; i >= 0; i--) this.#stride[i] = this.#stride[i + 1] * (spec.max[i + 1] - spec.min[i + 1] + 1);
  }

  levels(index: number): number[] {
    return this.#stride.map((s, i) => this.#min[i] + (Math.floor(index / s) % (this.#max[i] - this.#min[i] + 1)));
  }

  index(levels: Levels): number {
    return levels.reduce((sum, l, i) => sum + (l - this.#min[i]) * this.#stride[i], 0);
  }

  successors(index: number): number[] {
    const levels = this.levels(index);
    return levels.flatMap((l, i) => (l < this.#max[i] ? [index + this.#stride[i]] : []));
  }

  forEachAbove(index: number, fn: (j: number) => void): void {
    const levels = this.levels(index);
    this.#box(levels, this.#max, fn);
  }

  forEachBelow(index: number, fn: (j: number) => void): void {
    const levels = this.levels(index);
    this.#box(this.#min, levels, fn);
  }

  /** Every node whose levels lie within [lo, hi] column by column. */
  #box(lo: readonly number[], hi: readonly number[], fn: (j: number) => void): void {
    const current = [...lo];
    const dims = lo.length;
    if (dims === 0) return fn(0);
    for (;;) {
      fn(this.index(current));
      let d = dims - 1;
      while (d >= 0 && current[d] === hi[d]) {
        current[d] = lo[d];
        d--;
      }
      if (d < 0) return;
      current[d]++;
    }
  }
}
