// One column's verdict: what its name and its sampled values say, combined into a category and a confidence.
// A name and values that agree reinforce each other; a name whose category can be checked on values (email,
// phone, IP, birth date, postal code, IBAN) but whose values show none of it counts half.
import type { ColumnValues, Detection, ValueDetector } from './detector.ts';
import { detectColumnName } from './detectors/column-name.ts';
import { detectorForCategory } from './detectors/index.ts';

export type Level = 'high' | 'medium' | 'low';

export interface ColumnJudgement {
  category: string;
  confidence: number;
  level: Level;
  /** Everything that pointed at personal data, strongest first. */
  detections: Detection[];
}

/** Undeclared columns at or above this confidence are reported. */
export const REPORT_AT = 0.5;
/** Values needed before "none of them matched" weakens what the name says. */
const CONTRADICT_AT = 10;

export function levelOf(confidence: number): Level {
  return confidence >= 0.8 ? 'high' : confidence >= REPORT_AT ? 'medium' : 'low';
}

const related = (a: string, b: string) => a === b || a.startsWith(b + '.') || b.startsWith(a + '.');

/** The column's verdict, or undefined when nothing points at personal data. */
export function judgeColumn(column: Omit<ColumnValues, 'hint'>, table: string, detectors: readonly ValueDetector[]): ColumnJudgement | undefined {
  let byName = detectColumnName(column.name, column.family, table);
  const hint = byName?.category;
  const byValue = detectors.flatMap((d) => d.detect({ ...column, hint }) ?? []);

  if (byName) {
    const checker = detectorForCategory(detectors, byName.category);
    const confirmed = byValue.some((d) => related(d.category, byName!.category));
    if (checker && !confirmed && column.texts.length >= CONTRADICT_AT) {
      byName = { ...byName, confidence: byName.confidence / 2, evidence: `${byName.evidence}, but none of ${column.texts.length} sampled values looks like it` };
    }
  }

  const candidates: Array<{ category: string; confidence: number; detections: Detection[] }> = byValue.map((d) => ({ category: d.category, confidence: d.confidence, detections: [d] }));
  if (byName) {
    const partner = candidates.filter((c) => related(c.category, byName!.category)).sort((a, b) => b.confidence - a.confidence)[0];
    if (partner) {
      partner.confidence = 1 - (1 - partner.confidence) * (1 - byName.confidence);
      if (byName.category.length > partner.category.length) partner.category = byName.category;
      partner.detections.unshift(byName);
    } else candidates.push({ category: byName.category, confidence: byName.confidence, detections: [byName] });
  }
  if (!candidates.length) return undefined;
  candidates.sort((a, b) => b.confidence - a.confidence);
  const best = candidates[0];
  const confidence = Math.round(best.confidence * 100) / 100;
  const detections = [...new Set(candidates.flatMap((c) => c.detections))].sort((a, b) => b.confidence - a.confidence);
  return { category: best.category, confidence, level: levelOf(confidence), detections };
}
