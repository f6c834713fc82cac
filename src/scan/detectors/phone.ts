// Phone numbers, by libphonenumber-js's full metadata. A value counts when it is written like a phone number:
// an international prefix (`+`, `00`), or national grouping (spaces, dashes, parentheses) that is a valid number
// of a common country (judged on up to 100 of a column's values: parsing is slow). Bare digit runs (order numbers, timestamps) count only for a column declared or named
// as a phone.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { byShare, countMatching, hinted, strided, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';
import { isIpAddress } from './ip.ts';

/** Parsing with full metadata costs ~50 µs a value: a column's share is judged on this many of its values. */
const CHECKED = 100;
const COUNTRIES: CountryCode[] = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'CA', 'AU', 'IN', 'BR', 'JP'];
const PHONE_CHARS = /^\+?[\d\s().\-/]+$/;
const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
const DECIMAL = /^-?\d+\.\d+$/;

function digitsOf(text: string): number {
  let n = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') n++;
  return n;
}

/** `lenient`: digits alone are enough (the column is known to hold phones). */
export function isPhoneNumber(text: string, lenient = false): boolean {
  let t = text.trim();
  if (t.length > 32 || !PHONE_CHARS.test(t) || DATE_LIKE.test(t) || DECIMAL.test(t) || isIpAddress(t)) return false;
  const digits = digitsOf(t);
  if (digits < 7 || digits > 15) return false;
  if (t.startsWith('00')) t = '+' + t.slice(2);
  if (t.startsWith('+')) return parsePhoneNumberFromString(t)?.isPossible() ?? false;
  const formatted = /[\s()\-./]/.test(t);
  if (!formatted && !lenient) return false;
  return COUNTRIES.some((country) => parsePhoneNumberFromString(t, country)?.isValid() ?? false);
}

export const phoneDetector: ValueDetector = {
  id: 'phone',
  category: 'contact.phone',
  detect(column: ColumnValues): Detection | undefined {
    const lenient = hinted(column, this.category);
    const texts = strided(column.texts, CHECKED);
    return byShare(this.id, this.category, countMatching(texts, (t) => isPhoneNumber(t, lenient)), texts.length, 'are phone numbers');
  },
};
