// How a record-level extract's lattice is searched. First choice: read the source once into a frequency set and
// evaluate every node in memory (frequency-set.ts). When the set would pass its bound, either the database answers
// each node (k and distinct-l, which a GROUP BY can judge: exact, one query per node), or, for the models that need
// whole distributions, the column with the most distinct values is read one level coarser and the set read again
// (the search then never considers that column's finer levels, and says so).
import { UsageError } from '../errors.ts';
import { HeapBudget } from '../heap-budget.ts';
import { FrequencySetBuilder, type FrequencySet, type NodeClasses } from './frequency-set.ts';
import { stepName } from './ladder.ts';
import { searchLattice, type LatticeSpec, type Levels, type SearchOutcome } from './lattice.ts';
import type { RecordPlan } from './plan.ts';
import { needsDistribution, type GlobalDistribution } from './privacy-model.ts';
import { judge, type PrivacyTarget } from './risk.ts';
import type { ClassCount, RecordSource } from './source.ts';

/**
 * Base groups the search holds in memory at most. Measured: 500,000 groups (a raw timestamp among the quasi columns)
 * peak at 390-440 MB RSS for the whole extract; past the bound the search goes on in the database.
 */
export const DEFAULT_FREQUENCY_BOUND = 1_000_000;

/** Heap in use before the first collection while the set is read. */
const HEAP_FLOOR_BYTES = 64 * 1024 * 1024;

/** Nodes the in-memory search may evaluate (a GROUP BY each would be 100). */
const MEMORY_BUDGET = 10_000;

export interface FrequencyReport {
  /** `memory`: every node from one read; `database`: one GROUP BY per node; `pre-generalized`: memory, coarser. */
  how: 'memory' | 'database' | 'pre-generalized';
  bound: number;
  /** Groups read into memory (undefined when the database answered every node). */
  groups?: number;
  baseClasses?: number;
  /** Columns read coarser than their ladder allows: the search did not consider their finer levels. */
  preGeneralized: Array<{ column: string; fromLevel: number; toLevel: number }>;
}

export interface FoundNode {
  levels: Levels;
  counts: ClassCount[];
  /** The keys of the classes to suppress at this node. */
  failing(): AsyncIterable<string[]>;
  /** Only from a frequency set. */
  nonUniformEntropy?: { bits: number; normalized: number };
}

export interface RecordSearch {
  best?: FoundNode;
  top: FoundNode;
  nodes: number;
  evaluated: number;
  exhaustive: boolean;
  frequencies: FrequencyReport;
  /** The source's distribution of each sensitive column (t-closeness judges the written classes against it). */
  distributions?: GlobalDistribution[];
}

export interface RecordSearchOptions {
  bound?: number;
  /** Told the source's row count as soon as it is known. */
  sized?(rows: number): void;
}

export async function searchRecords(plan: RecordPlan, source: RecordSource, target: PrivacyTarget, spec: LatticeSpec, loss: (levels: Levels) => number, opts: RecordSearchOptions = {}): Promise<RecordSearch> {
  const bound = opts.bound ?? DEFAULT_FREQUENCY_BOUND;
  const min = [...spec.min];
  const preGeneralized: FrequencyReport['preGeneralized'] = [];
  for (;;) {
    const read = await readFrequencies(source, min, bound);
    if ('set' in read) {
      opts.sized?.(read.set.rows);
      const how = preGeneralized.length ? 'pre-generalized' : 'memory';
      return inMemory(read.set, target, { min, max: spec.max }, loss, { how, bound, groups: read.set.entries, baseClasses: read.set.baseClasses, preGeneralized });
    }
    if (!needsDistribution(target)) return perNode(source, target, spec, loss, opts, { how: 'database', bound, preGeneralized: [] });
    // The column with the most distinct values seen, one level coarser; to its top level only when no other can go.
    const open = read.columnSizes.map((size, i) => ({ size, i })).filter(({ i }) => min[i] < spec.max[i]);
    const below = open.filter(({ i }) => min[i] < spec.max[i] - 1);
    const candidates = below.length ? below : open;
    if (!candidates.length) {
      // Left: one group per (subject, sensitive values); coarser quasi columns cannot merge those.
      throw new UsageError(`more than ${bound} groups even with every quasi column fully generalized (one per subject and sensitive value): raise --memory-groups, or ask for k and distinct-l only`);
    }
    const { i } = candidates.sort((a, b) => b.size - a.size || a.i - b.i)[0];
    const listed = preGeneralized.find((p) => p.column === plan.quasi[i].column);
    if (listed) listed.toLevel = min[i] + 1;
    else preGeneralized.push({ column: plan.quasi[i].column, fromLevel: min[i], toLevel: min[i] + 1 });
    min[i]++;
  }
}

async function readFrequencies(source: RecordSource, min: Levels, bound: number): Promise<{ set: FrequencySet } | { columnSizes: number[] }> {
  const { layout, rows } = source.frequencyRows(min);
  const builder = new FrequencySetBuilder(layout, bound);
  const it = rows[Symbol.asyncIterator]();
  // The streamed rows are garbage as soon as they are added, but V8 lets them pile up beside the growing set: a
  // full collection whenever the heap doubles since the last one keeps the peak near what the set really holds.
  const heap = new HeapBudget({ budget: HEAP_FLOOR_BYTES, next: (live) => Math.max(HEAP_FLOOR_BYTES, 2 * live) });
  try {
    for (;;) {
      const { done, value } = await it.next();
      if (done) break;
      for (const row of value) if (!builder.add(row)) return { columnSizes: builder.columnSizes };
      heap.check();
    }
  } finally {
    await it.return?.();
  }
  return { set: builder.finish() };
}

async function inMemory(set: FrequencySet, target: PrivacyTarget, spec: LatticeSpec, loss: (levels: Levels) => number, frequencies: FrequencyReport): Promise<RecordSearch> {
  const outcome = await searchLattice<NodeClasses>(spec, {
    evaluate: async (levels) => set.evaluate(levels, target),
    qualifies: (node) => judge(node.counts, target).qualifies,
    prefer: (a, b) => judge(a.counts, target).suppressedRows - judge(b.counts, target).suppressedRows,
    loss,
    // A node costs milliseconds here, not a query: far more of the lattice may be walked.
    budget: MEMORY_BUDGET,
  });
  return {
    ...summary(outcome),
    top: foundInMemory(outcome.top.levels, outcome.top.result, false),
    best: outcome.best && foundInMemory(outcome.best.levels, outcome.best.result),
    frequencies,
    distributions: set.distributions,
  };
}

/**
 * Plain results only, made outside inMemory(): a closure made inside it would keep its whole scope, the set (hundreds
 * of MB for millions of groups) with it, alive while the rows stream.
 */
function foundInMemory(levels: Levels, node: NodeClasses, utility = true): FoundNode {
  const keys = node.failingKeys();
  return {
    levels,
    counts: node.counts,
    failing: async function* () {
      yield keys;
    },
    ...(utility ? { nonUniformEntropy: node.nonUniformEntropy() } : {}),
  };
}

async function perNode(source: RecordSource, target: PrivacyTarget, spec: LatticeSpec, loss: (levels: Levels) => number, opts: RecordSearchOptions, frequencies: FrequencyReport): Promise<RecordSearch> {
  const outcome = await searchLattice<ClassCount[]>(spec, {
    evaluate: async (levels) => {
      const counts = await source.classCounts(levels);
      opts.sized?.(counts.reduce((n, c) => n + c.size * c.classes, 0));
      return counts;
    },
    qualifies: (counts) => judge(counts, target).qualifies,
    prefer: (a, b) => judge(a, target).suppressedRows - judge(b, target).suppressedRows,
    loss,
  });
  const found = (levels: Levels, counts: ClassCount[]): FoundNode => ({ levels, counts, failing: () => source.failingClasses(levels, target.k, target.l) });
  return { ...summary(outcome), top: found(outcome.top.levels, outcome.top.result), best: outcome.best && found(outcome.best.levels, outcome.best.result), frequencies };
}

function summary<R>(outcome: SearchOutcome<R>): { nodes: number; evaluated: number; exhaustive: boolean } {
  return { nodes: outcome.nodes, evaluated: outcome.evaluated.length, exhaustive: outcome.exhaustive };
}

/** The sentence the report and the command print about the search. */
export function searchMethod(search: RecordSearch, plan: RecordPlan): string {
  const f = search.frequencies;
  const counted = `${search.evaluated} of ${search.nodes} nodes evaluated`;
  if (!search.exhaustive) return `best effort: the evaluation budget ran out after ${search.evaluated} of ${search.nodes} nodes; a less lossy node may exist`;
  if (f.how === 'database') return `exact: Flash-style search with pruning, one GROUP BY per node (${counted}; the source has more than ${f.bound} groups, too many to hold in memory)`;
  const read = `one read of ${f.groups} groups (${f.baseClasses} base classes)`;
  if (f.how === 'memory') return `exact: Flash-style search with pruning over ${read}, ${counted} in memory`;
  const coarser = f.preGeneralized.map((p) => {
    const steps = plan.quasi.find((q) => q.column === p.column)!.steps;
    return `${p.column} at ${stepName(steps[p.toLevel])} (not ${stepName(steps[p.fromLevel])})`;
  });
  return `pre-generalized: more than ${f.bound} groups at the lowest levels, so the search read ${coarser.join(', ')} and did not consider finer levels; over ${read}, ${counted} in memory`;
}
