// IBANs: country code, check digits, a country-specific length, and the ISO 7064 mod-97 checksum, so a random
// code passes one time in 97 at most. Whole values or IBANs written in text (grouped by four or not).
import { byShare, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';

/** IBAN length per country (SWIFT registry). */
const LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

const COUNTRY_AND_CHECK = /[A-Za-z]{2}\d{2}/;
const CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;

/** The mod-97 remainder of the rearranged IBAN, computed in pieces (the number has up to 70 digits). */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch; // A=10 ... Z=35
    for (const d of value) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

export function isIban(text: string): boolean {
  if (text.length < 15 || text.length > 42 || !COUNTRY_AND_CHECK.test(text.slice(0, 4))) return false;
  const t = text.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(t)) return false;
  const length = LENGTHS[t.slice(0, 2)];
  return length === t.length && mod97(t) === 1;
}

export function containsIban(text: string): boolean {
  if (!COUNTRY_AND_CHECK.test(text)) return false;
  for (const m of text.toUpperCase().matchAll(CANDIDATE)) if (isIban(m[0])) return true;
  return false;
}

export const ibanDetector: ValueDetector = {
  id: 'iban',
  category: 'billing.bank-account',
  detect(column: ColumnValues): Detection | undefined {
    let matched = 0;
    for (const t of column.texts) if (isIban(t) || (t.length > 15 && containsIban(t))) matched++;
    return byShare(this.id, this.category, matched, column.texts.length, 'are or contain IBANs with a valid checksum');
  },
};
