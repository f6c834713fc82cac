// What a detector sees (one column's sampled values, never more than the sample) and what it says about it.
import type { TypeFamily } from '../../connectors/connector.ts';

export interface ColumnValues {
  name: string;
  family: TypeFamily;
  /** Non-empty sampled values as text (dates as ISO text, JSON as its text), at most the sample size. */
  texts: string[];
  /** The same values as the driver gave them (a Date stays a Date), index-aligned with `texts`. */
  raw: unknown[];
  /**
   * A category the column is declared with or named after: a detector may then accept weaker forms (a phone
   * number without separators, a bare five-digit postal code) that alone would prove nothing.
   */
  hint?: string;
}

export interface Detection {
  detector: string;
  /** The taxonomy category this suggests. */
  category: string;
  /** 0..1 */
  confidence: number;
  /** Sampled values that matched, of `sampled` non-empty ones (0 of 0 for a name). */
  matched: number;
  sampled: number;
  /** Why, in words, never quoting a value: `38 of 40 sampled values are email addresses`. */
  evidence: string;
}

/** Judges a column by its values. One detector per file under detectors/. */
export interface ValueDetector {
  id: string;
  category: string;
  detect(column: ColumnValues): Detection | undefined;
}

/** A matched share as a confidence: most values matching is near-certain; a few in free text still count. */
export function confidenceOf(matched: number, sampled: number): number {
  if (matched === 0 || sampled === 0) return 0;
  const share = matched / sampled;
  const c = share >= 0.8 ? 0.95 : share >= 0.5 ? 0.85 : share >= 0.2 ? 0.7 : matched >= 3 || share >= 0.05 ? 0.55 : 0.3;
  // Two values prove less than two hundred.
  return sampled < 3 ? Math.min(c, 0.6) : c;
}

/** A detection from a count of matching values, or undefined when none matched. */
export function byShare(detector: string, category: string, matched: number, sampled: number, what: string): Detection | undefined {
  if (matched === 0) return undefined;
  return { detector, category, confidence: confidenceOf(matched, sampled), matched, sampled, evidence: `${matched} of ${sampled} sampled values ${what}` };
}

/** Counts the values for which `test` holds. */
export function countMatching(texts: readonly string[], test: (text: string) => boolean): number {
  let n = 0;
  for (const t of texts) if (test(t)) n++;
  return n;
}

/** The column is declared or named as `category` (or something under it). */
export function hinted(column: ColumnValues, category: string): boolean {
  return column.hint !== undefined && (column.hint === category || column.hint.startsWith(category + '.'));
}

/** At most `max` of the values, evenly strided over them: for detectors too costly to run on every sampled value. */
export function strided(texts: readonly string[], max: number): readonly string[] {
  if (texts.length <= max) return texts;
  const step = texts.length / max;
  const out: string[] = new Array(max);
  for (let i = 0; i < max; i++) out[i] = texts[Math.floor(i * step)];
  return out;
}
