// The extract's questions answered by streaming a file (kind: files has no query engine): each question is one
// pass over the file, holding one entry per class or cell, never the rows. Output rows keep the file's order.
import { createHmac } from 'node:crypto';
import type { Connector, Row } from '../../connectors/connector.ts';
import type { ExtractDef } from '../datamap/types.ts';
import { compareKeys, compareValues, numberOf } from './cell-order.ts';
import { generalizeValue, textOf } from './generalize-value.ts';
import { levelsRead, type FrequencyLayout } from './frequency-set.ts';
import type { Ladder } from './ladder.ts';
import type { Levels } from './lattice.ts';
import type { AggregatePlan, RecordPlan } from './plan.ts';
import { classKey, type AggregateSource, type BoundedCell, type Cell, type CellSummary, type ClassCount, type ContributionBound, type OutputRow, type RecordSource } from './source.ts';
import { ExactSum } from './exact-sum.ts';
import { failsClass } from './risk.ts';
import { shuffledRows } from './shuffle.ts';

const BATCH = 5000;

/** The file's rows that pass `where:` and are not an opted-out subject's. */
export type RowFilter = (row: Row) => boolean;

class FileTable {
  constructor(
    readonly conn: Connector,
    readonly table: string,
    readonly keep: RowFilter,
  ) {}

  async *rows(): AsyncIterable<Row[]> {
    for await (const rows of this.conn.batches(this.table, [], { batchSize: BATCH })) yield rows.filter(this.keep);
  }
}

const generalized = (ladders: readonly Ladder[], levels: Levels, row: Row): unknown[] =>
  ladders.map((ladder, i) => generalizeValue(ladder.steps[levels[i]], row[ladder.column]));

const present = (v: unknown) => v !== null && v !== undefined;

/** The row's subject; an empty cell names nobody, as NULL does. */
const subjectOf = (row: Row, column: string): unknown => (present(row[column]) && row[column] !== '' ? row[column] : null);

export class FileRecordSource implements RecordSource {
  readonly ordered = false;
  readonly concurrentReads = true;
  readonly #t: FileTable;
  readonly #plan: RecordPlan;

  constructor(conn: Connector, table: string, plan: RecordPlan, keep: RowFilter) {
    this.#t = new FileTable(conn, table, keep);
    this.#plan = plan;
  }

  async #classes(levels: Levels): Promise<Map<string, { size: number; subjects: Set<string> | number; values: Set<string>[] }>> {
    const classes = new Map<string, { size: number; subjects: Set<string> | number; values: Set<string>[] }>();
    const sensitive = this.#plan.sensitive;
    const subject = this.#plan.subject;
    for await (const rows of this.#t.rows()) {
      for (const row of rows) {
        const key = classKey(generalized(this.#plan.quasi, levels, row));
        let c = classes.get(key);
        if (!c) classes.set(key, (c = { size: 0, subjects: subject.unique ? 0 : new Set<string>(), values: sensitive.map(() => new Set<string>()) }));
        c.size++;
        if (typeof c.subjects === 'number') c.subjects++;
        else {
          const s = subjectOf(row, subject.column);
          if (s !== null) c.subjects.add(textOf(s));
        }
        sensitive.forEach((s, i) => present(row[s.name]) && c.values[i].add(textOf(row[s.name])));
      }
    }
    return classes;
  }

  /** Ungrouped (a file has no GROUP BY): one base row per file row; the set groups them as they come. */
  frequencyRows(min: Levels): { layout: FrequencyLayout; rows: AsyncIterable<unknown[][]> } {
    const plan = this.#plan;
    const layout: FrequencyLayout = { quasi: plan.quasi, min, subjects: plan.subject.unique ? 'none' : 'keyed', sensitive: plan.sensitive.map(() => ({ distance: 'auto' })) };
    const read = plan.quasi.map((ladder, i) => levelsRead(ladder, min[i]).map((level) => ladder.steps[level]));
    const table = this.#t;
    async function* rows(): AsyncIterable<unknown[][]> {
      for await (const chunk of table.rows()) {
        yield chunk.map((row) => {
          const out: unknown[] = [];
          plan.quasi.forEach((ladder, i) => {
            for (const step of read[i]) out.push(generalizeValue(step, row[ladder.column]));
          });
          if (!plan.subject.unique) {
            const subject = subjectOf(row, plan.subject.column);
            out.push(subject === null ? null : textOf(subject));
          }
          for (const s of plan.sensitive) out.push(present(row[s.name]) ? textOf(row[s.name]) : null);
          out.push(1);
          return out;
        });
      }
    }
    return { layout, rows: rows() };
  }

  async classCounts(levels: Levels): Promise<ClassCount[]> {
    const histogram = new Map<string, ClassCount>();
    for (const c of (await this.#classes(levels)).values()) {
      const distinct = c.values.map((v) => v.size);
      const subjects = typeof c.subjects === 'number' ? c.subjects : c.subjects.size;
      const key = classKey([c.size, subjects, ...distinct]);
      const entry = histogram.get(key);
      if (entry) entry.classes++;
      else histogram.set(key, { size: c.size, subjects, distinct, classes: 1 });
    }
    return [...histogram.values()];
  }

  async *failingClasses(levels: Levels, k: number, l: number | undefined): AsyncIterable<string[]> {
    const failing: string[] = [];
    for (const [key, c] of await this.#classes(levels)) {
      const distinct = c.values.map((v) => v.size);
      const subjects = typeof c.subjects === 'number' ? c.subjects : c.subjects.size;
      if (failsClass({ size: c.size, subjects, distinct, classes: 1 }, { k, l, maxSuppression: 0 })) failing.push(key);
    }
    yield failing;
  }

  /** Rows as [quasi..., others..., subject], shuffled whole: a file's order is its rows' order of arrival. */
  rows(levels: Levels): AsyncIterable<OutputRow[]> {
    return shuffledRows(this.#inFileOrder(levels));
  }

  async *#inFileOrder(levels: Levels): AsyncIterable<OutputRow[]> {
    const others = this.#plan.output.filter((o) => o.role !== 'quasi');
    const subject = this.#plan.subject.column;
    for await (const rows of this.#t.rows()) {
      yield rows.map((row) => [...generalized(this.#plan.quasi, levels, row), ...others.map((o) => row[o.name] ?? null), subjectOf(row, subject)]);
    }
  }
}

interface CellState {
  keys: unknown[];
  rows: number;
  subjects: Set<string>;
  acc: Accumulator[];
}

type Accumulator = { add(v: unknown): void; value(): unknown };

export class FileAggregateSource implements AggregateSource {
  readonly #t: FileTable;
  readonly #plan: AggregatePlan;

  constructor(conn: Connector, table: string, plan: AggregatePlan, keep: RowFilter) {
    this.#t = new FileTable(conn, table, keep);
    this.#plan = plan;
  }

  async #cells(levels: Levels, only?: ReadonlySet<string>): Promise<Map<string, CellState>> {
    const cells = new Map<string, CellState>();
    const plan = this.#plan;
    for await (const rows of this.#t.rows()) {
      for (const row of rows) {
        const keys = generalized(plan.groups, levels, row);
        const key = classKey(keys);
        if (only && !only.has(key)) continue;
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { keys, rows: 0, subjects: new Set(), acc: plan.measures.map((m) => accumulator(m.fn)) }));
        cell.rows++;
        const subject = row[plan.subject.column];
        if (present(subject)) cell.subjects.add(textOf(subject));
        plan.measures.forEach((m, i) => cell.acc[i].add(m.column === undefined ? 1 : row[m.column]));
      }
    }
    return cells;
  }

  async cellSummary(levels: Levels, k: number): Promise<CellSummary> {
    const summary: CellSummary = { rows: 0, cells: 0, smallRows: 0, smallCells: 0 };
    for (const c of (await this.#cells(levels)).values()) {
      summary.cells++;
      summary.rows += c.rows;
      if (c.subjects.size < k) {
        summary.smallCells++;
        summary.smallRows += c.rows;
      }
    }
    return summary;
  }

  async *cells(levels: Levels): AsyncIterable<Cell[]> {
    const cells = [...(await this.#cells(levels)).values()].map((c) => ({ keys: c.keys, subjects: c.subjects.size, rows: c.rows, values: c.acc.map((a) => a.value()) }));
    yield cells.sort((a, b) => compareKeys(a.keys, b.keys));
  }

  async boundedCells(bound: ContributionBound): Promise<BoundedCell[]> {
    const plan = this.#plan;
    const levels = plan.groups.map(() => 0);
    // Per subject, per cell: the raw totals of the bounded columns (SQL: the inner GROUP BY subject, cell).
    const bySubject = new Map<string, Map<string, { keys: unknown[]; totals: Array<number | undefined> }>>();
    for await (const rows of this.#t.rows()) {
      for (const row of rows) {
        const subject = row[plan.subject.column];
        if (!present(subject) || subject === '') continue;
        const s = textOf(subject);
        const keys = generalized(plan.groups, levels, row);
        const key = classKey(keys);
        let cells = bySubject.get(s);
        if (!cells) bySubject.set(s, (cells = new Map()));
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { keys, totals: bound.sums.map(() => undefined) }));
        bound.sums.forEach(({ column }, i) => {
          const n = numberOf(row[column]);
          if (n !== undefined) cell.totals[i] = (cell.totals[i] ?? 0) + n;
        });
      }
    }
    const out = new Map<string, BoundedCell>();
    for (const [subject, cells] of bySubject) {
      // The subject's own shuffle of its cells, keyed by the run's salt, as the SQL sources order them.
      const kept = [...cells].map(([key, cell]) => ({ key, cell, order: createHmac('sha256', bound.salt).update(`${subject}|${key}`).digest('hex') }));
      kept.sort((a, b) => (a.order < b.order ? -1 : 1));
      for (const { key, cell } of kept.slice(0, bound.maxCells)) {
        let acc = out.get(key);
        if (!acc) out.set(key, (acc = { keys: cell.keys, count: 0n, sums: bound.sums.map(() => 0n) }));
        acc.count++;
        bound.sums.forEach(({ lo, hi, resolution }, i) => {
          const t = cell.totals[i];
          if (t === undefined) return;
          // Rounded half away from zero, as SQL round() does.
          const units = Math.min(hi, Math.max(lo, t)) / resolution;
          acc.sums[i] += BigInt(Math.sign(units) * Math.round(Math.abs(units)));
        });
      }
    }
    return [...out.values()].sort((a, b) => compareKeys(a.keys, b.keys));
  }

  async subjectsIn(levels: Levels, cells: readonly Cell[], limit: number): Promise<number> {
    const union = new Set<string>();
    for (const c of (await this.#cells(levels, new Set(cells.map((c) => classKey(c.keys))))).values()) for (const s of c.subjects) union.add(s);
    return Math.min(union.size, limit);
  }
}

/** The running value of a measure over a cell's rows, as its SQL counterpart computes it. */
function accumulator(fn: AggregatePlan['measures'][number]['fn']): Accumulator {
  switch (fn) {
    case 'count': {
      let n = 0;
      return { add: () => void n++, value: () => n };
    }
    case 'count_distinct': {
      const seen = new Set<string>();
      return { add: (v) => void (present(v) && seen.add(textOf(v))), value: () => seen.size };
    }
    case 'sum':
    case 'avg': {
      const sum = new ExactSum();
      return {
        add: (v) => {
          if (numberOf(v) !== undefined) sum.add(typeof v === 'string' ? v.trim() : v);
        },
        value: () => (fn === 'avg' ? [sum.sum(), sum.count] : sum.sum()),
      };
    }
    case 'min':
    case 'max': {
      let best: unknown = null;
      const sign = fn === 'min' ? -1 : 1;
      return {
        add: (v) => {
          if (!present(v) || v === '') return;
          if (best === null || compareValues(v, best) * sign > 0) best = v;
        },
        value: () => (best === null ? null : textOf(best)),
      };
    }
  }
}

/** `where:` on a file's values, compared as text (numbers as numbers when both sides are). */
export function whereFilter(where: ExtractDef['where']): RowFilter {
  const tests = where.map((w): RowFilter => {
    const absent = (v: unknown) => !present(v) || v === '';
    switch (w.op) {
      case 'is null':
        return (r) => absent(r[w.column]);
      case 'is not null':
        return (r) => !absent(r[w.column]);
      case 'in': {
        const values = (Array.isArray(w.value) ? w.value : [w.value]).map(textOf);
        return (r) => !absent(r[w.column]) && values.includes(textOf(r[w.column]));
      }
      default: {
        const op = w.op;
        return (r) => {
          const v = r[w.column];
          if (absent(v) || w.value === null || w.value === undefined) return false;
          const d = compareValues(v, w.value);
          return op === '=' ? d === 0 : op === '!=' ? d !== 0 : op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
        };
      }
    }
  });
  return (row) => tests.every((t) => t(row));
}
