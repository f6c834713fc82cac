// The classes of the rows actually written, checked as they are written. The search counted classes with one
// query and the rows stream from another: rows added in between could form a class the search never saw. So every
// written class is counted again on its way out (SQL sources give a class's rows together: one class in memory at a
// time; files: one entry per class) and a class under k or not l-diverse stops the extract before the file is kept.
// The risk report is computed from these counts: it describes the file as written.
import { textOf } from './generalize-value.ts';
import { failsDistribution, needsDistribution, type GlobalDistribution } from './privacy-model.ts';
import { failsClass, type PrivacyTarget } from './risk.ts';
import { classKey, type ClassCount } from './source.ts';

/** Distinct sensitive values tracked per class: enough to prove l, bounded whatever the class size. */
const DISTINCT_CAP = 1000;

export class ClassChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassChangedError';
  }
}

interface OpenClass {
  quasi: readonly unknown[];
  size: number;
  /** Distinct subjects; ordered sources give one subject's rows together, so the last one is enough to count. */
  subjects: number;
  lastSubject?: string;
  /** Unordered sources: every subject of the class so far. */
  seen?: Set<string>;
  distinct: Set<string>[];
  /** Distribution models: per sensitive column, value -> subjects holding it; `held` what the current subject (ordered) or each subject (unordered, `subject\0value`) was counted for. */
  frequencies?: Map<string, number>[];
  held?: Set<string>[];
  suppressed: boolean;
}

/** What the distribution models (entropy-l, recursive-(c,l), t) judge the written classes against. */
export interface DistributionCheck {
  /** The source's distribution of each sensitive column, from the search. */
  distributions?: readonly GlobalDistribution[];
  /** Per sensitive column, the value's name (default: its text). */
  keys?: ReadonlyArray<(v: unknown) => string>;
}

export class WrittenClasses {
  readonly #target: PrivacyTarget;
  readonly #sensitive: number;
  readonly #failing: ReadonlySet<string>;
  readonly #histogram = new Map<string, ClassCount>();
  /** ordered sources: the class being read; unordered: every class so far. */
  #current: OpenClass | undefined;
  readonly #all: Map<string, OpenClass> | undefined;

  readonly #distributions: readonly GlobalDistribution[] | undefined;

  /** How each sensitive value is named: as the search's frequency set names it (record.ts), so that t compares like with like. */
  readonly #keys: ReadonlyArray<(v: unknown) => string> | undefined;

  constructor(target: PrivacyTarget, sensitiveColumns: number, failing: ReadonlySet<string>, ordered: boolean, models: DistributionCheck = {}) {
    this.#target = target;
    this.#distributions = needsDistribution(target) ? (models.distributions ?? []) : undefined;
    this.#keys = models.keys;
    this.#sensitive = sensitiveColumns;
    this.#failing = failing;
    this.#all = ordered ? undefined : new Map();
  }

  /**
   * Counts a row whose first `quasi` values are its class, whose values at `sensitiveAt` are its sensitive ones and
   * whose value at `subjectAt` names its subject (-1: every row is its own subject); true when the row is to be
   * written (its class is not suppressed).
   */
  admit(row: readonly unknown[], quasi: number, sensitiveAt: readonly number[], subjectAt = -1): boolean {
    let c: OpenClass | undefined;
    if (this.#all) {
      const values = row.slice(0, quasi);
      const key = classKey(values);
      c = this.#all.get(key);
      if (!c) this.#all.set(key, (c = this.#open(values, key)));
    } else {
      c = this.#current;
      if (!c || !samePrefix(c.quasi, row)) {
        if (c) this.#close(c);
        c = this.#current = this.#open(row.slice(0, quasi));
      }
    }
    c.size++;
    let subject: string | undefined;
    let newSubject = true;
    if (subjectAt < 0) c.subjects++;
    else {
      const v = row[subjectAt];
      // NULL names nobody: such rows add no subject, so a class of them fails k (never the other way round).
      if (v !== null && v !== undefined) {
        subject = textOf(v);
        if (c.seen) {
          if (!c.seen.has(subject)) (c.seen.add(subject), c.subjects++);
        } else if (subject !== c.lastSubject) {
          c.lastSubject = subject;
          c.subjects++;
        } else newSubject = false;
      }
    }
    if (c.frequencies && !c.suppressed && (subjectAt < 0 || subject !== undefined)) this.#count(c, row, sensitiveAt, subject, newSubject);
    if (!c.suppressed) {
      for (let i = 0; i < sensitiveAt.length; i++) {
        const v = row[sensitiveAt[i]];
        if (v !== null && v !== undefined && c.distinct[i].size < DISTINCT_CAP) c.distinct[i].add(this.#key(i, v));
      }
    }
    return !c.suppressed;
  }

  /** A row's sensitive values in its class's distributions, each subject counted once per value. */
  #count(c: OpenClass, row: readonly unknown[], sensitiveAt: readonly number[], subject: string | undefined, newSubject: boolean): void {
    // Ordered sources: the marks are the current subject's, whatever its values (a NULL first value included).
    if (subject !== undefined && !c.seen && newSubject) for (const held of c.held!) held.clear();
    for (let i = 0; i < sensitiveAt.length; i++) {
      const v = row[sensitiveAt[i]];
      if (v === null || v === undefined) continue;
      const key = this.#key(i, v);
      if (subject !== undefined) {
        const mark = c.seen ? `${subject}\0${key}` : key;
        if (c.held![i].has(mark)) continue;
        c.held![i].add(mark);
      }
      c.frequencies![i].set(key, (c.frequencies![i].get(key) ?? 0) + 1);
    }
  }

  #key(i: number, v: unknown): string {
    return this.#keys ? this.#keys[i](v) : textOf(v);
  }

  /** Whether a class's distributions fail the target (a value the search never saw fails t: the source changed). */
  #failsDistributions(c: OpenClass): boolean {
    return c.frequencies!.some((frequencies, i) => {
      const global = this.#distributions![i];
      const positions = [...frequencies.keys()].map((k) => global?.index.get(k) ?? -1);
      if (this.#target.t !== undefined && positions.includes(-1)) return true;
      return failsDistribution([...frequencies.values()], positions, this.#target, global);
    });
  }

  /** The histogram of every class met (suppressed ones marked); throws ClassChangedError for a written class that fails. */
  finish(): ClassCount[] {
    if (this.#current) this.#close(this.#current);
    this.#current = undefined;
    for (const c of this.#all?.values() ?? []) this.#close(c);
    return [...this.#histogram.values()];
  }

  #open(quasi: readonly unknown[], key?: string): OpenClass {
    const suppressed = this.#failing.size > 0 && this.#failing.has(key ?? classKey(quasi));
    const perColumn = <T>(make: () => T) => Array.from({ length: this.#sensitive }, make);
    const distributions = this.#distributions ? { frequencies: perColumn(() => new Map<string, number>()), held: perColumn(() => new Set<string>()) } : {};
    return { quasi, size: 0, subjects: 0, ...(this.#all ? { seen: new Set<string>() } : {}), distinct: perColumn(() => new Set<string>()), ...distributions, suppressed };
  }

  #close(c: OpenClass): void {
    const distinct = c.suppressed ? [] : c.distinct.map((d) => d.size);
    if (!c.suppressed && (failsClass({ size: c.size, subjects: c.subjects, distinct, classes: 1 }, this.#target) || (c.frequencies && this.#failsDistributions(c)))) {
      throw new ClassChangedError(
        `a class written holds ${c.subjects} subject(s)${distinct.length ? ` and ${Math.min(...distinct)} distinct sensitive value(s)` : ''} where the search counted at least k=${this.#target.k}${this.#target.l ? `, ${this.#target.diversity ?? 'distinct'} l=${this.#target.l}` : ''}${this.#target.t !== undefined ? `, t=${this.#target.t}` : ''}: the source changed while it was read`,
      );
    }
    const key = `${c.size}|${c.subjects}|${distinct.join(',')}|${c.suppressed}`;
    const entry = this.#histogram.get(key);
    if (entry) entry.classes++;
    else this.#histogram.set(key, { size: c.size, subjects: c.subjects, distinct, classes: 1, suppressed: c.suppressed });
    c.seen = undefined;
    c.frequencies = undefined;
    c.held = undefined;
  }
}

/** The class's values equal the row's first values. */
function samePrefix(quasi: readonly unknown[], row: readonly unknown[]): boolean {
  for (let i = 0; i < quasi.length; i++) if (quasi[i] !== row[i]) return false;
  return true;
}
