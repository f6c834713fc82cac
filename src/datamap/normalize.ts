// Normalizing identities and link values, so that `Ann@X.com ` finds `ann@x.com` and `"1"` in a CSV meets integer 1.
import type { Normalizer } from './types.ts';

export const NORMALIZERS: readonly Normalizer[] = ['lowercase-trim', 'digits', 'trim', 'none'];

/** An identity value as the identity type's normalizer shapes it (applied to both the input and the column). */
export function normalizeIdentity(normalizer: Normalizer, value: string): string {
  switch (normalizer) {
    case 'lowercase-trim':
      return value.trim().toLowerCase();
    case 'digits':
      return value.replace(/[^0-9]/g, '');
    case 'trim':
      return value.trim();
    case 'none':
      return value;
  }
}

const WHOLE_DECIMAL = /^(-?[0-9]+)\.0+$/;

/**
 * A link value as text, so that values of different engines compare equal: numbers and numeric strings
 * without a trailing `.0`, bigints in decimal, bytes as lowercase hex, dates as ISO 8601, strings trimmed.
 * NULL and undefined give '' (callers skip them: an empty link leads nowhere).
 */
export function normalizeLinkValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') {
    const s = v.trim();
    const whole = WHOLE_DECIMAL.exec(s);
    return whole ? canonicalInteger(whole[1]) : s;
  }
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return JSON.stringify(v);
}

function canonicalInteger(digits: string): string {
  return digits === '-0' ? '0' : digits;
}
