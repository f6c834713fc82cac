// Whether a column's emails or phones are the whole value (a contact column, which can identify a subject) or sit
// inside longer text (a `notes` column, whose personal data is redacted, never hashed whole).
import type { ColumnCollector } from './column-collector.ts';
import { strided } from './detector.ts';
import { isEmail } from './detectors/email.ts';
import { isPhoneNumber } from './detectors/phone.ts';

/** Whole-value tests of the categories an identity type can name (`identities: { email: ... }`). */
export const WHOLE_VALUE: Record<string, (text: string) => boolean> = {
  'contact.email': isEmail,
  'contact.phone': (t) => isPhoneNumber(t, true),
};

/** Values checked for being whole emails or phones (a phone parse is slow). */
const WHOLE_VALUE_CHECKS = 100;

/** False when the column's emails or phones sit inside longer text (a `notes` column). */
export function holdsWholeValues(category: string, collector: Pick<ColumnCollector, 'texts'>): boolean {
  const test = WHOLE_VALUE[category];
  const texts = strided(collector.texts, WHOLE_VALUE_CHECKS);
  if (!test || texts.length === 0) return true;
  return texts.filter(test).length / texts.length >= 0.8;
}
