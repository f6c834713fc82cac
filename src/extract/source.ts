// Where an extract's numbers come from. SQL systems answer every question with a GROUP BY in the database
// (sql-source.ts): rows never stream into the process for the search, only class counts do. Files have no query
// engine, so the same questions are answered by streaming the file (file-source.ts).
import type { FrequencyLayout } from './frequency-set.ts';
import type { Levels } from './lattice.ts';

/**
 * `classes` equivalence classes of `size` rows of `subjects` distinct subjects, whose sensitive columns show
 * `distinct[i]` distinct values. k and l are judged by subjects: one person's seven rows are a class of one.
 */
export interface ClassCount {
  size: number;
  subjects: number;
  distinct: number[];
  classes: number;
  /** Set when the classes were suppressed (written ones: false); else judged by k and l. */
  suppressed?: boolean;
}

/** A row as the extract writes it: the quasi values (generalized, canonical) then the other output columns (raw). */
export type OutputRow = unknown[];

export interface RecordSource {
  /** rows() gives each class's rows together (SQL: ordered by class), so a class can be checked as it ends. */
  readonly ordered: boolean;
  /** True when rows() may already stream while failingClasses() is read (SQLite: one statement at a time). */
  readonly concurrentReads: boolean;
  /**
   * The search's one read: the rows grouped at the lowest levels `min` (frequency-set.ts), in the layout given.
   * The search stops reading (return()) once the set passes its bound.
   */
  frequencyRows(min: Levels): { layout: FrequencyLayout; rows: AsyncIterable<unknown[][]> };
  /** The class-size histogram at a lattice node, from the source itself (when the frequency set is too large). */
  classCounts(levels: Levels): Promise<ClassCount[]>;
  /** The classes to suppress at `levels` (fewer than `k` rows, or fewer than `l` distinct values of a sensitive column), as classKey()s. */
  failingClasses(levels: Levels, k: number, l: number | undefined): AsyncIterable<string[]>;
  /**
   * The output rows at `levels`, each [quasi..., others..., subject]: the last value names the row's subject (equal for
   * one subject's rows). Never in the source's order, which may betray a row: SQL orders by class, then by a per-run
   * shuffle of the subjects; files are shuffled whole.
   */
  rows(levels: Levels): AsyncIterable<OutputRow[]>;
}

/** One cell of an aggregate: its generalized group values, its subjects and rows, and its raw measure parts. */
export interface Cell {
  keys: unknown[];
  subjects: number;
  rows: number;
  /** Per measure: count, count_distinct, sum, min, max as computed; avg as [sum, count]. */
  values: unknown[];
}

export interface CellSummary {
  rows: number;
  cells: number;
  /** Rows in cells of fewer than k subjects. */
  smallRows: number;
  smallCells: number;
}

export interface AggregateSource {
  /** How many rows would sit in cells under k at `levels`: what the search judges a node by. */
  cellSummary(levels: Levels, k: number): Promise<CellSummary>;
  /** Every cell at `levels`, ordered by its group values. */
  cells(levels: Levels): AsyncIterable<Cell[]>;
  /** Distinct subjects across the given cells, counted up to `limit` (enough to know whether they reach k). */
  subjectsIn(levels: Levels, cells: readonly Cell[], limit: number): Promise<number>;
  /**
   * Differential privacy's input: per cell (raw group values), the contributions left once each subject is bounded to
   * `maxCells` cells (chosen by a shuffle keyed by `salt`, per subject) and one contribution per cell. Rows without a
   * subject are left out: their contribution could not be bounded. These are true values: they never leave the process.
   */
  boundedCells(bound: ContributionBound): Promise<BoundedCell[]>;
}

export interface ContributionBound {
  maxCells: number;
  salt: string;
  /** Per bounded column: a subject's total in a cell, clamped to [lo, hi], in whole multiples of `resolution` (rounded). */
  sums: Array<{ column: string; lo: number; hi: number; resolution: number }>;
}

export interface BoundedCell {
  keys: unknown[];
  /** Subjects contributing to the cell. */
  count: bigint;
  /** Per bounded column, the sum of the subjects' clamped totals, in units of its resolution. */
  sums: bigint[];
}

/** An integer SQL value (bigint, numeric text such as `120` or `120.0`, a number) as a BigInt. */
export function wholeNumber(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.round(v));
  const text = String(v).trim();
  const m = /^(-?\d+)(?:\.0*)?$/.exec(text);
  if (!m) throw new TypeError(`not a whole number: ${text.length > 40 ? text.slice(0, 40) + '...' : text}`);
  return BigInt(m[1]);
}

/** One text per class, the same for a class whichever query met it. */
export function classKey(values: readonly unknown[]): string {
  return JSON.stringify(values);
}
