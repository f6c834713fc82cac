// How a subject's rows are written into the export package: JSON that keeps types, CSV that spreadsheets open safely.
import { stringify } from 'csv-stringify/sync';
import type { Row, TypeFamily } from '../../connectors/connector.ts';

export interface BinaryValue {
  base64: string;
  bytes: number;
}

/**
 * A database value as JSON keeps it: numbers stay numbers, dates become ISO 8601 UTC, bytes become
 * `{ base64, bytes }`, 64-bit integers beyond JavaScript's safe range stay exact as decimal text.
 */
export function exportValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return { base64: b.toString('base64'), bytes: b.length } satisfies BinaryValue;
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map(exportValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, exportValue(x)]));
  return v;
}

/**
 * Drivers hand exact decimals and 64-bit integers over as text; in the package they are numbers again whenever
 * the number says exactly the same (else they stay text, so no digit is lost).
 */
export function typedValue(v: unknown, family: TypeFamily | undefined): unknown {
  if (typeof v !== 'string' || (family !== 'decimal' && family !== 'integer')) return v;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) return v;
  if (family === 'integer') return Number.isSafeInteger(n) && String(n) === v.trim().replace(/^\+/, '') ? n : v;
  return String(n) === canonicalDecimal(v) ? n : v;
}

/** `-007.500` -> `-7.5`, `5.00` -> `5`: the text JavaScript prints for the same number, when it is exact. */
function canonicalDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return '';
  const int = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

/** The rows with decimal and integer text turned into numbers, by the column's type family (SQL systems only). */
export function typedRows(rows: readonly Row[], families: ReadonlyMap<string, TypeFamily> | undefined): Row[] {
  if (!families) return [...rows];
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typedValue(v, families.get(k))])));
}

export function exportRow(row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, exportValue(v)]));
}

/** The rows as a JSON array, one object per row. */
export function rowsToJson(rows: readonly Row[]): string {
  return JSON.stringify(rows.map(exportRow), null, 2) + '\n';
}

/** Every column of the rows, in the order first seen (rows of files may differ in their columns). */
export function columnsOf(rows: readonly Row[]): string[] {
  const cols = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols];
}

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading ' makes it text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell's text, defused when it would start a formula. Numbers are left as they are: they cannot be formulas. */
export function csvCell(v: unknown): string {
  const x = exportValue(v);
  if (x === null) return '';
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  const text = typeof x === 'string' ? x : isBinary(x) ? x.base64 : JSON.stringify(x);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function isBinary(x: unknown): x is BinaryValue {
  return typeof x === 'object' && x !== null && typeof (x as BinaryValue).base64 === 'string' && Object.keys(x).length === 2;
}

/** RFC 4180 CSV (CRLF, quoted where needed) with a UTF-8 BOM so spreadsheets read accents right. */
export function rowsToCsv(rows: readonly Row[]): string {
  const cols = columnsOf(rows);
  const records = [cols.map(csvCell), ...rows.map((r) => cols.map((c) => csvCell(r[c])))];
  // csv-stringify quotes a field holding the record delimiter (CRLF) but not a lone LF or CR: quote those too.
  return '\uFEFF' + stringify(records, { record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}
