// What the law keeps: retention rules whose basis is a legal obligation hold a row (identifying fields aside) until
// its `keep` has run out; and children, whose erasure ignores those bases (legal holds still win, elsewhere).
import type { Row } from '../../connectors/connector.ts';
import { subtractDuration } from '../datamap/duration.ts';
import type { DataMap, RetentionRule, TableDef } from '../datamap/types.ts';
import type { FoundTable } from './traversal.ts';

/** The table's retention rule when its basis keeps rows against erasure (a legal obligation, legal claims, ...). */
export function legalObligationOf(map: DataMap, table: TableDef): RetentionRule | undefined {
  const rule = table.retention ? map.retention[table.retention] : undefined;
  return rule?.overridesErasure ? rule : undefined;
}

/**
 * A date-like value as an instant: Date objects, ISO text (a bare `YYYY-MM-DD` is midnight UTC), epoch numbers
 * (milliseconds; seconds when small enough to be seconds). Undefined for NULL, empty or unreadable values.
 */
export function toInstant(v: unknown): Date | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v);
    return new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  }
  const text = String(v).trim();
  if (!text) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/**
 * Whether the rule still keeps the row at `asOf`: its `after` value is no earlier than `asOf - keep` (calendar
 * arithmetic). A row whose `after` is NULL, empty or unreadable never expires, so the law keeps it.
 */
export function withinKeep(rule: RetentionRule, row: Row, asOf: Date): boolean {
  const start = toInstant(row[rule.after]);
  if (!start) return true;
  return start.getTime() >= subtractDuration(asOf, rule.keep).getTime();
}

export interface ChildVerdict {
  child: boolean;
  /** Why: `--child`, or the table and rule that detected it (never the birth date itself). */
  reason?: string;
}

/**
 * The subject is a child when `--child` says so, or when a table's `child: { column, under }` rule finds, in one of
 * the subject's rows, a date in `column` less than `under` years before `asOf`.
 */
export function detectChild(map: DataMap, found: ReadonlyMap<string, FoundTable>, flagged: boolean, asOf: Date): ChildVerdict {
  if (flagged) return { child: true, reason: '--child' };
  for (const [id, t] of found) {
    const rule = map.tables[id]?.child;
    if (!rule) continue;
    const cutoff = subtractDuration(asOf, { amount: rule.under, unit: 'y', text: `${rule.under}y` }).getTime();
    if (t.rows.some((r) => (toInstant(r[rule.column])?.getTime() ?? -Infinity) > cutoff)) {
      return { child: true, reason: `${id}.${rule.column} is less than ${rule.under} years ago` };
    }
  }
  return { child: false };
}
