// An aggregate extract: group_by + measures computed in the source (one GROUP BY), cells from fewer than k subjects
// suppressed and marked, and a totals row that cannot give a suppressed cell back (cell-suppression.ts). Group
// columns with a ladder are generalized as little as the suppression limit allows (the same lattice search as
// record-level extracts, judged by the share of rows that fall into suppressed cells).
//
// The totals row is computed from the cells, so it costs no second pass over the source: count, sum, avg, min and
// max add up across cells. A distinct count does not (one user is in many months); the totals row gives it only
// when it counts the subject column and subjects are unique per row, and leaves it empty otherwise.
import { SystemError } from '../errors.ts';
import { suppressCells, type SuppressionReason } from './cell-suppression.ts';
import { MAX_CELLS } from './aggregate-limits.ts';
import { ExactSum, exactSum } from './exact-sum.ts';
import { compareValues } from './cell-order.ts';
import { height, labelOf, stepName } from './ladder.ts';
import { precisionLoss, searchLattice, type Levels } from './lattice.ts';
import { latticeOf, type AggregatePlan } from './plan.ts';
import type { ColumnLevel, ExtractOutcome, SearchSummary } from './record.ts';
import { allowedSuppression, type PrivacyTarget } from './risk.ts';
import type { AggregateSource, Cell, CellSummary } from './source.ts';
import type { ExtractFile } from './writer.ts';

/** The marker column of the output: true on suppressed cells. */
export const SUPPRESSED_COLUMN = 'suppressed';
/** What group columns say on the totals row. */
export const TOTAL_LABEL = '*';

export interface AggregateNode {
  levels: ColumnLevel[];
  loss: number;
  summary: CellSummary;
  qualifies: boolean;
}

/** A suppressed cell as the report names it: its group values and why, never its counts (the report may travel with the data). */
export interface SuppressedCell {
  /** Group values as written. */
  group: Record<string, unknown>;
  reason: SuppressionReason;
}

export interface AggregateRisk {
  rowsIn: number;
  cells: number;
  cellsPublished: number;
  cellsSuppressedPrimary: number;
  cellsSuppressedSecondary: number;
  /** Rows of the source in suppressed cells. */
  rowsSuppressed: number;
  /** Fewest subjects behind a published cell (0 when none is published). */
  smallestPublishedCell: number;
  totalsSuppressed: boolean;
  suppressedCells: SuppressedCell[];
  /** Published cells by their number of subjects (suppressed cells are counted above, never sized). */
  cellSizes: Array<{ subjects: number; cells: number }>;
}

export type AggregateOutcome = ExtractOutcome<AggregateNode, AggregateRisk>;

export async function runAggregateExtract(
  plan: AggregatePlan,
  source: AggregateSource,
  target: PrivacyTarget,
  open: (columns: string[]) => Promise<ExtractFile>,
  where: { system: string; table: string },
): Promise<AggregateOutcome> {
  const t0 = performance.now();
  const lattice = latticeOf(plan.groups);
  const loss = precisionLoss(lattice.max);
  const judged = (levels: Levels, summary: CellSummary): AggregateNode => ({
    levels: columnLevels(plan, levels),
    loss: loss(levels),
    summary,
    qualifies: summary.smallRows <= allowedSuppression(summary.rows, target.maxSuppression),
  });

  let levels: Levels = lattice.max.map((_, i) => lattice.min[i]);
  let search: SearchSummary = { nodes: 1, evaluated: 0, exhaustive: true, method: 'none: no group_by column has a generalize ladder' };
  if (lattice.max.some((m, i) => m > lattice.min[i])) {
    const outcome = await searchLattice<CellSummary>(lattice, {
      evaluate: (l) => source.cellSummary(l, target.k),
      qualifies: (s) => s.smallRows <= allowedSuppression(s.rows, target.maxSuppression),
      prefer: (a, b) => a.smallRows - b.smallRows,
      loss,
    });
    search = {
      nodes: outcome.nodes,
      evaluated: outcome.evaluated.length,
      exhaustive: outcome.exhaustive,
      method: outcome.exhaustive
        ? `exact: Flash-style search with pruning (${outcome.evaluated.length} of ${outcome.nodes} nodes evaluated)`
        : `best effort: the evaluation budget ran out after ${outcome.evaluated.length} of ${outcome.nodes} nodes`,
    };
    if (!outcome.best) return { ok: false, closest: judged(outcome.top.levels, outcome.top.result), search };
    levels = outcome.best.levels;
  }

  const t1 = performance.now();
  const cells = await collectCells(source, levels, where);
  const summary = summarize(cells, target.k);
  const node = judged(levels, summary);
  if (!node.qualifies) return { ok: false, closest: node, search };

  const subjectsIn = plan.subjectsDisjoint
    ? async (chosen: readonly Cell[], limit: number) => Math.min(limit, chosen.reduce((n, c) => n + c.subjects, 0))
    : (chosen: readonly Cell[], limit: number) => source.subjectsIn(levels, chosen, limit);
  const { suppressed, totalsSuppressed } = await suppressCells(cells, target.k, subjectsIn);

  const columns = [...plan.def.groupBy, ...plan.measures.map((m) => m.name), SUPPRESSED_COLUMN];
  const file = await open(columns);
  try {
    const steps = plan.groups.map((g, i) => g.steps[levels[i]]);
    const labels = (cell: Cell) => cell.keys.map((k, i) => labelOf(steps[i], k));
    const rows = cells.map((cell, i) => (suppressed.has(i) ? [...labels(cell), ...plan.measures.map(() => null), true] : [...labels(cell), ...measureValues(plan, cell.values), false]));
    const totals = totalsRow(plan, cells);
    rows.push([...plan.groups.map(() => TOTAL_LABEL), ...(totalsSuppressed ? plan.measures.map(() => null) : totals), totalsSuppressed]);
    await file.write(rows);
    const risk = aggregateRisk(plan, cells, suppressed, totalsSuppressed, labels);
    const finished = await file.finish();
    return { ok: true, node, search, risk, rowsWritten: rows.length, file: finished, ms: { search: t1 - t0, write: performance.now() - t1 } };
  } catch (err) {
    await file.abort();
    throw err;
  }
}

async function collectCells(source: AggregateSource, levels: Levels, where: { system: string; table: string }): Promise<Cell[]> {
  const cells: Cell[] = [];
  for await (const chunk of source.cells(levels)) {
    for (const c of chunk) cells.push(c);
    if (cells.length > MAX_CELLS) {
      throw new SystemError(where.system, where.table, `the aggregate has more than ${MAX_CELLS.toLocaleString('en-US')} cells: generalize its group_by columns (a ladder under columns:) or group by fewer`);
    }
  }
  return cells;
}

function summarize(cells: readonly Cell[], k: number): CellSummary {
  const s: CellSummary = { rows: 0, cells: cells.length, smallRows: 0, smallCells: 0 };
  for (const c of cells) {
    s.rows += c.rows;
    if (c.subjects < k) {
      s.smallRows += c.rows;
      s.smallCells++;
    }
  }
  return s;
}

/** A cell's measures as written: avg divided out of its sum and count. */
function measureValues(plan: AggregatePlan, values: readonly unknown[]): unknown[] {
  return plan.measures.map((m, i) => {
    if (m.fn !== 'avg') return values[i];
    const [sum, n] = values[i] as [unknown, number];
    const exact = new ExactSum();
    exact.add(sum);
    return exact.average(Number(n));
  });
}

/** The totals of the whole population (the union of the cells), from the cells. */
function totalsRow(plan: AggregatePlan, cells: readonly Cell[]): unknown[] {
  return plan.measures.map((m, i) => {
    const values = cells.map((c) => c.values[i]);
    switch (m.fn) {
      case 'count':
        return values.reduce((n: number, v) => n + Number(v), 0);
      case 'count_distinct':
        return m.column === plan.subject.column && plan.subjectsDisjoint ? cells.reduce((n, c) => n + c.subjects, 0) : null;
      case 'sum':
        return exactSum(values);
      case 'avg': {
        const sum = new ExactSum();
        let n = 0;
        for (const v of values) {
          const [s, c] = v as [unknown, number];
          if (Number(c)) (sum.add(s), (n += Number(c)));
        }
        return sum.average(n);
      }
      case 'min':
      case 'max': {
        const compare = plan.untyped ? compareValues : compareTyped;
        let best: unknown = null;
        for (const v of values) {
          if (v === null || v === undefined) continue;
          const better = best === null || (m.fn === 'min' ? compare(v, best) < 0 : compare(v, best) > 0);
          if (better) best = v;
        }
        return best;
      }
    }
  });
}

/** As SQL orders a typed column: numbers by value, text byte for byte. */
function compareTyped(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

function aggregateRisk(
  plan: AggregatePlan,
  cells: readonly Cell[],
  suppressed: ReadonlyMap<number, SuppressionReason>,
  totalsSuppressed: boolean,
  labels: (cell: Cell) => unknown[],
): AggregateRisk {
  const published = cells.filter((_, i) => !suppressed.has(i));
  const sizes = new Map<number, { subjects: number; cells: number }>();
  for (const c of published) {
    const entry = sizes.get(c.subjects) ?? { subjects: c.subjects, cells: 0 };
    entry.cells++;
    sizes.set(c.subjects, entry);
  }
  const reasons = [...suppressed.values()];
  return {
    rowsIn: cells.reduce((n, c) => n + c.rows, 0),
    cells: cells.length,
    cellsPublished: published.length,
    cellsSuppressedPrimary: reasons.filter((r) => r === 'primary').length,
    cellsSuppressedSecondary: reasons.filter((r) => r === 'secondary').length,
    rowsSuppressed: [...suppressed.keys()].reduce((n, i) => n + cells[i].rows, 0),
    smallestPublishedCell: published.length ? published.reduce((m, c) => Math.min(m, c.subjects), Infinity) : 0,
    totalsSuppressed,
    suppressedCells: [...suppressed].map(([i, reason]) => {
      const values = labels(cells[i]);
      return { group: Object.fromEntries(plan.def.groupBy.map((g, j) => [g, values[j]])), reason };
    }),
    cellSizes: [...sizes.values()].sort((a, b) => a.subjects - b.subjects),
  };
}

function columnLevels(plan: AggregatePlan, levels: Levels): ColumnLevel[] {
  return plan.groups.map((g, i) => ({
    column: g.column,
    level: levels[i],
    step: stepName(g.steps[levels[i]]),
    height: height(g),
    loss: height(g) ? levels[i] / height(g) : 0,
  }));
}
