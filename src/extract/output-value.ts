// How a sensitive or kept value is written, and so how the privacy checks name it: one function for the search's
// frequency set and the written rows, so that both speak of the same values.
import type { TypeFamily } from '../../connectors/connector.ts';
import { NUMERIC_FAMILIES } from './ladder.ts';

/** A sensitive or kept value as written: numbers exact, booleans as booleans, bytes as base64, anything else as text. */
export function outputValue(family: TypeFamily, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    if (NUMERIC_FAMILIES.includes(family)) {
      const n = Number(v);
      return v.trim() !== '' && Number.isFinite(n) && (String(n) === v || !/^-?\d+$/.test(v)) ? n : v;
    }
    if (family === 'boolean' && /^(t|f|true|false|0|1)$/i.test(v)) return /^(t|true|1)$/i.test(v);
    return v;
  }
  if (typeof v === 'number') return family === 'boolean' ? v !== 0 : v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v);
}
