// A record-level extract: find the least lossy generalization that is k-anonymous and l-diverse within the
// suppression limit, then stream the rows out generalized, pseudonymized, and without the suppressed classes.
import { HeapBudget } from '../heap-budget.ts';
import { height, labelOf, stepName } from './ladder.ts';
import { textOf } from './generalize-value.ts';
import { outputValue } from './output-value.ts';
import { precisionLoss, type Levels } from './lattice.ts';
import { latticeOf, type RecordPlan } from './plan.ts';
import type { Pseudonymizer } from './pseudonym.ts';
import { PseudonymPool } from './pseudonym-pool.ts';
import type { GlobalDistribution } from './privacy-model.ts';
import { searchRecords, searchMethod, type FrequencyReport } from './record-search.ts';
import { judge, recordRisk, type NodeJudgement, type PrivacyTarget, type RecordRisk } from './risk.ts';
import type { ClassCount, RecordSource } from './source.ts';
import type { ExtractFile, WrittenFile } from './writer.ts';
import { WrittenClasses } from './written-classes.ts';

/** Heap in use before a full collection between chunks: two chunks and the worker's replies live at once. */
const HEAP_BUDGET_BYTES = 64 * 1024 * 1024;
/** Rows from which pseudonyms are computed by a worker thread (starting one costs tens of milliseconds). */
const OFF_THREAD_ROWS = 20_000;

export interface ColumnLevel {
  column: string;
  level: number;
  /** The step written at that level (`raw` for level 0). */
  step: string;
  height: number;
  /** level / height: 0 raw, 1 fully generalized. */
  loss: number;
}

export interface SearchSummary {
  /** Nodes in the lattice. */
  nodes: number;
  /** Nodes evaluated (in memory, or one GROUP BY each: see frequencies). */
  evaluated: number;
  exhaustive: boolean;
  method: string;
  /** Record-level: how the search read its numbers. */
  frequencies?: FrequencyReport;
}

export interface RecordExtractOptions {
  /** Base groups the search may hold in memory (record-search.ts). */
  frequencyBound?: number;
}

/** Where the time went: the lattice search (GROUP BYs) and writing the rows out. */
export interface PhaseTimes {
  search: number;
  write: number;
}

export interface NodeReport {
  levels: ColumnLevel[];
  /** Average loss over generalizable columns. */
  loss: number;
  judgement: NodeJudgement;
}

/** An extract's result: the node written, or the closest one when none qualifies (nothing is written then). */
export type ExtractOutcome<Node, Risk> =
  | { ok: true; node: Node; search: SearchSummary; risk: Risk; rowsWritten: number; file: WrittenFile; ms: PhaseTimes }
  | { ok: false; closest: Node; search: SearchSummary };

export type RecordOutcome = ExtractOutcome<NodeReport, RecordRisk>;

/** Runs the search; `open` creates the output file only once a node qualifies. */
export async function runRecordExtract(
  plan: RecordPlan,
  source: RecordSource,
  target: PrivacyTarget,
  pseudonym: Pseudonymizer,
  open: (columns: string[]) => Promise<ExtractFile>,
  opts: RecordExtractOptions = {},
): Promise<RecordOutcome> {
  const hashing = new Hashing(pseudonym, plan.output.some((o) => o.role === 'pseudonym'));
  try {
    return await searchAndWrite(plan, source, target, hashing, open, opts);
  } finally {
    await hashing.close();
  }
}

/**
 * Where pseudonyms are computed: by a worker thread for a large extract, started as soon as the first count tells
 * the table's size (it loads while the rest of the search waits on the database), else on this thread.
 */
class Hashing {
  pool: PseudonymPool | undefined;

  constructor(
    readonly pseudonym: Pseudonymizer,
    readonly needed: boolean,
  ) {}

  sized(rows: number): void {
    if (!this.pool && this.needed && rows >= OFF_THREAD_ROWS) this.pool = new PseudonymPool(this.pseudonym);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

async function searchAndWrite(
  plan: RecordPlan,
  source: RecordSource,
  target: PrivacyTarget,
  hashing: Hashing,
  open: (columns: string[]) => Promise<ExtractFile>,
  opts: RecordExtractOptions,
): Promise<RecordOutcome> {
  const t0 = performance.now();
  const lattice = latticeOf(plan.quasi);
  const loss = precisionLoss(lattice.max);
  const found = await searchRecords(plan, source, target, lattice, loss, { bound: opts.frequencyBound, sized: (rows) => hashing.sized(rows) });
  const search: SearchSummary = {
    nodes: found.nodes,
    evaluated: found.evaluated,
    exhaustive: found.exhaustive,
    method: searchMethod(found, plan),
    frequencies: found.frequencies,
  };
  const report = (levels: Levels, counts: ClassCount[]): NodeReport => ({ levels: columnLevels(plan, levels), loss: loss(levels), judgement: judge(counts, target) });
  if (!found.best) return { ok: false, closest: report(found.top.levels, found.top.counts), search };

  const { levels, counts } = found.best;
  const node = report(levels, counts);
  // Where the source allows, the output query starts first, so that the database sorts the rows by class while the
  // failing classes are listed.
  const early = source.concurrentReads ? started(source.rows(levels)) : undefined;
  const failing = new Set<string>();
  try {
    if (node.judgement.suppressedClasses > 0) {
      for await (const keys of found.best.failing()) for (const key of keys) failing.add(key);
    }
  } catch (err) {
    await early?.return().catch(() => undefined);
    throw err;
  }
  const output = early ?? started(source.rows(levels));
  const t1 = performance.now();
  const file = await open(plan.output.map((o) => o.name)).catch(async (err: unknown) => {
    await output.return().catch(() => undefined);
    throw err;
  });
  try {
    const written = await writeRows(plan, output, source.ordered, levels, target, failing, hashing, file, found.distributions);
    // The report describes what was written; the risk before suppression comes from the search's counts.
    const risk = recordRisk(written.classes, target);
    risk.beforeSuppression = recordRisk(counts, target).beforeSuppression;
    risk.utility.nonUniformEntropy = found.best.nonUniformEntropy ?? null;
    const finished = await file.finish();
    return { ok: true, node, search, risk, rowsWritten: written.rows, file: finished, ms: { search: t1 - t0, write: performance.now() - t1 } };
  } catch (err) {
    await output.return().catch(() => undefined); // closed already unless the failure came before the first row
    await file.abort();
    throw err;
  }
}

/** The iterator of `rows` with its first chunk already asked for (the query runs from now on). */
function started<T>(rows: AsyncIterable<T>): AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> } {
  const it = rows[Symbol.asyncIterator]();
  const first = it.next();
  first.catch(() => undefined); // consumed (or closed) by the caller; meanwhile not unhandled
  let pending: Promise<IteratorResult<T>> | undefined = first;
  return {
    next() {
      const next = pending ?? it.next();
      pending = undefined;
      return next;
    },
    async return() {
      await pending?.catch(() => undefined);
      pending = undefined;
      return (await it.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function writeRows(
  plan: RecordPlan,
  chunks: AsyncIterable<readonly (readonly unknown[])[]>,
  ordered: boolean,
  levels: Levels,
  target: PrivacyTarget,
  failing: ReadonlySet<string>,
  { pseudonym, pool }: Hashing,
  file: ExtractFile,
  distributions: GlobalDistribution[] | undefined,
): Promise<{ rows: number; classes: ClassCount[] }> {
  const q = plan.quasi.length;
  const others = plan.output.filter((o) => o.role !== 'quasi');
  const sensitiveAt = others.flatMap((o, j) => (o.role === 'sensitive' ? [q + j] : []));
  const pseudonymAt = others.flatMap((o, j) => (o.role === 'pseudonym' ? [q + j] : []));
  const steps = plan.quasi.map((ladder, i) => ladder.steps[levels[i]]);
  // Each output column as a function of the source row [quasi..., others...] (and of the chunk's pseudonyms, when
  // the worker computed them: row r's p-th pseudonym column at r * pseudonymAt.length + p).
  type Cell = (row: readonly unknown[], hashes: ReadonlyArray<string | null> | undefined, r: number) => unknown;
  const cells = plan.output.map((o): Cell => {
    if (o.role === 'quasi') {
      const i = o.quasi!;
      return (row) => labelOf(steps[i], row[i]);
    }
    const at = q + others.indexOf(o);
    if (o.role === 'pseudonym') {
      const p = pseudonymAt.indexOf(at);
      return (row, hashes, r) => (hashes ? hashes[r * pseudonymAt.length + p] : pseudonym(row[at]));
    }
    return (row) => outputValue(o.family, row[at]);
  });
  const keys = plan.sensitive.map((s) => (v: unknown) => textOf(outputValue(s.family, v)));
  const classes = new WrittenClasses(target, sensitiveAt.length, failing, ordered, { distributions, keys });
  // Sources give each row's subject last, after the output columns (see RecordSource.rows).
  const subjectAt = plan.subject.unique ? -1 : q + others.length;
  let rows = 0;
  const heap = new HeapBudget({ budget: HEAP_BUDGET_BYTES });
  const emit = async (chunk: Chunk) => {
    const hashes = await chunk.hashes;
    const out: unknown[][] = new Array(chunk.rows.length);
    for (let r = 0; r < chunk.rows.length; r++) {
      const values = new Array(cells.length);
      for (let i = 0; i < cells.length; i++) values[i] = cells[i](chunk.rows[r], hashes, r);
      out[r] = values;
    }
    rows += out.length;
    await file.write(out);
    heap.check();
  };
  interface Chunk {
    rows: readonly (readonly unknown[])[];
    hashes?: Promise<Array<string | null>>;
  }
  // The worker hashes one chunk while the previous one is encoded and written.
  let pending: Chunk | undefined;
  for await (const chunk of chunks) {
    const admitted: (readonly unknown[])[] = [];
    const values: unknown[] = [];
    for (const row of chunk) {
      if (!classes.admit(row, q, sensitiveAt, subjectAt)) continue;
      admitted.push(row);
      if (pool) for (const at of pseudonymAt) values.push(row[at]);
    }
    const next: Chunk = { rows: admitted, hashes: pool?.pseudonyms(values) };
    next.hashes?.catch(() => {}); // awaited by emit; a failure meanwhile must not count as unhandled
    if (pending) await emit(pending);
    pending = next;
  }
  if (pending) await emit(pending);
  return { rows, classes: classes.finish() };
}

function columnLevels(plan: RecordPlan, levels: Levels): ColumnLevel[] {
  return plan.quasi.map((ladder, i) => ({
    column: ladder.column,
    level: levels[i],
    step: stepName(ladder.steps[levels[i]]),
    height: height(ladder),
    loss: height(ladder) ? levels[i] / height(ladder) : 0,
  }));
}
