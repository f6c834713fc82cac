// The masks a sweep writes, prepared once per table, and the in-process decision for one row: write its masks, or
// leave it because it already is anonymized. A second sweep must write nothing, yet some masks cannot recognize
// their own output (`fake` of a name, `random`, `hash` of a number): for those the row's other columns decide.
import type { ColumnInfo, Row, TableInfo, TypeFamily } from '../../connectors/connector.ts';
import type { MaskName, TableDef } from '../datamap/types.ts';
import { maskerFor, type Masker, type MaskContext } from '../masking/masker.ts';
import { sqlMaskFor, type SqlMask } from '../masking/sql-expressible.ts';
import type { ColumnMask } from './erase-plan.ts';
import { columnInfo } from './fk-order.ts';

export interface PreparedMask {
  column: string;
  mask: MaskName;
  masker: Masker;
  ctx: MaskContext;
  family: TypeFamily;
  /** The mask in SQL form, when the engine can write it without reading the row. */
  sql?: SqlMask;
  /** Masked values by original (deterministic masks only): repeated values (user agents, cities) are masked once. */
  memo?: Memo;
}

interface Memo {
  entries: Map<unknown, { masked: unknown; recognized: boolean }>;
  lookups: number;
  hits: number;
}

/** Masks that give the same output for the same input and key, so their results may be reused within a run. */
const DETERMINISTIC = new Set<MaskName>(['null', 'redact', 'hash', 'fake', 'generalize', 'keep']);
/** Entries per column before the memo starts over: bounds memory whatever the table holds. */
const MEMO_ENTRIES = 20_000;
/** After this many lookups a memo that hits less than a third of the time is dropped (unique values: emails). */
const MEMO_TRIAL = 5_000;

export function prepareMasks(def: TableDef, masks: readonly ColumnMask[], info: TableInfo | undefined, hmacKey: Buffer): PreparedMask[] {
  return masks.map((m) => {
    const field = Object.values(def.fields).find((f) => f.column.toLowerCase() === m.column.toLowerCase())!;
    const column: ColumnInfo | undefined = columnInfo(info, m.column);
    // A file's columns are untyped text: the value itself decides the mask's shape there.
    const typed = info?.kind === 'file' ? undefined : column;
    const ctx: MaskContext = { column: typed, category: field.category, options: field.maskOptions, hmacKey };
    return {
      column: m.column,
      mask: m.mask,
      masker: maskerFor(m.mask),
      ctx,
      family: typed?.family ?? 'text',
      sql: typed ? sqlMaskFor(m.mask, ctx) : undefined,
      memo: DETERMINISTIC.has(m.mask) ? { entries: new Map(), lookups: 0, hits: 0 } : undefined,
    };
  });
}

/** True when every mask can be written by one UPDATE (null, redact, keep, generalize of a date). */
export function allSqlExpressible(masks: readonly PreparedMask[]): boolean {
  return masks.every((m) => m.sql !== undefined);
}

/** The masked value, and whether the masker recognizes it as its own output (memoized per column). */
function masked(m: PreparedMask, value: unknown): { masked: unknown; recognized: boolean } {
  const memo = m.memo;
  const key = value instanceof Date ? value.getTime() : value;
  const known = memo?.entries.get(key);
  if (memo) {
    memo.lookups++;
    if (known) memo.hits++;
    else if (memo.lookups === MEMO_TRIAL && memo.hits * 3 < memo.lookups) m.memo = undefined;
  }
  if (known) return known;
  const out = m.masker.apply(value, m.ctx);
  const result = { masked: out, recognized: m.masker.isMasked(out, m.ctx) };
  if (m.memo && (typeof key === 'string' || typeof key === 'number')) {
    if (m.memo.entries.size >= MEMO_ENTRIES) m.memo.entries.clear();
    m.memo.entries.set(key, result);
  }
  return result;
}

/**
 * The masked values of `row` (one per mask, in order), or undefined when there is nothing to write. A column needs
 * its mask when its masker would recognize the output but does not recognize the current value. Masks that cannot
 * recognize their output are applied along with those, or on their own when no column shows the row was masked
 * before (privacy first: a row with no evidence either way is masked). `emptyIsNull`: files write NULL as ''.
 */
export function maskRow(row: Row, masks: readonly PreparedMask[], emptyIsNull = false): unknown[] | undefined {
  let needed = false;
  let evidence = false;
  let unknown = false;
  const values = masks.map((m) => {
    const value = row[m.column];
    if (value === null || value === undefined || (emptyIsNull && value === '')) return value ?? null;
    if (m.masker.isMasked(value, m.ctx)) {
      evidence = true;
      return value;
    }
    const out = masked(m, value);
    if (out.recognized) needed = true;
    else unknown = true;
    return out.masked;
  });
  if (needed || (unknown && !evidence)) return values;
  return undefined;
}
