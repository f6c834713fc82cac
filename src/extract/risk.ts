// Judging a lattice node by its class-size histogram, and the re-identification risk of what is written.
// Prosecutor model: an attacker who knows the target is in the data set and knows their quasi values picks among
// the subjects of the target's class, so a subject's risk is 1 / (subjects in its class). Classes are judged by
// their distinct subjects, never their rows: seven invoices of one customer are a class of one. A class is
// l-diverse when it shows l distinct sensitive values and holds at least l subjects (one person's values are not
// diversity).
import type { SensitiveTarget } from './privacy-model.ts';
import type { ClassCount } from './source.ts';

/** k, then the sensitive side (distinct-, entropy- or recursive-l, t-closeness: privacy-model.ts). */
export interface PrivacyTarget extends SensitiveTarget {
  k: number;
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
  return c.subjects < target.k || (target.l !== undefined && c.distinct.length > 0 && (c.subjects < target.l || c.distinct.some((d) => d < target.l!)));
}

export function judge(counts: readonly ClassCount[], target: PrivacyTarget): NodeJudgement {
  const j: NodeJudgement = { rows: 0, classes: 0, suppressedRows: 0, suppressedClasses: 0, rowsUnderK: 0, qualifies: false };
  for (const c of counts) {
    j.rows += c.size * c.classes;
    j.classes += c.classes;
    if (failsClass(c, target)) {
      j.suppressedRows += c.size * c.classes;
      j.suppressedClasses += c.classes;
      if (c.subjects < target.k) j.rowsUnderK += c.size * c.classes;
    }
  }
  j.qualifies = j.suppressedRows <= allowedSuppression(j.rows, target.maxSuppression);
  return j;
}

export interface ProsecutorRisk {
  /** 1 / the fewest subjects of a class (0 when nothing is written). */
  max: number;
  /** Average over subjects of 1 / subjects in their class = classes / subjects. */
  average: number;
  /** Share of subjects whose risk exceeds 1/k, i.e. in classes of fewer than k subjects. */
  shareAboveThreshold: number;
  threshold: number;
}

export interface RecordRisk {
  /** Fewest subjects of a class written: the k the data achieves (0 when nothing is written). */
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
  /** Subjects in the classes written (a subject in two classes counts in each). */
  subjectsOut: number;
  utility: Utility;
  /** Classes by their subjects, with their rows (all of them, suppressed ones marked). */
  classSizes: Array<{ subjects: number; size: number; classes: number; suppressed: boolean }>;
}

/** How much the data still says (ARX's utility measures), beside the information loss of the levels chosen. */
export interface Utility {
  /** Discernibility (Bayardo and Agrawal 2005): each row written costs its class's size, each row suppressed the source's. */
  discernibility: number;
  /** Rows written per class written, and that divided by k (1 is the best a k-anonymous release can do). */
  averageClassSize: number;
  averageClassSizeNormalized: number;
  /**
   * Non-uniform entropy (Gionis and Tassa 2008): bits lost per row against the lowest levels the search read,
   * suppressed rows as if fully generalized; normalized to [0, 1] by the all-`*` release. Null when the database
   * answered the search (no frequency set to compute it from).
   */
  nonUniformEntropy: { bits: number; normalized: number } | null;
}

export function recordRisk(counts: readonly ClassCount[], target: PrivacyTarget): RecordRisk {
  const kept = counts.filter((c) => !failsClass(c, target));
  const failed = counts.filter((c) => failsClass(c, target));
  const rows = (cs: readonly ClassCount[]) => cs.reduce((n, c) => n + c.size * c.classes, 0);
  const classes = (cs: readonly ClassCount[]) => cs.reduce((n, c) => n + c.classes, 0);
  const distinct = kept.flatMap((c) => c.distinct.map((d) => Math.min(d, c.subjects)));
  const sizes = new Map<string, { subjects: number; size: number; classes: number; suppressed: boolean }>();
  for (const c of counts) {
    const suppressed = failsClass(c, target);
    const key = `${c.subjects}:${c.size}:${suppressed}`;
    const entry = sizes.get(key) ?? { subjects: c.subjects, size: c.size, classes: 0, suppressed };
    entry.classes += c.classes;
    sizes.set(key, entry);
  }
  return {
    kAchieved: kept.length ? Math.min(...kept.map((c) => c.subjects)) : 0,
    ...(counts.some((c) => c.distinct.length) ? { lAchieved: distinct.length ? Math.min(...distinct) : 0 } : {}),
    rowsIn: rows(counts),
    rowsOut: rows(kept),
    rowsSuppressed: rows(failed),
    classesOut: classes(kept),
    classesSuppressed: classes(failed),
    subjectsOut: kept.reduce((n, c) => n + c.subjects * c.classes, 0),
    utility: {
      discernibility: kept.reduce((n, c) => n + c.size * c.size * c.classes, 0) + rows(failed) * rows(counts),
      averageClassSize: classes(kept) ? rows(kept) / classes(kept) : 0,
      averageClassSizeNormalized: classes(kept) ? rows(kept) / classes(kept) / target.k : 0,
      nonUniformEntropy: null,
    },
    output: prosecutor(kept, target.k),
    beforeSuppression: prosecutor(counts, target.k),
    classSizes: [...sizes.values()].sort((a, b) => a.subjects - b.subjects || a.size - b.size || Number(a.suppressed) - Number(b.suppressed)),
  };
}

function prosecutor(counts: readonly ClassCount[], k: number): ProsecutorRisk {
  const subjects = counts.reduce((n, c) => n + c.subjects * c.classes, 0);
  const classes = counts.reduce((n, c) => n + (c.subjects ? c.classes : 0), 0);
  const atRisk = counts.filter((c) => c.subjects < k).reduce((n, c) => n + c.subjects * c.classes, 0);
  const fewest = counts.length ? Math.min(...counts.map((c) => c.subjects)) : 0;
  return {
    max: fewest ? 1 / fewest : counts.length ? 1 : 0,
    average: subjects ? classes / subjects : 0,
    shareAboveThreshold: subjects ? atRisk / subjects : 0,
    threshold: 1 / k,
  };
}
