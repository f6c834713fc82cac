// The retention sweep's plan, a value made before any row is read: which tables (those with a retention rule,
// narrowed by --system/--table), in which order (children before parents, from fk-order.ts), each with its cutoff
// instant, its action and the references that can turn a delete into an anonymization.
//
// Expiry. A row expires when its `after` value is STRICTLY earlier than `asOf - keep`: a row exactly `keep` old is
// still kept. `keep` is calendar arithmetic in UTC (datamap/duration.ts): months and years land on the same day of
// the month, clamped to the month's end, so `3y` before 2028-02-29 is 2025-02-28 (not 03-01), and `1m` before
// 31 March is the last day of February. A NULL or empty `after` never expires (the sweep counts such rows).
// A legal-obligation rule is no exception here: it protects its rows while `keep` runs, and they expire after it.
import type { TableInfo } from '../../connectors/connector.ts';
import { subtractDuration } from '../datamap/duration.ts';
import type { DataMap, Duration, RetentionRule, TableDef } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';
import { masksOf, type ColumnMask } from './erase-plan.ts';
import { childrenFirst, columnInfo, referenceEdges, tableInfo, type ReferenceEdge, type SchemasBySystem } from './fk-order.ts';

export interface SweepSelection {
  /** Only tables of this system. */
  system?: string;
  /** Only this table: `system.table`, or `table` (with `system`, or when the name is unique). */
  table?: string;
}

export interface TableSweep {
  /** `system.table` */
  id: string;
  system: string;
  /** The table's name in its system (what connectors take). */
  table: string;
  rule: RetentionRule;
  /** Rows whose `after` value is strictly earlier than this instant have expired. */
  cutoff: Date;
  action: 'delete' | 'anonymize';
  /** Columns that order the keyset batches and address rows; [] for a file without a key (rows by number). */
  key: string[];
  /** The table's masks (every field whose mask is not `keep`): what anonymizing writes. */
  masks: ColumnMask[];
  /** Every reference into this table (live foreign keys and links) but the followers: a referenced row is anonymized, not deleted. */
  referencedBy: ReferenceEdge[];
  /**
   * Child tables whose rows belong to the row they reference (a declared `references` link, in the same SQL system,
   * with no retention rule of their own and nothing referencing them): a deleted row takes its children with it,
   * children first, in the same transaction (an expired invoice and its lines).
   */
  followers: Follower[];
}

export interface Follower {
  edge: ReferenceEdge;
  /** The child table's live name in the system. */
  childTable: string;
}

export interface SweepPlan {
  asOf: Date;
  /** Children before parents. */
  tables: TableSweep[];
  /** Selected tables that cannot be swept, and why: the sweep reports them as failures. */
  skipped: Array<{ table: string; reason: string }>;
  warnings: string[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * The instant `--as-of` names (`YYYY-MM-DD` is midnight UTC; a date-time without a zone is UTC), or `now` when it
 * is not given. UsageError (exit 2) for anything unreadable or later than `now`: expiry is judged at a moment
 * that has happened, never ahead of the clock.
 */
export function resolveAsOf(text: string | undefined, now: Date): Date {
  if (text === undefined) return now;
  const t = text.trim();
  const zoned = ZONE.test(t);
  let asOf: Date | undefined;
  if (DATE_ONLY.test(t)) asOf = new Date(`${t}T00:00:00Z`);
  else if (DATE_TIME.test(t)) asOf = new Date(t.replace(' ', 'T') + (zoned ? '' : 'Z'));
  if (!asOf || Number.isNaN(asOf.getTime()) || !onCalendar(t.slice(0, 10))) {
    throw new UsageError(`--as-of: expected a date (YYYY-MM-DD) or an ISO date-time, got ${JSON.stringify(text)}`);
  }
  if (asOf.getTime() > now.getTime()) {
    throw new UsageError(`--as-of ${t} is later than now (${now.toISOString()}): a sweep judges expiry at a moment that has happened`);
  }
  return asOf;
}

/** JavaScript reads `2025-02-30` as March 2nd: only days that are on the calendar are accepted. */
function onCalendar(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

/** The instant before which a rule's rows have expired at `asOf`: `asOf - keep`, calendar arithmetic in UTC. */
export function expiryCutoff(asOf: Date, keep: Duration): Date {
  return subtractDuration(asOf, keep);
}

/** True when a row whose `after` is `start` has expired at `cutoff` (strictly older; exactly `keep` old is kept). */
export function hasExpired(start: Date, cutoff: Date): boolean {
  return start.getTime() < cutoff.getTime();
}

/** The tables with a retention rule that the selection names. UsageError for a system or table it cannot find. */
export function selectSweptTables(map: DataMap, sel: SweepSelection): TableDef[] {
  if (sel.system !== undefined && !map.systems[sel.system]) {
    throw new UsageError(`--system: unknown system '${sel.system}' (declared: ${Object.keys(map.systems).join(', ') || 'none'})`);
  }
  let tables = Object.values(map.tables).filter((t) => t.retention !== undefined && map.retention[t.retention]);
  if (sel.system !== undefined) tables = tables.filter((t) => t.system === sel.system);
  if (sel.table !== undefined) {
    const name = sel.table;
    const matches = tables.filter((t) => t.id === name || (t.table === name && (sel.system === undefined || t.system === sel.system)));
    if (matches.length > 1) throw new UsageError(`--table ${name} is in several systems (${matches.map((t) => t.id).join(', ')}): name it as system.table`);
    if (!matches.length) {
      const declared = map.tables[name] ?? Object.values(map.tables).find((t) => t.table === name);
      throw new UsageError(
        declared
          ? `--table ${name}: ${declared.id} has no retention rule${sel.system !== undefined && declared.system !== sel.system ? ` (or is not in system ${sel.system})` : ''}; nothing to sweep`
          : `--table: unknown table '${name}' (tables with a retention rule: ${tables.map((t) => t.id).join(', ') || 'none'})`,
      );
    }
    tables = matches;
  }
  return tables;
}

/**
 * The plan for the selected tables against the live schemas. A table whose system is not in `schemas` (not
 * reachable), whose live table or columns are missing, or that has no key to batch by, is skipped with the reason.
 */
export function buildSweepPlan(map: DataMap, schemas: SchemasBySystem, sel: SweepSelection, asOf: Date): SweepPlan {
  const selected = new Set(selectSweptTables(map, sel).map((t) => t.id));
  const edges = referenceEdges(map, schemas);
  // Ordered among every table with a rule, so that --table keeps the place it has in a full sweep.
  const withRules = Object.values(map.tables).filter((t) => t.retention !== undefined && map.retention[t.retention]).map((t) => t.id);
  const { order, cycles } = childrenFirst(withRules, edges);
  const warnings = cycles.map((c) => `tables reference each other in a cycle (${c.join(' -> ')}): a row referenced within it is anonymized, never deleted`);
  const plan: SweepPlan = { asOf, tables: [], skipped: [], warnings };

  for (const id of order.filter((t) => selected.has(t))) {
    const def = map.tables[id];
    const rule = map.retention[def.retention!];
    const skip = (reason: string) => plan.skipped.push({ table: id, reason });
    if (!schemas.has(def.system)) {
      skip(`system ${def.system} is not reachable`);
      continue;
    }
    const info = tableInfo(schemas, def.system, def.table);
    if (!info) {
      skip(`no such table in system ${def.system}`);
      continue;
    }
    const problem = liveProblem(def, rule, info);
    if (problem) {
      skip(problem);
      continue;
    }
    plan.tables.push({
      id,
      system: def.system,
      table: info.name,
      rule,
      cutoff: expiryCutoff(asOf, rule.keep),
      action: rule.then,
      key: keyOf(def, info),
      masks: masksOf(def, 'all fields').map((m) => ({ ...m, column: columnInfo(info, m.column)?.name ?? m.column })),
      ...intoTable(map, schemas, edges, id, rule.then),
    });
  }
  return plan;
}

/** The references into a table, the followers (see TableSweep.followers) apart. */
function intoTable(map: DataMap, schemas: SchemasBySystem, edges: readonly ReferenceEdge[], id: string, then: 'anonymize' | 'delete'): Pick<TableSweep, 'referencedBy' | 'followers'> {
  const into = edges.filter((e) => e.parent === id);
  const followers: Follower[] = [];
  for (const edge of then === 'delete' ? into : []) {
    const childTable = followerTable(map, schemas, edges, edge);
    if (childTable !== undefined) followers.push({ edge, childTable });
  }
  return { referencedBy: into.filter((e) => !followers.some((f) => f.edge === e)), followers };
}

/** The child's live table name when its rows follow the parent's, else undefined. */
function followerTable(map: DataMap, schemas: SchemasBySystem, edges: readonly ReferenceEdge[], edge: ReferenceEdge): string | undefined {
  const child = map.tables[edge.child];
  const parent = map.tables[edge.parent];
  if (!child || !parent || edge.child === edge.parent || child.system !== parent.system || child.retention !== undefined) return undefined;
  // Declared as belonging to the parent's subject: a live foreign key alone says nothing about whose rows they are.
  const declared = child.links.some(
    (l) => !l.owns && `${l.references.system}.${l.references.table}` === edge.parent && edge.childColumns.length === 1 && l.column === edge.childColumns[0] && l.references.column === edge.parentColumns[0],
  );
  if (!declared || edges.some((e) => e.parent === edge.child)) return undefined;
  const info = tableInfo(schemas, child.system, child.table);
  return info && info.kind === 'table' ? info.name : undefined;
}

function keyOf(def: TableDef, info: TableInfo): string[] {
  const key = def.key.length ? def.key : info.primaryKey;
  return key.map((k) => columnInfo(info, k)?.name ?? k);
}

/** Why the live table cannot be swept as declared, or undefined. */
function liveProblem(def: TableDef, rule: RetentionRule, info: TableInfo): string | undefined {
  if (info.kind === 'view') return 'is a view: a sweep deletes and updates rows, so it needs the table behind it';
  const missing = [rule.after, ...def.key, ...Object.values(def.fields).map((f) => f.column)].filter((c) => !columnInfo(info, c));
  // A file may have no header naming its columns (JSON arrays): only a typed table can be checked here.
  if (missing.length && info.kind !== 'file') return `no column ${[...new Set(missing)].join(', ')} (retention ${rule.name}, after: ${rule.after})`;
  if (info.kind !== 'file' && !def.key.length && !info.primaryKey.length) {
    return 'has no primary key and the data map declares no `key:`; keyset batches need one';
  }
  return undefined;
}
