// What kind of value a mask must produce, and small helpers to hand it back in the input's own JS type.
import type { ColumnInfo, TypeFamily } from '../../connectors/connector.ts';

/** The column's type family when known, else read from the JS value (a Date, a number, a Buffer, ...). */
export function kindOf(value: unknown, column?: ColumnInfo): TypeFamily {
  if (column) return column.family;
  if (value instanceof Date) return 'timestamp';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Uint8Array) return 'binary';
  if (value !== null && typeof value === 'object') return 'json';
  return 'text';
}

export function isNumericKind(kind: TypeFamily): boolean {
  return kind === 'integer' || kind === 'decimal' || kind === 'float';
}

/** Text-like kinds take a string of bounded length. */
export function isTextKind(kind: TypeFamily): boolean {
  return kind === 'text' || kind === 'other';
}

/** True when `category` is `parent` or under it (`contact.address.postal` is under `contact.address`). */
export function inCategory(category: string, parent: string): boolean {
  return category === parent || category.startsWith(parent + '.');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An email by category, or a value that looks like one (in a column the data map calls something else). */
export function isEmail(value: unknown, category: string): boolean {
  return inCategory(category, 'contact.email') || (typeof value === 'string' && EMAIL.test(value.trim()));
}

export function isPhone(category: string): boolean {
  return inCategory(category, 'contact.phone');
}

export function looksLikeUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

/** Cuts text to at most `max` characters (code points, as the engines count them). */
export function fitText(text: string, max: number | null | undefined): string {
  if (max === null || max === undefined || text.length <= max) return text;
  return Array.from(text).slice(0, Math.max(0, max)).join('');
}

/** A number handed back in the input's JS type: bigint stays bigint, a numeric string (pg's numeric) stays a string. */
export function numberLike(n: number, input: unknown): unknown {
  if (typeof input === 'bigint') return BigInt(Math.trunc(n));
  if (typeof input === 'string') return String(n);
  return n;
}

/** Compares a value with a mask's output: Dates by instant, bytes by content, numbers by value when `numeric`. */
export function sameValue(a: unknown, b: unknown, numeric = false): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  }
  if (numeric || typeof a === 'number' || typeof b === 'number' || typeof a === 'bigint' || typeof b === 'bigint') {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y) && String(a).trim() !== '' && String(b).trim() !== '') return x === y;
  }
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}

/** `YYYY-MM-DD` of a Date in local time, the way pg and mysql2 read and write DATE columns. */
export function localDateText(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `YYYY-MM-DD HH:MM:SS` of a Date in local time. */
export function localTimestampText(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${localDateText(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A calendar date as a value of the input's type: a local-midnight Date for a Date, text otherwise. */
export function dateLike(year: number, month: number, day: number, kind: TypeFamily, input: unknown): unknown {
  const d = new Date(year, month - 1, day);
  d.setFullYear(year); // years 0-99 would otherwise be read as 1900-1999
  if (input instanceof Date) return d;
  return kind === 'timestamp' ? localTimestampText(d) : localDateText(d);
}
