// The extract's questions answered in SQL: class and cell counts with GROUP BY (grouped by select-list position,
// so bound values never make two spellings of one expression), the output rows through one streamed SELECT.
import { randomBytes } from 'node:crypto';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Row, SqlConnector, TypeFamily } from '../../connectors/connector.ts';
import { MAX_CELLS } from './aggregate-limits.ts';
import { compareKeys } from './cell-order.ts';
import { levelsRead, type FrequencyLayout } from './frequency-set.ts';
import { textOf } from './generalize-value.ts';
import { canonicalValue, type Ladder } from './ladder.ts';
import { outputValue } from './output-value.ts';
import type { Levels } from './lattice.ts';
import type { AggregatePlan, RecordPlan } from './plan.ts';
import { classKey, wholeNumber, type AggregateSource, type BoundedCell, type Cell, type CellSummary, type ClassCount, type ContributionBound, type OutputRow, type RecordSource } from './source.ts';
import { comparableSql, countingSql, generalizedSql, outputSql } from './sql-generalize.ts';

/** Sensitive columns whose values lie on a line: t-closeness measures their distance along it. */
const ORDERED_FAMILIES: readonly TypeFamily[] = ['integer', 'decimal', 'float', 'date', 'timestamp'];

/**
 * Rows per chunk of a stream. The output streams without round trips (COPY, mysql2's stream), so a chunk's size only
 * sets how much is alive at once: every young collection copies what is alive, and 10,000-row chunks made the output
 * phase ~20% slower than 2,500 (PostgreSQL 250-350k against 340-440k rows/s, MariaDB 285-330k against 360-415k).
 */
const STREAM_CHUNK = 2_500;
/** Cells per statement when counting the subjects of suppressed cells. */
const CELLS_PER_STATEMENT = 200;

interface Generalized {
  /** Position among the ladders. */
  index: number;
  expr: RawBuilder<unknown>;
}

class SqlTable {
  readonly from: RawBuilder<unknown>;
  readonly where: RawBuilder<unknown>;

  constructor(
    readonly c: SqlConnector,
    readonly table: string,
    readonly filter: RawBuilder<SqlBool> | undefined,
    /** Group text byte for byte (record-level) or by the column's collation (aggregates): see generalizedSql. */
    readonly exact: boolean,
  ) {
    this.from = c.tableRef(table);
    this.where = filter ? sql`where ${filter}` : sql``;
  }

  /** The ladders' expressions at `levels`, `*` left out (a constant groups nothing). `counting`: see countingSql. */
  generalized(ladders: readonly Ladder[], levels: Levels, counting = false): Generalized[] {
    return ladders.flatMap((ladder, index) => {
      const expr = (counting ? countingSql : generalizedSql)(this.c, ladder, levels[index], this.exact);
      return expr ? [{ index, expr }] : [];
    });
  }

  stream(query: RawBuilder<Row>): AsyncIterable<Row[]> {
    return this.c.streamRows(query, { chunkSize: STREAM_CHUNK, table: this.table });
  }

  streamValues(query: RawBuilder<Row>): AsyncIterable<unknown[][]> {
    return this.c.streamValues(query, { chunkSize: STREAM_CHUNK, table: this.table });
  }

  /** A small result at once: no cursor, so PostgreSQL may run the GROUP BY in parallel. */
  all(query: RawBuilder<Row>): Promise<Row[]> {
    return this.c.queryRows(query, { table: this.table });
  }

  /** The distinct non-null values of a column (after `where:`), for matching opt-outs. */
  async *distinctValues(column: string): AsyncIterable<unknown[]> {
    const col = sql.id(column);
    const where = this.filter ? sql`where (${this.filter}) and ${col} is not null` : sql`where ${col} is not null`;
    for await (const rows of this.stream(sql<Row>`select distinct ${col} as dsar_v from ${this.from} ${where}`)) yield rows.map((r) => r.dsar_v);
  }
}

/** `group by 1, 2, ...` for the first `n` select-list entries; nothing when n = 0. */
function groupBy(n: number): RawBuilder<unknown> {
  if (!n) return sql``;
  return sql`group by ${sql.join(Array.from({ length: n }, (_, i) => sql.lit(i + 1)))}`;
}

const alias = (prefix: string, i: number) => sql.id(`${prefix}${i}`);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The canonical generalized values of every ladder (`*` for the constant ones) from a row's `dsar_q<i>` columns. */
function canonicalKeys(ladders: readonly Ladder[], levels: Levels, row: Row, prefix: string): unknown[] {
  return ladders.map((ladder, i) => {
    const step = ladder.steps[levels[i]];
    return step.kind === 'star' ? '*' : canonicalValue(step, ladder.family, row[`${prefix}${i}`]);
  });
}

export class SqlRecordSource implements RecordSource {
  readonly ordered = true;
  readonly concurrentReads: boolean;
  readonly #t: SqlTable;
  readonly #plan: RecordPlan;
  readonly #l: number | undefined;

  /** Keys this run's shuffled output order: fresh each run, so that no run's order repeats another's. */
  readonly #salt = randomBytes(16).toString('hex');

  constructor(c: SqlConnector, table: string, plan: RecordPlan, filter: RawBuilder<SqlBool> | undefined) {
    this.#t = new SqlTable(c, table, filter, true);
    this.#plan = plan;
    this.#l = plan.def.privacy.l;
    this.concurrentReads = c.concurrentStatements;
  }

  /** The subject column as compared for counting (case-insensitive text merges subjects: fewer, never more). */
  #subject(): RawBuilder<unknown> {
    return comparableSql(this.#t.c, this.#plan.subject.column, this.#plan.subject.family, false);
  }

  /** Distinct subjects of a group; the row count where every row is its own subject. */
  #subjects(): RawBuilder<unknown> {
    return this.#plan.subject.unique ? sql`count(*)` : sql`count(distinct ${this.#subject()})`;
  }

  distinctValues(column: string): AsyncIterable<unknown[]> {
    return this.#t.distinctValues(column);
  }

  frequencyRows(min: Levels): { layout: FrequencyLayout; rows: AsyncIterable<unknown[][]> } {
    const plan = this.#plan;
    const layout: FrequencyLayout = {
      quasi: plan.quasi,
      min,
      subjects: plan.subject.unique ? 'none' : 'ranked',
      sensitive: plan.sensitive.map((s) => ({ distance: ORDERED_FAMILIES.includes(s.family) ? 'ordered' : 'equal' })),
    };
    return { layout, rows: this.#frequencyRows(layout) };
  }

  async *#frequencyRows(layout: FrequencyLayout): AsyncIterable<unknown[][]> {
    const t = this.#t;
    const plan = this.#plan;
    // Every level a node may take, read with the group: the same expressions the output rows are written with.
    const quasi = plan.quasi.flatMap((ladder, i) => levelsRead(ladder, layout.min[i]).map((level) => ({ ladder, step: ladder.steps[level], expr: generalizedSql(t.c, ladder, level)! })));
    const inner = [
      ...quasi.map((q, i) => sql`${q.expr} as ${alias('dsar_q', i)}`),
      ...(layout.subjects === 'ranked' ? [sql`${this.#subject()} as dsar_sv`] : []),
      ...plan.sensitive.map((s, j) => sql`${comparableSql(t.c, s.name, s.family)} as ${alias('dsar_v', j)}`),
    ];
    // Not grouped here: the set groups the rows as they stream. A GROUP BY with as many groups as rows (a raw
    // timestamp) made MariaDB build a temporary table: 3.7-5.8 s for 500,000 rows that stream in 1 s.
    const rowsOnly = !inner.length; // nothing to read but the rows themselves (each counts one)
    if (rowsOnly) inner.push(sql`1 as dsar_n`);
    const grouped = sql`select ${sql.join(inner)} from ${t.from} ${t.where}`;
    const outer = [
      ...quasi.map((_, i) => alias('dsar_q', i)),
      // Subjects numbered by the database, under the same equality count(distinct) uses (a _ci collation's), and the
      // groups ordered by them: one subject's groups arrive together, so the set counts each once per class.
      ...(layout.subjects === 'ranked' ? [sql`case when dsar_sv is null then null else dense_rank() over (order by dsar_sv) end as dsar_s`] : []),
      ...plan.sensitive.map((_, j) => alias('dsar_v', j)),
      ...(rowsOnly ? [sql`dsar_n`] : []),
    ];
    const order = layout.subjects === 'ranked' ? sql`order by dsar_s` : sql``;
    const query = sql<Row>`select ${sql.join(outer)} from (${grouped}) as dsar_g ${order}`;
    const sensitiveAt = quasi.length + (layout.subjects === 'ranked' ? 1 : 0);
    for await (const rows of t.streamValues(query)) {
      for (const row of rows) {
        for (let i = 0; i < quasi.length; i++) row[i] = canonicalValue(quasi[i].step, quasi[i].ladder.family, row[i]);
        for (let j = 0; j < plan.sensitive.length; j++) {
          const v = row[sensitiveAt + j];
          row[sensitiveAt + j] = v === null || v === undefined ? null : textOf(outputValue(plan.sensitive[j].family, v));
        }
      }
      yield rows;
    }
  }

  async classCounts(levels: Levels): Promise<ClassCount[]> {
    const t = this.#t;
    const gens = t.generalized(this.#plan.quasi, levels, true);
    const distinct = this.#l === undefined || this.#l <= 1 ? [] : this.#plan.sensitive.map((s, i) => sql`${diversitySql(t.c, s, this.#l!)} as ${alias('dsar_d', i)}`);
    const subjects = this.#plan.subject.unique ? [] : [sql`${this.#subjects()} as dsar_s`];
    const inner = sql`select ${sql.join([...gens.map((g) => sql`${g.expr} as ${alias('dsar_q', g.index)}`), sql`count(*) as dsar_n`, ...subjects, ...distinct])}
      from ${t.from} ${t.where} ${groupBy(gens.length)}`;
    const dCols = distinct.map((_, i) => alias('dsar_d', i));
    const sCols = subjects.length ? [sql`dsar_s`] : [];
    const rows = await t.all(sql<Row>`select ${sql.join([sql`dsar_n`, ...sCols, ...dCols, sql`count(*) as dsar_classes`])}
      from (${inner}) as dsar_c where dsar_n > 0 group by ${sql.join([sql`dsar_n`, ...sCols, ...dCols])}`);
    return rows.map((r) => ({
      size: num(r.dsar_n),
      subjects: subjects.length ? num(r.dsar_s) : num(r.dsar_n),
      distinct: dCols.map((_, i) => num(r[`dsar_d${i}`])),
      classes: num(r.dsar_classes),
    }));
  }

  async *failingClasses(levels: Levels, k: number, l: number | undefined): AsyncIterable<string[]> {
    const t = this.#t;
    const gens = t.generalized(this.#plan.quasi, levels);
    const failing = [sql`${this.#subjects()} < ${sql.lit(k)}`];
    if (l !== undefined && l > 1 && this.#plan.sensitive.length) {
      failing.push(sql`${this.#subjects()} < ${sql.lit(l)}`);
      for (const s of this.#plan.sensitive) failing.push(sql`${diversitySql(t.c, s, l)} < ${sql.lit(l)}`);
    }
    const select = gens.length ? sql.join(gens.map((g) => sql`${g.expr} as ${alias('dsar_q', g.index)}`)) : sql`count(*) as dsar_n`;
    const query = sql<Row>`select ${select} from ${t.from} ${t.where} ${groupBy(gens.length)} having ${sql.join(failing, sql` or `)}`;
    for await (const rows of t.stream(query)) yield rows.map((r) => classKey(canonicalKeys(this.#plan.quasi, levels, r, 'dsar_q')));
  }

  async *rows(levels: Levels): AsyncIterable<OutputRow[]> {
    const t = this.#t;
    const gens = t.generalized(this.#plan.quasi, levels);
    const others = this.#plan.output.filter((o) => o.role !== 'quasi');
    // Last, hidden: the subject's shuffled order key. Rows come by class and, within a class, in an order this run's
    // salt alone decides (the source's physical order would say which row is which customer), one subject's rows
    // together, so that the writer counts a class's subjects as they pass.
    const select = [
      ...gens.map((g) => sql`${g.expr} as ${alias('dsar_q', g.index)}`),
      ...others.map((o, j) => sql`${outputSql(t.c, o.name, o.family)} as ${alias('dsar_c', j)}`),
      sql`${t.c.shuffled(this.#subject(), this.#salt)} as dsar_o`, // the salt is hex: written as a literal, so the statement has no bound value and PostgreSQL still streams it through COPY
    ];
    const order = sql`order by ${sql.join([...gens.map((_, i) => sql.lit(i + 1)), sql.lit(select.length)])}`;
    const query = sql<Row>`select ${sql.join(select)} from ${t.from} ${t.where} ${order}`;
    // Per ladder, once: where its value is in the result row (-1 for `*`, not selected) and how it is made canonical.
    // The driver's arrays are rewritten in place into [quasi..., others...]: from the right, so that every value is
    // read before its place is written (a ladder's value never sits right of its place).
    const quasi = this.#plan.quasi.map((ladder, i) => ({ step: ladder.steps[levels[i]], family: ladder.family, at: gens.findIndex((g) => g.index === i) }));
    const stars = quasi.length - gens.length;
    for await (const rows of t.streamValues(query)) {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        if (stars) for (let j = others.length; j >= 0; j--) row[quasi.length + j] = row[gens.length + j];
        for (let i = quasi.length - 1; i >= 0; i--) {
          const q = quasi[i];
          row[i] = q.at < 0 ? '*' : canonicalValue(q.step, q.family, row[q.at]);
        }
      }
      yield rows;
    }
  }
}

export class SqlAggregateSource implements AggregateSource {
  readonly #t: SqlTable;
  readonly #plan: AggregatePlan;

  constructor(c: SqlConnector, table: string, plan: AggregatePlan, filter: RawBuilder<SqlBool> | undefined) {
    this.#t = new SqlTable(c, table, filter, false);
    this.#plan = plan;
  }

  distinctValues(column: string): AsyncIterable<unknown[]> {
    return this.#t.distinctValues(column);
  }

  #subject(): RawBuilder<unknown> {
    return comparableSql(this.#t.c, this.#plan.subject.column, this.#plan.subject.family, false);
  }

  async cellSummary(levels: Levels, k: number): Promise<CellSummary> {
    const t = this.#t;
    const gens = t.generalized(this.#plan.groups, levels, true);
    const inner = sql`select ${sql.join([...gens.map((g) => sql`${g.expr} as ${alias('dsar_g', g.index)}`), sql`count(*) as dsar_r`, sql`count(distinct ${this.#subject()}) as dsar_s`])}
      from ${t.from} ${t.where} ${groupBy(gens.length)}`;
    const small = sql`dsar_s < ${sql.lit(k)}`;
    const [r] = await t.all(sql<Row>`select count(*) as dsar_cells, sum(dsar_r) as dsar_rows,
        sum(case when ${small} then 1 else 0 end) as dsar_small_cells, sum(case when ${small} then dsar_r else 0 end) as dsar_small_rows
      from (${inner}) as dsar_c where dsar_r > 0`);
    return { cells: num(r?.dsar_cells), rows: num(r?.dsar_rows), smallCells: num(r?.dsar_small_cells), smallRows: num(r?.dsar_small_rows) };
  }

  async *cells(levels: Levels): AsyncIterable<Cell[]> {
    const t = this.#t;
    const plan = this.#plan;
    const gens = t.generalized(plan.groups, levels);
    const parts: RawBuilder<unknown>[] = [];
    const read: Array<(r: Row) => unknown> = plan.measures.map((m, i) => {
      // Distinct counts by the column's collation, as the cells are grouped; min and max byte for byte, so that every
      // engine names the same value.
      const col = m.column === undefined ? undefined : comparableSql(t.c, m.column, m.family, m.fn === 'min' || m.fn === 'max');
      const raw = m.column === undefined ? undefined : sql.id(m.column);
      switch (m.fn) {
        case 'count':
          return (r) => num(r.dsar_rows);
        case 'count_distinct':
          if (m.column === plan.subject.column) return (r) => num(r.dsar_subjects);
          parts.push(sql`count(distinct ${col}) as ${alias('dsar_m', i)}`);
          return (r) => num(r[`dsar_m${i}`]);
        case 'avg':
          parts.push(sql`sum(${raw}) as ${alias('dsar_m', i)}`, sql`count(${raw}) as ${alias('dsar_a', i)}`);
          return (r) => [numeric(r[`dsar_m${i}`]), num(r[`dsar_a${i}`])];
        case 'sum':
          parts.push(sql`sum(${raw}) as ${alias('dsar_m', i)}`);
          return (r) => numeric(r[`dsar_m${i}`]);
        case 'min':
        case 'max':
          parts.push(sql`${sql.raw(m.fn)}(${col}) as ${alias('dsar_m', i)}`);
          return (r) => canonicalValue({ kind: 'raw' }, m.family, r[`dsar_m${i}`]);
      }
    });
    const select = [...gens.map((g) => sql`${g.expr} as ${alias('dsar_g', g.index)}`), sql`count(distinct ${this.#subject()}) as dsar_subjects`, sql`count(*) as dsar_rows`, ...parts];
    // Ordered outside the GROUP BY: an ORDER BY expression over grouped values is not portable (ONLY_FULL_GROUP_BY).
    // The statement is the GROUP BY a person would write, no more: read at once (parallel in PostgreSQL, unlike a
    // cursor); one more cell than the limit tells the caller it was passed. The cells are sorted here, as a file's
    // are: the same order from every engine, and no outer ORDER BY, whose extra cost made PostgreSQL's JIT inline
    // and optimize the plan (~350 ms of compiling for a 1 s GROUP BY).
    const query = sql<Row>`select ${sql.join(select)} from ${t.from} ${t.where} ${groupBy(gens.length)} limit ${sql.lit(MAX_CELLS + 1)}`;
    const cells: Cell[] = [];
    for (const r of await t.all(query)) {
      if (!num(r.dsar_rows)) continue; // no GROUP BY over no rows still answers one row of zeros
      cells.push({ keys: canonicalKeys(plan.groups, levels, r, 'dsar_g'), subjects: num(r.dsar_subjects), rows: num(r.dsar_rows), values: read.map((f) => f(r)) });
    }
    yield cells.sort((a, b) => compareKeys(a.keys, b.keys));
  }

  async boundedCells(bound: ContributionBound): Promise<BoundedCell[]> {
    const t = this.#t;
    const c = t.c;
    const groups = this.#plan.groups;
    const gens = t.generalized(groups, groups.map(() => 0));
    const subject = this.#subject();
    // Per (subject, cell): one contribution, each bounded sum clamped and rounded to whole units of its resolution.
    const clamped = bound.sums.map(({ column, lo, hi, resolution }, i) => {
      const total = sql`sum(${sql.id(column)})`;
      return sql`round((case when ${total} < ${sql.lit(lo)} then ${sql.lit(lo)} when ${total} > ${sql.lit(hi)} then ${sql.lit(hi)} else ${total} end) / ${sql.lit(resolution)}) as ${alias('dsar_v', i)}`;
    });
    const where = t.filter ? sql`where (${t.filter}) and ${subject} is not null` : sql`where ${subject} is not null`;
    // Which cells a subject keeps: its own order of them, from a fast hash keyed by a fresh salt each run, computed
    // in the same GROUP BY (one pass; the window then only ranks). Any choice keeps the dp guarantee; the salt keeps
    // the same cells from always being the ones dropped.
    const sep = sql.lit('|');
    const order = c.quickOrder(c.concatText([c.asText(subject), ...gens.flatMap((g) => [sep, sql`coalesce(${c.asText(g.expr)}, '')`])]), bound.salt);
    const perCell = sql`select ${sql.join([...gens.map((g) => sql`${g.expr} as ${alias('dsar_g', g.index)}`), sql`${subject} as dsar_subject`, sql`${order} as dsar_order`, ...clamped])}
      from ${t.from} ${where} ${groupBy(gens.length + 2)}`;
    const g = gens.map((x) => sql.ref(`dsar_g${x.index}`));
    const v = bound.sums.map((_, i) => sql.ref(`dsar_v${i}`));
    const ranked = sql`select ${sql.join([...g, ...v, sql`row_number() over (partition by dsar_subject order by dsar_order) as dsar_rank`])} from (${perCell}) as dsar_pc`;
    const select = [...g.map((x, i) => sql`${x} as ${alias('dsar_g', gens[i].index)}`), sql`count(*) as dsar_n`, ...v.map((x, i) => sql`sum(${x}) as ${alias('dsar_s', i)}`)];
    const query = sql<Row>`select ${sql.join(select)} from (${ranked}) as dsar_ranked where dsar_rank <= ${sql.lit(bound.maxCells)} ${groupBy(gens.length)} limit ${sql.lit(MAX_CELLS + 1)}`;
    const levels = groups.map(() => 0);
    const out = (await t.all(query)).map((r) => ({ keys: canonicalKeys(groups, levels, r, 'dsar_g'), count: wholeNumber(r.dsar_n), sums: bound.sums.map((_, i) => wholeNumber(r[`dsar_s${i}`])) }));
    return out.sort((a, b) => compareKeys(a.keys, b.keys));
  }

  async subjectsIn(levels: Levels, cells: readonly Cell[], limit: number): Promise<number> {
    const t = this.#t;
    const gens = t.generalized(this.#plan.groups, levels);
    const seen = new Set<string>();
    for (let i = 0; i < cells.length && seen.size < limit; i += CELLS_PER_STATEMENT) {
      const matches = cells.slice(i, i + CELLS_PER_STATEMENT).map((cell) => {
        const equal = gens.map((g) => (cell.keys[g.index] === null ? sql`${g.expr} is null` : sql`${g.expr} = ${cell.keys[g.index]}`));
        return equal.length ? sql`(${sql.join(equal, sql` and `)})` : sql`1 = 1`;
      });
      const inCells = sql`(${sql.join(matches, sql` or `)})`;
      const where = t.filter ? sql`where (${t.filter}) and ${inCells}` : sql`where ${inCells}`;
      for (const r of await t.all(sql<Row>`select distinct ${this.#subject()} as dsar_s from ${t.from} ${where} limit ${sql.lit(limit)}`)) {
        seen.add(String(r.dsar_s));
      }
    }
    return seen.size;
  }
}

/**
 * Distinct values of a sensitive column in a class, as far as `l` needs to know: for l = 2 only whether min < max
 * (hash-aggregated in every engine, where a DISTINCT aggregate makes PostgreSQL sort: about 3x faster), else the
 * count. NULL is no value. The written rows are counted exactly again (written-classes.ts).
 */
function diversitySql(c: SqlConnector, column: { name: string; family: TypeFamily }, l: number): RawBuilder<unknown> {
  const value = comparableSql(c, column.name, column.family);
  if (l === 2) return sql`case when min(${value}) is null then 0 when min(${value}) < max(${value}) then 2 else 1 end`;
  return sql`count(distinct ${value})`;
}

/** A sum as a number when that is exact, else its text (drivers send exact numerics as text). */
function numeric(v: unknown): unknown {
  return canonicalValue({ kind: 'raw' }, 'decimal', v);
}
