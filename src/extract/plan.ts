// An extract as it will run: the data map's `extracts.<name>` checked against the source's real columns. Every
// problem is a DataMapError naming the line of the data map (exit 2, nothing read).
import type { ColumnInfo, TypeFamily } from '../../connectors/connector.ts';
import type { DataMap, DpBudget, DpSettings, ExtractDef, ExtractRole, Measure } from '../datamap/types.ts';
import type { QuerySpec } from './dp/calibrate.ts';
import { DataMapError, type DataMapIssue, type Location } from '../errors.ts';
import { extractSubject, type ExtractSubject } from './subject.ts';
import { height, ladderProblem, NUMERIC_FAMILIES, parseStep, type Ladder } from './ladder.ts';

export interface OutputColumn {
  name: string;
  role: ExtractRole;
  family: TypeFamily;
  /** Position among the quasi columns (quasi only). */
  quasi?: number;
}

export interface RecordPlan {
  kind: 'record';
  def: ExtractDef;
  /** Quasi-identifiers with their ladders, in the order the data map lists them. */
  quasi: Ladder[];
  /** Sensitive columns: each must show at least `l` distinct values in every class. */
  sensitive: OutputColumn[];
  /** Every column written, in the data map's order; unnamed columns are never read. */
  output: OutputColumn[];
  /** Whose each row is: classes are judged by their distinct subjects. */
  subject: ExtractSubject & { family: TypeFamily };
}

export interface PlannedMeasure extends Measure {
  family: TypeFamily;
}

export interface AggregatePlan {
  kind: 'aggregate';
  def: ExtractDef;
  /** group_by columns; a column listed under `columns:` as quasi brings its ladder, the others stay raw. */
  groups: Ladder[];
  measures: PlannedMeasure[];
  /** The column whose distinct values count the subjects of a cell, and how it was found. */
  subject: { column: string; family: TypeFamily; how: string };
  /** The subject column is unique in the source: cells never share a subject, so subjects add up across cells. */
  subjectsDisjoint: boolean;
  /** Files: values are untyped text, compared as numbers when both sides read as numbers. */
  untyped: boolean;
  /** A differentially private aggregate: the noisy queries it asks (the count first, then one sum per bounded column). */
  dp?: { settings: DpSettings; budget: DpBudget; queries: QuerySpec[] };
}

export type ExtractPlan = RecordPlan | AggregatePlan;

/** What the source says about its columns. `anyFamily`: files, whose values are text read as whatever a step needs. */
export interface SourceColumns {
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Columns alone in a unique index or primary key. */
  uniqueColumns: string[];
  anyFamily: boolean;
}

/** A quasi column with no `generalize:` list can still be suppressed entirely. */
const DEFAULT_LADDER = ['*'];

export function planExtract(map: DataMap, def: ExtractDef, source: SourceColumns): ExtractPlan {
  const issues: DataMapIssue[] = [];
  const problem = (loc: Location, message: string, path = loc.path) => issues.push({ ...loc, path, message });
  const families = new Map(source.columns.map((c) => [c.name, c.family]));
  const fromText = `${def.from.system}.${def.from.table}`;
  const known = (column: string, loc: Location, path: string): boolean => {
    if (families.has(column)) return true;
    problem(loc, `no column \`${column}\` in ${fromText} (it has: ${[...families.keys()].join(', ') || 'no columns'})`, path);
    return false;
  };
  const base = `extracts.${def.name}`;
  const identifying = identifyingColumns(map, def);

  for (const [i, w] of def.where.entries()) known(w.column, def.loc, `${base}.where[${i}].${w.column}`);
  for (const [type, column] of Object.entries(def.identify)) known(column, def.loc, `${base}.identify.${type}`);
  if (def.privacy.t !== undefined && def.kind === 'aggregate') problem(def.loc, '`t` applies to record-level extracts (columns with role sensitive), not to aggregates', `${base}.privacy.t`);
  if (def.privacy.l !== undefined && def.kind === 'aggregate') problem(def.loc, '`l` applies to record-level extracts (columns with role sensitive), not to aggregates', `${base}.privacy.l`);

  const ladderOf = (column: string, generalize: readonly string[], loc: Location): Ladder => {
    const family = families.get(column) ?? 'other';
    const steps = [{ kind: 'raw' as const }, ...generalize.map(parseStep)];
    const why = ladderProblem(steps.slice(1), family, source.anyFamily);
    if (why) problem(loc, `\`${column}\`: ${why}`);
    // A column that identifies a subject never leaves raw, even as a quasi-identifier.
    const minLevel = identifying.has(column) ? 1 : 0;
    if (minLevel > steps.length - 1) problem(loc, `\`${column}\` identifies a subject: give it a generalize ladder, or make it a pseudonym`);
    return { column, family, steps, minLevel };
  };

  let plan: ExtractPlan;
  if (def.kind === 'record') {
    if (def.privacy.dp) problem(def.privacy.dp.loc, '`dp` applies to aggregates (group_by and measures): a record-level extract publishes rows, which noise cannot protect', `${base}.privacy.dp`);
    const output: OutputColumn[] = [];
    const quasi: Ladder[] = [];
    for (const col of Object.values(def.columns)) {
      if (!known(col.column, col.loc, col.loc.path)) continue;
      const family = families.get(col.column)!;
      if ((col.role === 'keep' || col.role === 'sensitive') && identifying.has(col.column)) {
        problem(col.loc, `\`${col.column}\` identifies a subject and would leave raw as ${col.role}: make it a pseudonym, or a quasi column with a generalize ladder`);
      }
      if (col.role === 'quasi') {
        output.push({ name: col.column, role: 'quasi', family, quasi: quasi.length });
        quasi.push(ladderOf(col.column, col.generalize.length ? col.generalize : DEFAULT_LADDER, col.loc));
      } else output.push({ name: col.column, role: col.role, family });
    }
    const sensitive = output.filter((c) => c.role === 'sensitive');
    if (!output.length) problem(def.loc, 'the extract names no column: list the columns to write under `columns:`', `${base}.columns`);
    if (def.privacy.l !== undefined && def.privacy.l > 1 && !sensitive.length) problem(def.loc, '`l` needs at least one column with role sensitive', `${base}.privacy.l`);
    if (def.privacy.t !== undefined && !sensitive.length) problem(def.loc, '`t` needs at least one column with role sensitive', `${base}.privacy.t`);
    const subject = extractSubject(map, def, source);
    if ('problem' in subject) problem(def.loc, subject.problem, `${base}.subject`);
    else if (def.links[0]) known(subject.column, def.links[0].loc, `${base}.links[0].column`);
    else known(subject.column, def.loc, `${base}.subject`);
    const resolved = 'problem' in subject ? { column: '', how: '', unique: true } : subject;
    plan = { kind: 'record', def, quasi, sensitive, output, subject: { ...resolved, family: families.get(resolved.column) ?? 'other' } };
  } else {
    const groups: Ladder[] = [];
    for (const column of def.groupBy) {
      if (!known(column, def.loc, `${base}.group_by`)) continue;
      const declared = def.columns[column];
      groups.push(ladderOf(column, declared?.generalize ?? [], declared?.loc ?? def.loc));
    }
    for (const col of Object.values(def.columns)) {
      if (!def.groupBy.includes(col.column) || col.role !== 'quasi') {
        problem(col.loc, `in an aggregate, \`columns:\` only gives generalize ladders to group_by columns (role quasi); \`${col.column}\` is not one`);
      }
    }
    const measures: PlannedMeasure[] = [];
    for (const m of def.measures) {
      if (m.column === undefined) {
        measures.push({ ...m, family: 'integer' });
        continue;
      }
      if (!known(m.column, m.loc, m.loc.path)) continue;
      const family = families.get(m.column)!;
      if ((m.fn === 'sum' || m.fn === 'avg') && !source.anyFamily && !NUMERIC_FAMILIES.includes(family)) problem(m.loc, `${m.fn} needs a numeric column; \`${m.column}\` is ${family}`);
      if ((m.fn === 'min' || m.fn === 'max') && identifying.has(m.column)) problem(m.loc, `${m.fn}(${m.column}) would publish a raw identifying value`);
      measures.push({ ...m, family });
    }
    // As record-level extracts find it; an undeclared source falls back to its single-column primary key.
    const found = extractSubject(map, def, source);
    const fallback = source.primaryKey.length === 1 ? { column: source.primaryKey[0], how: `the primary key of ${fromText}` } : undefined;
    const subjectOf = 'problem' in found ? fallback : found;
    const subjectColumn = subjectOf?.column;
    if (subjectColumn === undefined) {
      problem(def.loc, `an aggregate counts distinct subjects per cell: name the column that identifies one with \`subject:\` (${fromText} has no single-column key)`, `${base}.subject`);
    } else known(subjectColumn, def.loc, `${base}.subject`);
    plan = {
      kind: 'aggregate',
      def,
      groups,
      measures,
      subject: { column: subjectColumn ?? '', family: families.get(subjectColumn ?? '') ?? 'other', how: subjectOf?.how ?? '' },
      subjectsDisjoint: subjectColumn !== undefined && source.uniqueColumns.includes(subjectColumn),
      untyped: source.anyFamily,
    };
    if (def.privacy.dp) plan.dp = planDp(def, def.privacy.dp, plan, identifying, problem);
  }
  if (issues.length) throw new DataMapError(issues);
  return plan;
}

/**
 * What a differentially private aggregate may ask, and the queries it asks. Everything that would read true counts
 * to decide what to publish (k-suppression, a generalization search) or publish a raw value (min, max, an identifying
 * group) is refused; sums need bounds, so that one subject's effect on a cell is known.
 */
function planDp(def: ExtractDef, dp: DpSettings, plan: AggregatePlan, identifying: ReadonlySet<string>, problem: (loc: Location, message: string, path?: string) => void): AggregatePlan['dp'] {
  const base = `extracts.${def.name}`;
  if (!def.budget) problem(dp.loc, 'a dp release spends privacy: give the extract a `budget: { epsilon, delta, per }` its releases are charged to', `${base}.budget`);
  else if (def.budget.epsilon < dp.epsilon) problem(def.budget.loc, `one release (epsilon ${dp.epsilon}) spends more than the whole budget (epsilon ${def.budget.epsilon})`, `${base}.budget.epsilon`);
  for (const g of plan.groups) {
    if (g.steps.length > 1) problem(def.columns[g.column]?.loc ?? def.loc, `\`${g.column}\`: with dp, group columns are published as they are (a generalization search reads true counts); drop its generalize ladder`);
    if (identifying.has(g.column)) problem(def.loc, `\`${g.column}\` identifies a subject: a dp aggregate cannot group by it`, `${base}.group_by`);
  }
  const summed = new Set<string>();
  for (const m of plan.measures) {
    if (m.fn === 'min' || m.fn === 'max') problem(m.loc, `${m.fn} publishes one row's value, which noise does not protect: with dp, use count, sum or avg`);
    else if (m.fn === 'count_distinct' && m.column !== plan.subject.column) problem(m.loc, `with dp, count_distinct counts subjects only (\`count_distinct(${plan.subject.column})\`)`);
    else if ((m.fn === 'sum' || m.fn === 'avg') && m.column !== undefined) {
      if (!dp.bounds[m.column]) problem(m.loc, `${m.fn}(${m.column}) needs bounds: \`dp: { bounds: { ${m.column}: [lo, hi] } }\` (a subject's total in a cell is clamped to them)`);
      else summed.add(m.column);
    }
  }
  for (const column of Object.keys(dp.bounds)) if (!summed.has(column)) problem(dp.loc, `bounds for \`${column}\`, which no sum or avg measures`, `${base}.privacy.dp.bounds.${column}`);
  for (const column of Object.keys(dp.resolution)) if (!dp.bounds[column]) problem(dp.loc, `a resolution for \`${column}\`, which has no bounds`, `${base}.privacy.dp.resolution.${column}`);
  const domained = Object.keys(def.domain);
  for (const column of domained) if (!def.groupBy.includes(column)) problem(def.domain[column].loc, `a domain for \`${column}\`, which is not a group_by column`);
  const domain = domained.length > 0;
  if (domain && def.groupBy.some((g) => !def.domain[g])) problem(def.loc, `a domain names every group_by column or none: missing ${def.groupBy.filter((g) => !def.domain[g]).join(', ')}`, `${base}.domain`);
  if (!domain && !(dp.delta > 0)) problem(dp.loc, 'without a `domain:` the published cells are chosen by a noisy threshold, which needs `delta` (e.g. 1e-7)', `${base}.privacy.dp.delta`);
  if (dp.mechanism === 'gaussian' && !(dp.delta > 0)) problem(dp.loc, 'the Gaussian mechanism needs `delta` (e.g. 1e-7)', `${base}.privacy.dp.delta`);
  if (def.budget && dp.delta > def.budget.delta) problem(def.budget.loc, `one release (delta ${dp.delta}) spends more than the whole budget (delta ${def.budget.delta})`, `${base}.budget.delta`);
  const queries: QuerySpec[] = [{ key: 'count', resolution: 1, linf: 1 }];
  for (const column of summed) {
    const [lo, hi] = dp.bounds[column];
    const resolution = dp.resolution[column] ?? 1;
    queries.push({ key: column, column, resolution, linf: Math.ceil(Math.max(Math.abs(lo), Math.abs(hi)) / resolution) });
  }
  return def.budget ? { settings: dp, budget: def.budget, queries } : undefined;
}

/** Columns of the source that identify a subject: its identity columns and the fields the data map marks identifying. */
function identifyingColumns(map: DataMap, def: ExtractDef): Set<string> {
  const declared = map.tables[`${def.from.system}.${def.from.table}`];
  const out = new Set<string>(Object.values(def.identify));
  for (const column of Object.values(declared?.identify ?? {})) out.add(column);
  for (const field of Object.values(declared?.fields ?? {})) if (field.identifying) out.add(field.column);
  return out;
}

/** Lowest and highest level of each ladder: the lattice the search walks. */
export function latticeOf(ladders: readonly Ladder[]): { min: number[]; max: number[] } {
  return { min: ladders.map((l) => l.minLevel), max: ladders.map(height) };
}
