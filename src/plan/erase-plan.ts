// The erasure plan: from the subject's rows (the traversal's result), what happens to each row and in which order.
// It is a value: `--dry-run` prints it, execution runs it step by step, a resumed run reloads it.
//
// Per row: `on_erase` (delete | anonymize | keep); a legal-obligation retention rule still within `keep` narrows it to
// anonymizing the identifying fields (unless the subject is a child); a row to be deleted that is still referenced by
// rows that stay (others' rows, kept rows through a NOT NULL column, undeclared tables that restrict) is anonymized
// instead, and the plan says why. Children before parents, from the live foreign keys and the map's links.
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import { createHmac } from 'node:crypto';
import type { KeyValues, Row } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { DataMap, MaskName, TableDef } from '../datamap/types.ts';
import { canonicalJson } from '../state/canonical-json.ts';
import { childrenFirst, referenceEdges, tableInfo, type ReferenceEdge, type SchemasBySystem } from './fk-order.ts';
import { legalObligationOf, withinKeep, type ChildVerdict } from './obligations.ts';
import { rowIdentity } from './row-identity.ts';
import type { SubjectData } from './traversal.ts';

/** Rows per step: one transaction, one checkpoint. */
export const MAX_STEP_ROWS = 1000;

export type AnonymizeScope = 'all fields' | 'identifying fields';

export interface ColumnMask {
  column: string;
  mask: MaskName;
}

/** One group of rows of one table that get the same treatment for the same reason. */
export interface PlanEntry {
  /** `system.table` */
  table: string;
  system: string;
  /** The table's name in its system (what connectors take). */
  name: string;
  action: 'delete' | 'anonymize';
  /** Anonymize only: every masked field, or only the identifying ones (legal obligation). */
  scope?: AnonymizeScope;
  /** Anonymize only: the columns masked and how. */
  masks: ColumnMask[];
  /** Reference columns set to NULL so that the rows they point at can be deleted. */
  sever: string[];
  reason: string;
  /** Columns that address a row in updates and deletes. */
  keyColumns: string[];
  /** The rows, by key. Never printed: only counts are. */
  keys: KeyValues[];
  /** Keyed fingerprint of each row's masked columns when planned: a resumed run masks only rows still matching it. */
  fingerprints: string[];
  /** Rows addressed by number (`_row`): a keyed fingerprint of each whole row, to find it again in another version of the file. */
  rowPrints?: string[];
}

export interface SideEffect {
  /** The table whose rows are deleted or updated. */
  table: string;
  kind: 'cascade' | 'set-null' | 'set-default' | 'trigger';
  /** The table the database changes as a consequence, or the trigger's name. */
  target: string;
  rows: number;
  detail: string;
}

export interface KeptRows {
  table: string;
  rows: number;
  reason: string;
}

export interface ErasePlan {
  child: ChildVerdict;
  /** In execution order: children before parents; within a table, anonymizing before deleting. */
  entries: PlanEntry[];
  kept: KeptRows[];
  sideEffects: SideEffect[];
  warnings: string[];
  /** Systems or tables the traversal could not read (their rows are not in the plan). */
  unreachable: string[];
  /** Files the plan addresses by row number: `system.table` -> the file's version when planned (Connector.fileVersion). */
  fileVersions?: Record<string, string>;
}

/** What the plan is made from (all of it fetched before: planning reads nothing). */
export interface ErasePlanBasis {
  map: DataMap;
  subject: SubjectData;
  schemas: SchemasBySystem;
  child: ChildVerdict;
  asOf: Date;
  /** Erase only the subject's rows in these tables; the rest stay as they are (the marketing opt-out). */
  includeTable?: (table: TableDef) => boolean;
}

export interface ParentRow {
  /** The parent row's identity text (see row-identity.ts). */
  id: string;
  row: Row;
}

export interface ReferencingRow {
  row: Row;
  /** Identities of the parent rows it points at. */
  parents: string[];
}

/** Rows to be deleted whose referencing rows must be known: the parents of one reference edge. */
export interface ReferenceQuestion {
  /** Names the edge in ReferenceAnswers. */
  key: string;
  edge: ReferenceEdge;
  parents: ParentRow[];
}

/** Each question's referencing rows, or `not connected` when the referencing system is not. */
export type ReferenceAnswers = ReadonlyMap<string, readonly ReferencingRow[] | 'not connected'>;

export interface ErasePlanInput extends ErasePlanBasis {
  references: ReferenceAnswers;
  /** Keys the row fingerprints. */
  hmacKey: Buffer;
}

type Fate = 'delete' | 'anonymize' | 'identifying' | 'keep' | 'untouched';

interface RowPlan {
  table: TableDef;
  row: Row;
  id: string;
  fate: Fate;
  reason: string;
  sever: Set<string>;
}

/** The subject's rows with their fate before references are looked at, tables children first. */
function firstFates(input: ErasePlanBasis) {
  const { map, subject, schemas } = input;
  const rows = new Map<string, Map<string, RowPlan>>();
  for (const [id, found] of subject.tables) {
    const table = map.tables[id];
    const byId = new Map<string, RowPlan>();
    for (const row of found.rows) {
      const rowId = rowIdentity(table, row);
      byId.set(rowId, { table, row, id: rowId, sever: new Set(), ...initialFate(input, table, row) });
    }
    rows.set(id, byId);
  }
  const edges = referenceEdges(map, schemas);
  return { rows, edges, ...childrenFirst(rows.keys(), edges) };
}

const deletesOf = (rows: Map<string, RowPlan>) => [...rows.values()].filter((r) => r.fate === 'delete');
/** Everything an edge's lookup depends on: two edges from one child column to different parent keys stay apart. */
const questionKey = (e: ReferenceEdge) => JSON.stringify([e.childRef.system, e.childRef.table, e.childColumns, e.parent, e.parentColumns]);

/**
 * Who points at the rows the subject's deletes would remove, per reference edge: what the op looks up before
 * planning. A table's deletes depend only on its rows' first fates (references turn a delete into an anonymization
 * only for the table being decided), so the questions can all be asked first.
 */
export function referenceQuestions(input: ErasePlanBasis): ReferenceQuestion[] {
  const { rows, edges, order } = firstFates(input);
  return order.flatMap((id) => {
    const deletes = deletesOf(rows.get(id)!);
    if (!deletes.length) return [];
    return edges.filter((e) => e.parent === id).map((edge) => ({ key: questionKey(edge), edge, parents: deletes.map((d) => ({ id: d.id, row: d.row })) }));
  });
}

export function buildErasePlan(input: ErasePlanInput): ErasePlan {
  const { schemas, child } = input;
  const { rows, edges, order, cycles } = firstFates(input);
  const warnings = cycles.map((c) => `tables reference each other in a cycle (${c.join(' -> ')}); deletes among them follow the data map's order`);
  const sideEffects = new Map<string, SideEffect>();

  for (const id of order) {
    const deletes = deletesOf(rows.get(id)!);
    if (deletes.length) keepReferencesIntact(input, id, deletes, edges, rows, sideEffects);
  }

  const entries = order.flatMap((id) => entriesOf(input, id, [...rows.get(id)!.values()]));
  for (const e of entries) addTriggerEffects(schemas, e, sideEffects);
  const kept: KeptRows[] = [];
  for (const id of order) {
    const keep = [...rows.get(id)!.values()].filter((r) => r.fate === 'keep');
    if (keep.length) kept.push({ table: id, rows: keep.length, reason: keep[0].reason });
  }
  return {
    child,
    entries,
    kept,
    sideEffects: [...sideEffects.values()],
    warnings,
    unreachable: input.subject.unreachable.map((e) => e.message),
    fileVersions: {},
  };
}

/** A keyed fingerprint of a row's whole content (its enumerable columns; a file's `_row` is not one). */
export function contentPrint(hmacKey: Buffer, row: Row): string {
  const values = Object.keys(row)
    .sort()
    .map((k) => [k, normalizeLinkValue(row[k])]);
  return createHmac('sha256', hmacKey).update(`erase-row:${canonicalJson(values)}`).digest('hex').slice(0, 32);
}

function initialFate(input: ErasePlanBasis, table: TableDef, row: Row): { fate: Fate; reason: string } {
  if (input.includeTable && !input.includeTable(table)) return { fate: 'untouched', reason: 'not part of this erasure' };
  if (table.onErase === 'keep') return { fate: 'keep', reason: 'on_erase: keep' };
  const rule = legalObligationOf(input.map, table);
  const onErase = `on_erase: ${table.onErase}`;
  if (!rule) return { fate: table.onErase, reason: onErase };
  if (input.child.child) return { fate: table.onErase, reason: `a child (${input.child.reason}): the legal obligation of ${rule.name} does not apply; ${onErase}` };
  if (withinKeep(rule, row, input.asOf)) {
    return { fate: 'identifying', reason: `${rule.basis}: kept ${rule.keep.text} after ${rule.after}; identifying fields anonymized` };
  }
  return { fate: table.onErase, reason: `${rule.name}: past ${rule.keep.text} after ${rule.after}; ${onErase}` };
}

/**
 * For the rows of `table` about to be deleted: looks up every row that points at them and decides, per row, whether
 * the delete can go ahead (the referencing rows are deleted first, can be severed, or the database cascades: a side
 * effect) or must become an anonymization (anything else would break a reference or touch someone else's data).
 */
function keepReferencesIntact(
  input: ErasePlanInput,
  table: string,
  deletes: RowPlan[],
  edges: readonly ReferenceEdge[],
  rows: Map<string, Map<string, RowPlan>>,
  sideEffects: Map<string, SideEffect>,
): void {
  const blocks = new Map<string, Set<string>>();
  const affected = new Map<string, Set<string>>(); // side effect -> rows it touches, counted once each
  const severs = new Map<string, Array<{ child: RowPlan; columns: string[] }>>();
  const effects = new Map<string, Array<{ effect: Omit<SideEffect, 'rows'>; child: string }>>();
  const block = (parent: string, why: string) => blocks.set(parent, (blocks.get(parent) ?? new Set()).add(why));

  for (const edge of edges.filter((e) => e.parent === table)) {
    const found = input.references.get(questionKey(edge));
    if (found === 'not connected') {
      deletes.forEach((d) => block(d.id, `${edge.child} could not be checked for references (system not connected)`));
      continue;
    }
    if (!found) throw new Error(`internal: references of ${edge.child} -> ${edge.parent} were not looked up`);
    const childDef = input.map.tables[edge.child];
    for (const ref of found) {
      const childId = childDef ? rowIdentity(childDef, ref.row) : JSON.stringify(ref.row);
      const mine = rows.get(edge.child)?.get(childId);
      for (const parent of ref.parents) {
        if (mine?.fate === 'delete') continue; // deleted first (children before parents)
        const cols = edge.childColumns.join(', ');
        if (mine && (mine.fate === 'anonymize' || mine.fate === 'identifying')) {
          const severable = edge.nullable && !edge.childColumns.some((c) => mine.table.key.includes(c));
          if (severable) severs.set(parent, [...(severs.get(parent) ?? []), { child: mine, columns: edge.childColumns }]);
          else block(parent, `referenced through NOT NULL ${edge.child}.${cols} by the subject's rows that stay`);
        } else if (mine) {
          if (edge.onDelete === 'SET NULL' && edge.nullable) note(effects, parent, setNullEffect(edge, table), childId);
          else block(parent, `referenced by the subject's rows of ${edge.child}, which stay (${mine.reason})`);
        } else if (childDef) {
          block(parent, `still referenced by rows of ${edge.child} that are not the subject's`);
        } else if (edge.onDelete === 'CASCADE') {
          note(effects, parent, { table, kind: 'cascade', target: edge.child, detail: `ON DELETE CASCADE (${edge.name}) deletes the rows of ${edge.child} that reference them` }, childId);
        } else if (edge.onDelete === 'SET NULL' || edge.onDelete === 'SET DEFAULT') {
          note(effects, parent, setNullEffect(edge, table), childId);
        } else {
          block(parent, `referenced by rows of ${edge.child}, which is not in the data map (ON DELETE ${edge.onDelete ?? 'NO ACTION'})`);
        }
      }
    }
  }

  for (const d of deletes) {
    const why = blocks.get(d.id);
    if (why) {
      d.fate = 'anonymize';
      d.reason = `delete -> anonymize: ${[...why].sort().join('; ')}`;
      continue;
    }
    for (const s of severs.get(d.id) ?? []) s.columns.forEach((c) => s.child.sever.add(c));
    for (const { effect, child } of effects.get(d.id) ?? []) {
      const k = `${effect.table}|${effect.kind}|${effect.target}`;
      const existing = sideEffects.get(k) ?? { ...effect, rows: 0 };
      const seen = affected.get(k) ?? new Set<string>();
      if (!seen.has(child)) (seen.add(child), existing.rows++);
      sideEffects.set(k, existing);
      affected.set(k, seen);
    }
  }
}

function setNullEffect(edge: ReferenceEdge, table: string): Omit<SideEffect, 'rows'> {
  const action = edge.onDelete === 'SET DEFAULT' ? 'SET DEFAULT' : 'SET NULL';
  return {
    table,
    kind: action === 'SET NULL' ? 'set-null' : 'set-default',
    target: edge.child,
    detail: `ON DELETE ${action} (${edge.name}) changes ${edge.child}.${edge.childColumns.join(', ')} in the rows that reference them`,
  };
}

function note(effects: Map<string, Array<{ effect: Omit<SideEffect, 'rows'>; child: string }>>, parent: string, effect: Omit<SideEffect, 'rows'>, child: string) {
  effects.set(parent, [...(effects.get(parent) ?? []), { effect, child }]);
}

/** The table's rows grouped by what happens to them and why; anonymizing first, then deleting. */
function entriesOf(input: ErasePlanInput, table: string, plans: RowPlan[]): PlanEntry[] {
  const groups = new Map<string, RowPlan[]>();
  for (const r of plans) {
    if (r.fate === 'keep' || r.fate === 'untouched') continue;
    const k = JSON.stringify([r.fate === 'delete' ? 1 : 0, r.fate, r.reason, [...r.sever].sort()]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const def = input.map.tables[table];
  const info = tableInfo(input.schemas, def.system, def.table);
  const keyColumns = def.key.length ? def.key : info?.primaryKey.length ? info.primaryKey : Object.keys(plans[0].row);
  return [...groups.keys()].sort().map((k) => {
    const group = groups.get(k)!;
    const first = group[0];
    const action = first.fate === 'delete' ? 'delete' : 'anonymize';
    const scope: AnonymizeScope | undefined = action === 'delete' ? undefined : first.fate === 'identifying' ? 'identifying fields' : 'all fields';
    const masks = action === 'delete' ? [] : masksOf(def, scope!);
    return {
      table,
      system: def.system,
      name: def.table,
      action,
      scope,
      masks,
      sever: [...first.sever].sort(),
      reason: first.reason,
      keyColumns,
      keys: group.map((r) => keyColumns.map((c) => r.row[c])),
      fingerprints: group.map((r) => rowFingerprint(input.hmacKey, r.row, masks)),
      ...(keyColumns.includes(ORDINAL_KEY) ? { rowPrints: group.map((r) => contentPrint(input.hmacKey, r.row)) } : {}),
    } satisfies PlanEntry;
  });
}

/** The fields an anonymization masks: every field whose mask is not `keep`, or only the identifying ones. */
export function masksOf(table: TableDef, scope: AnonymizeScope): ColumnMask[] {
  return Object.values(table.fields)
    .filter((f) => f.mask !== 'keep' && (scope === 'all fields' || f.identifying))
    .map((f) => ({ column: f.column, mask: f.mask }));
}

/** HMAC of the row's values in the masked columns: equal while none of them changed. */
export function rowFingerprint(hmacKey: Buffer, row: Row, masks: readonly ColumnMask[]): string {
  const values = masks.map((m) => normalizeLinkValue(row[m.column]));
  return createHmac('sha256', hmacKey).update(`erase-fingerprint:${canonicalJson(values)}`).digest('hex').slice(0, 32);
}

function addTriggerEffects(schemas: SchemasBySystem, e: PlanEntry, sideEffects: Map<string, SideEffect>): void {
  const event = e.action === 'delete' ? 'DELETE' : 'UPDATE';
  for (const t of tableInfo(schemas, e.system, e.name)?.triggers ?? []) {
    if (!t.events.map((x) => x.toUpperCase()).includes(event)) continue;
    const k = `${e.table}|trigger|${t.name}|${event}`;
    const existing = sideEffects.get(k);
    if (existing) existing.rows += e.keys.length;
    else sideEffects.set(k, { table: e.table, kind: 'trigger', target: t.name, rows: e.keys.length, detail: `${t.timing} ${event} trigger ${t.name} fires` });
  }
}

/** One unit of execution: at most MAX_STEP_ROWS rows of one entry, one transaction, one checkpoint. */
export interface EraseStep {
  /** Stable within a plan: `<entry>:<table>:<action>:<chunk>`. */
  id: string;
  entry: PlanEntry;
  keys: KeyValues[];
  fingerprints: string[];
}

export function planSteps(plan: ErasePlan, maxRows = MAX_STEP_ROWS): EraseStep[] {
  return plan.entries.flatMap((entry, i) => {
    const steps: EraseStep[] = [];
    for (let at = 0, n = 0; at < entry.keys.length; at += maxRows, n++) {
      steps.push({
        id: `${i}:${entry.table}:${entry.action}:${n}`,
        entry,
        keys: entry.keys.slice(at, at + maxRows),
        fingerprints: entry.fingerprints.slice(at, at + maxRows),
      });
    }
    return steps;
  });
}

/** The printable plan: tables, actions, row counts and reasons; no key or value of any row. */
export interface PlanSummary {
  child: ChildVerdict;
  steps: Array<{ table: string; action: 'delete' | 'anonymize'; scope?: AnonymizeScope; columns: string[]; sever: string[]; rows: number; reason: string }>;
  kept: KeptRows[];
  sideEffects: SideEffect[];
  warnings: string[];
  unreachable: string[];
}

export function summarizePlan(plan: ErasePlan): PlanSummary {
  return {
    child: plan.child,
    steps: plan.entries.map((e) => ({
      table: e.table,
      action: e.action,
      ...(e.scope ? { scope: e.scope } : {}),
      columns: e.masks.map((m) => m.column),
      sever: e.sever,
      rows: e.keys.length,
      reason: e.reason,
    })),
    kept: plan.kept,
    sideEffects: plan.sideEffects.map(({ table, kind, target, rows, detail }) => ({ table, kind, target, rows, detail })),
    warnings: plan.warnings,
    unreachable: plan.unreachable,
  };
}

