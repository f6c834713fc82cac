// After an erasure: is anything of the subject left? Every identity value and every identifying field value of the
// subject (collected before the changes, held only in memory) is looked up again, set-based, in every declared
// table's identity columns and identifying columns. Residue is reported by system.table.column and key, never value.
import { lookupRows } from './lookup.ts';
import { createHmac } from 'node:crypto';
import type { Connector, Row } from '../../connectors/connector.ts';
import { normalizeIdentity, normalizeLinkValue } from '../datamap/normalize.ts';
import type { DataMap, Normalizer, TableDef } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import { maskerFor } from '../masking/masker.ts';
import { rowIdentity } from '../plan/row-identity.ts';
import type { SubjectData, TraversalIdentity } from '../plan/traversal.ts';

export interface SubjectValues {
  /** Identity type -> normalized values: those given, and those in the identity columns of the subject's rows. */
  identities: Map<string, Set<string>>;
  /** Category group (`contact.address`) -> identifying values of the subject's rows, as text. */
  identifying: Map<string, Set<string>>;
  /** `system.table` -> identities of the subject's rows (a shared value counts only in these rows). */
  rows: Map<string, Set<string>>;
}

/**
 * Columns of a row that an earlier, interrupted run already masked: their values are masks, not the subject's.
 * (Maskers recognize most of their own output too; a fake name is recognized only this way.)
 */
export type MaskedColumns = (table: string, row: Row) => ReadonlySet<string>;

export function collectSubjectValues(map: DataMap, data: SubjectData, given: readonly TraversalIdentity[], alreadyMasked?: MaskedColumns): SubjectValues {
  const identities = new Map<string, Set<string>>();
  const identifying = new Map<string, Set<string>>();
  const rows = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));
  for (const i of given) add(identities, i.type, i.value);
  for (const [id, found] of data.tables) {
    const def = map.tables[id];
    const fieldOf = new Map(Object.values(def.fields).map((f) => [f.column, f]));
    for (const row of found.rows) {
      add(rows, id, rowIdentity(def, row));
      const skip = alreadyMasked?.(id, row);
      const masked = (column: string) => {
        if (skip?.has(column)) return true;
        const f = fieldOf.get(column);
        const v = row[column];
        return f !== undefined && v !== null && v !== undefined && f.mask !== 'keep' && maskerFor(f.mask).isMasked(v, { category: f.category, options: f.maskOptions });
      };
      for (const [type, column] of Object.entries(def.identify)) {
        const normalizer = map.identities[type]?.normalize ?? 'none';
        const text = row[column] === null || row[column] === undefined ? '' : normalizeIdentity(normalizer, String(row[column]));
        if (text && !masked(column)) add(identities, type, text);
      }
      for (const f of fieldOf.values()) {
        if (!f.identifying || masked(f.column)) continue;
        for (const text of searchTexts(row[f.column])) add(identifying, categoryGroup(f.category), text);
      }
    }
  }
  return { identities, identifying, rows };
}

/** `contact.address.postal` -> `contact.address`: values are compared within one kind of data. */
function categoryGroup(category: string): string {
  return category.split('.').slice(0, 2).join('.');
}

/** The texts a stored value may be found by; binary and structured values are not searched. */
function searchTexts(v: unknown): string[] {
  if (v === null || v === undefined || typeof v === 'boolean' || Buffer.isBuffer(v) || v instanceof Uint8Array) return [];
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return [];
    const local = `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
    return [...new Set([v.toISOString(), v.toISOString().slice(0, 10), local])];
  }
  if (typeof v === 'object') return [];
  const text = normalizeLinkValue(v);
  return text ? [text] : [];
}

export interface ResidueHit {
  system: string;
  table: string;
  column: string;
  /** Key values of the row (the declared key), or null for a table without one. */
  key: unknown[] | null;
  /** What was found there: an identity of the subject, or one of its identifying values. */
  kind: 'identity' | 'identifying';
}

export interface VerificationReport {
  clean: boolean;
  /** Where the values were looked for: the declared identity and identifying columns, never more. */
  searched: { tables: number; columns: number; systems: number };
  residue: ResidueHit[];
  /** Found in tables declared `on_erase: keep`: left on purpose. */
  retained: ResidueHit[];
  /** Systems or tables that could not be searched: the result is incomplete. */
  unreachable: string[];
}

export interface VerifyOptions {
  /** Only these tables were erased (the marketing opt-out); default all. */
  includeTable?: (table: TableDef) => boolean;
  /** Shows an identifying key value (a CSV keyed by email) by keyed hash: residue never prints a personal value. */
  keyHash?: (value: unknown) => string;
}

interface Search {
  column: string;
  values: string[];
  normalize: Normalizer;
  kind: ResidueHit['kind'];
}

export async function verifyErasure(
  map: DataMap,
  connectors: ReadonlyMap<string, Connector>,
  values: SubjectValues,
  opts: VerifyOptions = {},
): Promise<VerificationReport> {
  const residue: ResidueHit[] = [];
  const retained: ResidueHit[] = [];
  const unreachable: string[] = [];
  const seen = new Set<string>();
  let tables = 0;
  let columns = 0;
  const systems = new Set<string>();
  for (const def of Object.values(map.tables)) {
    if (opts.includeTable && !opts.includeTable(def)) continue;
    const searches = searchesFor(map, def, values);
    if (!searches.length) continue;
    const connector = connectors.get(def.system);
    if (!connector) {
      if (!unreachable.includes(def.system)) unreachable.push(def.system);
      continue;
    }
    tables++;
    systems.add(def.system);
    columns += new Set(searches.map((s) => s.column)).size;
    const mine = values.rows.get(def.id) ?? new Set<string>();
    const keyOf = shownKey(def, opts.keyHash);
    for (const s of searches) {
      try {
        for await (const chunk of lookupRows(connector, def.table, [s.column], s.values.map((v) => [v]), { normalize: s.normalize })) {
          for (const row of chunk) {
            // A name or a street is the subject's only in the subject's rows; an identity is the subject's anywhere.
            if (s.kind === 'identifying' && !mine.has(rowIdentity(def, row))) continue;
            const hit: ResidueHit = { system: def.system, table: def.table, column: s.column, key: keyOf(row), kind: s.kind };
            const k = JSON.stringify([hit.system, hit.table, hit.column, hit.key ?? rowIdentity(def, row)]);
            if (seen.has(k)) continue;
            seen.add(k);
            (def.onErase === 'keep' ? retained : residue).push(hit);
          }
        }
      } catch (err) {
        const e = err instanceof SystemError ? err : new SystemError(def.system, def.table, (err as Error).message, err);
        unreachable.push(e.message);
      }
    }
  }
  return { clean: residue.length === 0 && unreachable.length === 0, searched: { tables, columns, systems: systems.size }, residue, retained, unreachable };
}

/** Identity values in identity columns (with the identity's normalizer) and in identifying columns; identifying values in columns of their kind. */
function searchesFor(map: DataMap, def: TableDef, values: SubjectValues): Search[] {
  const out: Search[] = [];
  const identifyingColumns = Object.values(def.fields).filter((f) => f.identifying);
  for (const [type, set] of values.identities) {
    const normalize = map.identities[type]?.normalize ?? 'none';
    const cols = new Set<string>(identifyingColumns.map((f) => f.column));
    if (def.identify[type]) cols.add(def.identify[type]);
    for (const column of cols) out.push({ column, values: [...set], normalize, kind: 'identity' });
  }
  for (const f of identifyingColumns) {
    const set = values.identifying.get(categoryGroup(f.category));
    if (set?.size) out.push({ column: f.column, values: [...set], normalize: 'trim', kind: 'identifying' });
  }
  return out;
}

/** A row's declared key as residue shows it: identifying key columns (a CSV keyed by email) by keyed hash. */
function shownKey(def: TableDef, keyHash?: (value: unknown) => string): (row: Row) => unknown[] | null {
  const identifying = new Set([...Object.values(def.identify), ...Object.values(def.fields).filter((f) => f.identifying).map((f) => f.column)]);
  if (!def.key.length) return () => null;
  return (row) => def.key.map((c) => (identifying.has(c) ? (keyHash ? keyHash(row[c]) : '#') : row[c]));
}

/** A key value by keyed hash, as residue and the deep check show identifying keys. */
export function keyedHash(hmacKey: Buffer): (value: unknown) => string {
  return (value) => `#${createHmac('sha256', hmacKey).update(normalizeLinkValue(value)).digest('hex').slice(0, 12)}`;
}

/** What a verification covered, so that "nothing remains" is never read as more than it is. */
export function searchedScope(v: VerificationReport): string {
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  return `searched ${n(v.searched.columns, 'identifying column')} of ${n(v.searched.tables, 'table')} in ${n(v.searched.systems, 'system')}`;
}

/** An export or erasure that found nothing of the subject says so: a mistyped identity must not look like success. */
export function noRowsFound(identityType: string, otherwise?: string): string {
  return `no rows found for the ${identityType} given: check the identity and its type (--by)${otherwise ? `, ${otherwise}` : ''}`;
}

