// How extract values and cells are ordered wherever they come from (SQL or files): numbers by value when both sides
// are numbers, else text by code point; cells by each group value, NULL first. One order for every engine, so the
// same extract gives the same file from PostgreSQL, MariaDB, SQLite and CSV.
import { textOf } from './generalize-value.ts';

/** A value as a number when its text is one. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === null || v === undefined) return undefined;
  const text = textOf(v).trim();
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : undefined;
}

/** Numbers by value when both sides are numbers, else text by code point (as SQL's exact text compares). */
export function compareValues(a: unknown, b: unknown): number {
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== undefined && y !== undefined) return x - y;
  const s = textOf(a);
  const t = textOf(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Cells by each group value, NULL first. */
export function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return -1;
    if (b[i] === null) return 1;
    const d = compareValues(a[i], b[i]);
    if (d) return d;
  }
  return 0;
}
