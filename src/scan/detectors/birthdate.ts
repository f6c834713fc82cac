// Dates of birth, judged by range over the whole column: calendar dates without a time of day, none in the future,
// spread over decades with a median age of an adult. Sign-up or order dates (recent, narrow) do not qualify; a
// column declared or named as a birth date only needs plausible birth dates (between 130 years ago and today).
import { hinted, type ColumnValues, type Detection, type ValueDetector } from '../detector.ts';

const YEAR_MS = 365.2425 * 86_400_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_FIRST = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;

/** The value as a calendar date (UTC midnight), or undefined when it is not a date without a time of day. */
export function calendarDate(raw: unknown, text: string): Date | undefined {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) return undefined;
    // Drivers give DATE values at UTC or at local midnight.
    const utcMidnight = raw.getUTCHours() === 0 && raw.getUTCMinutes() === 0 && raw.getUTCSeconds() === 0 && raw.getUTCMilliseconds() === 0;
    const localMidnight = raw.getHours() === 0 && raw.getMinutes() === 0 && raw.getSeconds() === 0 && raw.getMilliseconds() === 0;
    if (utcMidnight) return raw;
    if (localMidnight) return new Date(Date.UTC(raw.getFullYear(), raw.getMonth(), raw.getDate()));
    return undefined;
  }
  const t = text.trim();
  let m = ISO.exec(t);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = DAY_FIRST.exec(t);
  // 03/04/1985 is ambiguous between day-first and month-first; either way it is a date in that year.
  if (m) return validDate(Number(m[3]), Number(m[2]), Number(m[1])) ?? validDate(Number(m[3]), Number(m[1]), Number(m[2]));
  return undefined;
}

function validDate(y: number, mo: number, d: number): Date | undefined {
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

export function birthdateDetector(now: () => Date = () => new Date()): ValueDetector {
  return {
    id: 'birthdate',
    category: 'identity.birthdate',
    detect(column: ColumnValues): Detection | undefined {
      if (!['date', 'timestamp', 'text', 'other'].includes(column.family) || column.texts.length === 0) return undefined;
      const today = now().getTime();
      const ages: number[] = [];
      column.texts.forEach((text, i) => {
        const d = calendarDate(column.raw[i], text);
        if (d) ages.push((today - d.getTime()) / YEAR_MS);
      });
      const sampled = column.texts.length;
      const plausible = ages.filter((a) => a >= 0 && a <= 130).length;
      if (hinted(column, this.category)) {
        if (!plausible) return undefined;
        return { detector: this.id, category: this.category, confidence: plausible / sampled >= 0.8 ? 0.8 : 0.5, matched: plausible, sampled, evidence: `${plausible} of ${sampled} sampled values are plausible dates of birth` };
      }
      // Alone, the shape of the dates must say "birth": enough of them, all past, adult median, decades of spread.
      if (ages.length < 5 || ages.length / sampled < 0.8 || plausible < ages.length) return undefined;
      const sorted = [...ages].sort((a, b) => a - b);
      const median = quantile(sorted, 0.5);
      const spread = quantile(sorted, 0.9) - quantile(sorted, 0.1);
      if (median < 18 || quantile(sorted, 0.1) < 3 || spread < 15) return undefined;
      return {
        detector: this.id,
        category: this.category,
        confidence: 0.6,
        matched: plausible,
        sampled,
        evidence: `${plausible} of ${sampled} sampled values are dates spread over ${Math.round(spread)} years with a median age of ${Math.round(median)}`,
      };
    },
  };
}
