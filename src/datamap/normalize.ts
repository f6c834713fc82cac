// Normalizing identities and link values, so that `Ann@X.com ` finds `ann@x.com` and `"1"` in a CSV meets integer 1.
import type { Normalizer } from './types.ts';

export const NORMALIZERS: readonly Normalizer[] = ['lowercase-trim', 'digits', 'trim', 'none'];

/**
 * An identity value as the identity type's normalizer shapes it (applied to both the input and the column):
 * Unicode NFC first, then `lowercase-trim` lowercases every letter but the lookalike (compatibility) characters.
 * JavaScript's and SQL's lowercasing map U+212A KELVIN SIGN to `k`, so `\u212Aim@example.org`, another mailbox,
 * would meet `kim@`; `JOSÉ@` still meets `josé@`, and the hashes of holds and opt-outs recorded before stay the same.
 * SQL lookups compare with the engine's lower() (it may use an index) and every row found is checked again here.
 */
export function normalizeIdentity(normalizer: Normalizer, value: string): string {
  switch (normalizer) {
    case 'lowercase-trim':
      return lowerButLookalikes(canonical(value).trim());
    case 'digits':
      return value.replace(/[^0-9]/g, '');
    case 'trim':
      return canonical(value).trim();
    case 'none':
      return value;
  }
}

/**
 * NFC, unless the text holds a lookalike character: NFC itself turns the Kelvin sign into `K`, so such a value is
 * left as it is and can never equal an identity in plain characters (the command line refuses lookalikes).
 */
function canonical(text: string): string {
  return NON_ASCII.test(text) && lookalikes(text).length ? text : text.normalize('NFC');
}

/** Quick test before the exact one: only non-ASCII text can hold a lookalike. */
const NON_ASCII = /[^\u0000-\u007f]/;

function lowerButLookalikes(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += ch.normalize('NFKC') === ch ? ch.toLowerCase() : ch;
  return out;
}

/**
 * What an engine's Unicode-aware normalization may make of a stored value that normalizes to `value`: SQL lookups
 * ask for all of them (a superset), and normalizeIdentity() decides on each row found.
 */
export function lookupVariants(normalizer: Normalizer, value: string): string[] {
  if (normalizer !== 'lowercase-trim' && normalizer !== 'trim') return [value];
  const forms = [value, value.normalize('NFD')];
  if (normalizer === 'lowercase-trim') forms.push(...forms.map((f) => f.toLowerCase()));
  return [...new Set(forms)];
}

/**
 * Characters that look like others (compatibility characters: the Kelvin sign, fullwidth letters, ligatures) in an
 * identity given on the command line: `U+212A KELVIN SIGN` and the like, or [] when there are none.
 */
export function lookalikes(value: string): string[] {
  const found = new Set<string>();
  for (const ch of value) {
    if (ch.normalize('NFKC') !== ch) found.add(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return [...found];
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
