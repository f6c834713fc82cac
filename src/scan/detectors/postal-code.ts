// Postal codes. Distinctive national formats (UK, Canada, the Netherlands, US ZIP+4, Poland, Japan, Brazil) count
// as medium evidence on their own; bare four- or five-digit codes (US, DE, FR, ...) are any number, so they only
// count in a column declared or named as a postal code.
import { countMatching, hinted, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';

const DISTINCTIVE = [
  /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, // UK
  /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i, // Canada
  /^\d{4} ?[A-Z]{2}$/i, // Netherlands
  /^\d{5}-\d{4}$/, // US ZIP+4
  /^\d{2}-\d{3}$/, // Poland
  /^\d{3}-\d{4}$/, // Japan
  /^\d{5}-\d{3}$/, // Brazil
];
const BARE = /^\d{4,5}$/;

export function isDistinctivePostalCode(text: string): boolean {
  const t = text.trim();
  if (t.length < 5 || t.length > 10) return false;
  return DISTINCTIVE.some((re) => re.test(t));
}

export function isPostalCode(text: string, lenient = false): boolean {
  return isDistinctivePostalCode(text) || (lenient && BARE.test(text.trim()));
}

export const postalCodeDetector: ValueDetector = {
  id: 'postal-code',
  category: 'contact.address.postal',
  detect(column: ColumnValues): Detection | undefined {
    const sampled = column.texts.length;
    if (sampled === 0) return undefined;
    if (hinted(column, this.category)) {
      const matched = countMatching(column.texts, (t) => isPostalCode(t, true));
      if (!matched) return undefined;
      return { detector: this.id, category: this.category, confidence: matched / sampled >= 0.8 ? 0.7 : 0.4, matched, sampled, evidence: `${matched} of ${sampled} sampled values are shaped like postal codes` };
    }
    if (column.family !== 'text') return undefined;
    const matched = countMatching(column.texts, isDistinctivePostalCode);
    // Part numbers and codes share these shapes now and then: only a column that is nearly all of them.
    if (sampled < 5 || matched / sampled < 0.8) return undefined;
    return { detector: this.id, category: this.category, confidence: 0.55, matched, sampled, evidence: `${matched} of ${sampled} sampled values are postal codes of a national format` };
  },
};
