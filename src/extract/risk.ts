// Judging a lattice node by its class-size histogram, and the re-identification risk of what is written.
// Prosecutor model: an attacker who knows the target is in the data set and knows their quasi values picks among
// the records of the target's class, so a record's risk is 1 / (size of its class).
import type { ClassCount } from './source.ts';

export interface PrivacyTarget {
  k: number;
  l?: number;
  /** Largest share of rows that may be suppressed. */
  maxSuppression: number;
}

export interface NodeJudgement {
  rows: number;
  classes: number;
  suppressedRows: number;
  suppressedClasses: number;
  /** Rows suppressed because their class is under k (the rest failed l only). */
  rowsUnderK: number;
  qualifies: boolean;
}

/** Rows the target allows to suppress out of `rows` (the boundary itself is allowed). */
export function allowedSuppression(rows: number, maxSuppression: number): number {
  return Math.floor(rows * maxSuppression + 1e-9);
}

export function failsClass(c: ClassCount, target: PrivacyTarget): boolean {
  if (c.suppressed !== undefined) return c.suppressed;
  return c.size < target.k || (target.l !== undefined && c.distinct.some((d) => d < target.l!));
}

export function judge(counts: readonly ClassCount[], target: PrivacyTarget): NodeJudgement {
  const j: NodeJudgement = { rows: 0, classes: 0, suppressedRows: 0, suppressedClasses: 0, rowsUnderK: 0, qualifies: false };
  for (const c of counts) {
    j.rows += c.size * c.classes;
    j.classes += c.classes;
    if (failsClass(c, target)) {
      j.suppressedRows += c.size * c.classes;
      j.suppressedClasses += c.classes;
      if (c.size < target.k) j.rowsUnderK += c.size * c.classes;
    }
  }
  j.qualifies = j.suppressedRows <= allowedSuppression(j.rows, target.maxSuppression);
  return j;
}

export interface ProsecutorRisk {
  /** 1 / the smallest class (0 when nothing is written). */
  max: number;
  /** Average over records of 1 / class size = classes / records. */
  average: number;
  /** Share of records whose risk exceeds 1/k, i.e. in classes smaller than k. */
  shareAboveThreshold: number;
  threshold: number;
}

export interface RecordRisk {
  /** Smallest class written: the k the data achieves (0 when nothing is written). */
  kAchieved: number;
  /** Fewest distinct values of a sensitive column in any class written (undefined without sensitive columns). */
  lAchieved?: number;
  rowsIn: number;
  rowsOut: number;
  rowsSuppressed: number;
  classesOut: number;
  classesSuppressed: number;
  /** Risk of the records written. */
  output: ProsecutorRisk;
  /** Risk had the failing classes been written too: what suppression removed. */
  beforeSuppression: ProsecutorRisk;
  /** Classes by size (all of them, suppressed ones marked). */
  classSizes: Array<{ size: number; classes: number; suppressed: boolean }>;
}

export function recordRisk(counts: readonly ClassCount[], target: PrivacyTarget): RecordRisk {
  const kept = counts.filter((c) => !failsClass(c, target));
  const failed = counts.filter((c) => failsClass(c, target));
  const rows = (cs: readonly ClassCount[]) => cs.reduce((n, c) => n + c.size * c.classes, 0);
  const classes = (cs: readonly ClassCount[]) => cs.reduce((n, c) => n + c.classes, 0);
  const distinct = kept.flatMap((c) => c.distinct);
  const sizes = new Map<string, { size: number; classes: number; suppressed: boolean }>();
  for (const c of counts) {
    const suppressed = failsClass(c, target);
    const key = `${c.size}:${suppressed}`;
    const entry = sizes.get(key) ?? { size: c.size, classes: 0, suppressed };
    entry.classes += c.classes;
    sizes.set(key, entry);
  }
  return {
    kAchieved: kept.length ? Math.min(...kept.map((c) => c.size)) : 0,
    ...(counts.some((c) => c.distinct.length) ? { lAchieved: distinct.length ? Math.min(...distinct) : 0 } : {}),
    rowsIn: rows(counts),
    rowsOut: rows(kept),
    rowsSuppressed: rows(failed),
    classesOut: classes(kept),
    classesSuppressed: classes(failed),
    output: prosecutor(kept, target.k),
    beforeSuppression: prosecutor(counts, target.k),
    classSizes: [...sizes.values()].sort((a, b) => a.size - b.size || Number(a.suppressed) - Number(b.suppressed)),
  };
}

function prosecutor(counts: readonly ClassCount[], k: number): ProsecutorRisk {
  const records = counts.reduce((n, c) => n + c.size * c.classes, 0);
  const classes = counts.reduce((n, c) => n + c.classes, 0);
  const atRisk = counts.filter((c) => c.size < k).reduce((n, c) => n + c.size * c.classes, 0);
  const smallest = counts.length ? Math.min(...counts.map((c) => c.size)) : 0;
  return {
    max: smallest ? 1 / smallest : 0,
    average: records ? classes / records : 0,
    shareAboveThreshold: records ? atRisk / records : 0,
    threshold: 1 / k,
  };
}
