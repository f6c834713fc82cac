// The search's one read of the data: the source's rows grouped once at the lowest levels the lattice may use, by
// class, subject and sensitive values (ARX's frequency snapshot). Every lattice node is then evaluated here by
// rolling those groups up, with no further query: a node's classes are unions of base classes, because each
// column's value at any level is read with the base group (a function of it). The groups are kept in typed
// arrays, bounded by the caller: a source with more groups than the bound is searched another way (record.ts).
import { compareValues, numberOf } from './cell-order.ts';
import type { Levels } from './lattice.ts';
import type { Ladder } from './ladder.ts';
import { failsDistribution, globalDistribution, needsDistribution, type GlobalDistribution } from './privacy-model.ts';
import type { PrivacyTarget } from './risk.ts';
import { classKey, type ClassCount } from './source.ts';

/**
 * What a base row holds, in order: for each quasi column its value at every level from its lowest up that is not
 * `*` (canonical, as the output writes it); then the subject (`ranked`: a number from the database's dense_rank,
 * rows ordered by it; `keyed`: a text; `none`: every row is its own subject); then each sensitive value's key
 * (null for NULL); last the rows the group counts (absent: one).
 */
export interface FrequencyLayout {
  quasi: Ladder[];
  min: Levels;
  subjects: 'ranked' | 'keyed' | 'none';
  /** `auto` (files, whose values are all text): ordered when every value reads as a number. */
  sensitive: Array<{ distance: GlobalDistribution['distance'] | 'auto' }>;
}

/** The levels of a ladder a base row carries (its `*` levels are constants, never read). */
export function levelsRead(ladder: Ladder, min: number): number[] {
  const out: number[] = [];
  for (let level = min; level < ladder.steps.length; level++) if (ladder.steps[level].kind !== 'star') out.push(level);
  return out;
}

/** An Int32 column that grows as base rows arrive. */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Distinct canonical values met (numbers, texts, null: a Map keeps 1 and '1' apart), each with a dense id. */
class Dictionary {
  readonly ids = new Map<unknown, number>();
  readonly values: unknown[] = [];
  idOf(value: unknown): number {
    const key = value === undefined ? null : value;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(key);
    }
    return id;
  }
}

export class FrequencySetBuilder {
  readonly #layout: FrequencyLayout;
  readonly #bound: number;
  readonly #read: number[][];
  /**
   * Per quasi column: its vectors (the values at every level read), numbered; a vector is found by its lowest
   * value (vectorOf), the levels above checked by identity, so that a ladder whose coarser value is not a function of
   * the finer one still gets one vector per combination (`overflow`, keyed by the whole vector).
   */
  readonly #lowest: Dictionary[];
  readonly #vectorOf: Ints[];
  readonly #overflow: Array<Map<string, number>>;
  readonly #vectors: number[];
  readonly #levelValues: Dictionary[][];
  readonly #levelIds: Ints[][];
  readonly #column: Ints[];
  readonly #subject = new Ints();
  readonly #subjects = new Dictionary();
  readonly #sensitive: Ints[];
  readonly #sensitiveValues: Dictionary[];
  readonly #rows = new Ints();
  /** The ids of the row being added: its vectors, subject, sensitive values. */
  readonly #ids: Int32Array;
  /** Open-addressing table of entry indices (-1 empty), by the hash of their ids: no key strings, 8 bytes an entry. */
  #slots = new Int32Array(1 << 12).fill(-1);
  readonly #hashes = new Ints();
  #sorted = true;
  #lastSubject = -Infinity;
  /** Entries added; past the bound, add() refuses. */
  entries = 0;

  constructor(layout: FrequencyLayout, bound: number) {
    this.#layout = layout;
    this.#bound = bound;
    this.#read = layout.quasi.map((ladder, i) => levelsRead(ladder, layout.min[i]));
    this.#levelValues = this.#read.map((levels) => levels.map(() => new Dictionary()));
    this.#lowest = this.#levelValues.map((ds) => ds[0] ?? new Dictionary()); // the same dictionary: one Map per level
    this.#vectorOf = layout.quasi.map(() => new Ints());
    this.#overflow = layout.quasi.map(() => new Map());
    this.#vectors = layout.quasi.map(() => 0);
    this.#levelIds = this.#read.map((levels) => levels.map(() => new Ints()));
    this.#column = layout.quasi.map(() => new Ints());
    this.#sensitive = layout.sensitive.map(() => new Ints());
    this.#sensitiveValues = layout.sensitive.map(() => new Dictionary());
    this.#ids = new Int32Array(layout.quasi.length + (layout.subjects === 'none' ? 0 : 1) + layout.sensitive.length);
  }

  /** Distinct vectors seen per quasi column: which column to pre-generalize when the bound is passed. */
  get columnSizes(): number[] {
    return [...this.#vectors];
  }

  /** The slot holding an entry equal to `ids`, or the empty slot where it would go. */
  #slotOf(ids: Int32Array, hash: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const e = this.#slots[slot];
      if (e < 0 || (this.#hashes.data[e] === hash && this.#equals(e, ids))) return slot;
    }
  }

  #equals(e: number, ids: Int32Array): boolean {
    let x = 0;
    for (let i = 0; i < this.#column.length; i++) if (this.#column[i].data[e] !== ids[x++]) return false;
    if (this.#layout.subjects !== 'none' && this.#subject.data[e] !== ids[x++]) return false;
    for (let j = 0; j < this.#sensitive.length; j++) if (this.#sensitive[j].data[e] !== ids[x++]) return false;
    return true;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entries; e++) {
      let slot = this.#hashes.data[e] & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = e;
    }
    this.#slots = slots;
  }

  /** The vector id of column i's values row[at..at+n). */
  #vector(i: number, row: readonly unknown[], at: number, n: number): number {
    const lowest = this.#lowest[i];
    const before = lowest.values.length;
    const low = lowest.idOf(row[at]);
    if (low === before) {
      this.#vectorOf[i].push(this.#vectors[i]);
      return this.#newVector(i, row, at, n, low);
    }
    const vector = this.#vectorOf[i].data[low];
    if (this.#sameVector(i, vector, row, at, n)) return vector;
    const key = JSON.stringify(row.slice(at, at + n));
    const known = this.#overflow[i].get(key);
    if (known !== undefined) return known;
    const id = this.#newVector(i, row, at, n);
    this.#overflow[i].set(key, id);
    return id;
  }

  #sameVector(i: number, vector: number, row: readonly unknown[], at: number, n: number): boolean {
    for (let j = 1; j < n; j++) {
      const v = row[at + j];
      if (this.#levelValues[i][j].values[this.#levelIds[i][j].data[vector]] !== (v === undefined ? null : v)) return false;
    }
    return true;
  }

  #newVector(i: number, row: readonly unknown[], at: number, n: number, low = this.#lowest[i].idOf(row[at])): number {
    this.#levelIds[i][0].push(low);
    for (let j = 1; j < n; j++) this.#levelIds[i][j].push(this.#levelValues[i][j].idOf(row[at + j]));
    return this.#vectors[i]++;
  }

  /** Adds one base row; false (and nothing added) once the set would pass its bound. */
  add(row: readonly unknown[]): boolean {
    const ids = this.#ids;
    let at = 0;
    let x = 0;
    for (let i = 0; i < this.#read.length; i++) {
      const n = this.#read[i].length;
      ids[x++] = n ? this.#vector(i, row, at, n) : 0;
      at += n;
    }
    if (this.#layout.subjects !== 'none') {
      const v = row[at++];
      ids[x++] = v === null || v === undefined ? -1 : this.#layout.subjects === 'ranked' ? Number(v) : this.#subjects.idOf(String(v));
    }
    for (let j = 0; j < this.#sensitive.length; j++) {
      const v = row[at++];
      ids[x++] = v === null || v === undefined ? -1 : this.#sensitiveValues[j].idOf(String(v));
    }
    const n = at < row.length ? Number(row[at]) : 1;
    // Rows arrive one by one (no GROUP BY in the database): equal ones are one entry.
    const hash = hashOf(ids);
    const slot = this.#slotOf(ids, hash);
    const known = this.#slots[slot];
    if (known >= 0) {
      this.#rows.data[known] += n;
      return true;
    }
    if (this.entries >= this.#bound) return false;
    this.#slots[slot] = this.entries++;
    this.#hashes.push(hash);
    if (this.entries * 2 > this.#slots.length) this.#grow();
    x = 0;
    for (let i = 0; i < this.#read.length; i++) this.#column[i].push(ids[x++]);
    if (this.#layout.subjects !== 'none') {
      const s = ids[x++];
      if (s >= 0 && s < this.#lastSubject) this.#sorted = false;
      if (s >= 0) this.#lastSubject = s;
      this.#subject.push(s);
    }
    for (let j = 0; j < this.#sensitive.length; j++) this.#sensitive[j].push(ids[x++]);
    this.#rows.push(n);
    return true;
  }

  finish(): FrequencySet {
    this.#slots = new Int32Array(0);
    const count = this.entries;
    let order: Int32Array | undefined;
    const subject = this.#layout.subjects === 'none' ? undefined : this.#subject.done();
    // One subject's groups must be together (evaluate() counts a subject once per class as its run passes).
    if (subject && !this.#sorted) order = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => subject[a] - subject[b]);
    const take = (a: Int32Array) => (order ? Int32Array.from(order, (i) => a[i]) : a);
    return new FrequencySet({
      layout: this.#layout,
      read: this.#read,
      levelValues: this.#levelValues.map((ds) => ds.map((d) => d.values)),
      levelIds: this.#levelIds.map((xs) => xs.map((x) => x.done())),
      columns: this.#column.map((c) => take(c.done())),
      subject: subject && take(subject),
      sensitive: this.#sensitive.map((s) => take(s.done())),
      sensitiveKeys: this.#sensitiveValues.map((d) => d.values.map(String)),
      rows: take(this.#rows.done()),
    });
  }
}

interface SetData {
  layout: FrequencyLayout;
  read: number[][];
  levelValues: unknown[][][];
  levelIds: Int32Array[][];
  columns: Int32Array[];
  subject?: Int32Array;
  sensitive: Int32Array[];
  sensitiveKeys: string[][];
  rows: Int32Array;
}

/** A lattice node's classes, judged: the histogram the search compares, and the classes to suppress. */
export interface NodeClasses {
  counts: ClassCount[];
  /** The suppressed classes' keys (classKey of their quasi values, `*` for `*` levels). */
  failingKeys(): string[];
  /** Non-uniform entropy (Gionis and Tassa 2008) of the released rows against the lowest levels read. */
  nonUniformEntropy(): { bits: number; normalized: number };
}

/** Slots (classes x l) up to which distinct-l values are tracked in one array. */
const CAPPED_DISTINCT_LIMIT = 1 << 24;

/** Product of class-value radices up to which classes are numbered through a table rather than a Map. */
const TABLE_LIMIT = 1 << 22;

export class FrequencySet {
  readonly #d: SetData;
  readonly entries: number;
  readonly rows: number;
  /** Dense base class per entry, and each base class's vector id per column. */
  readonly #base: Int32Array;
  readonly #baseColumns: Int32Array[];
  /** Per sensitive column: the source's distribution (for t-closeness). */
  readonly distributions: GlobalDistribution[];

  constructor(d: SetData) {
    this.#d = d;
    this.entries = d.rows.length;
    let rows = 0;
    for (let e = 0; e < d.rows.length; e++) rows += d.rows[e];
    this.rows = rows;
    const { ids, count } = combine(d.columns.map((c, i) => ({ ids: c, radix: d.levelIds[i][0]?.length ?? 1 })), this.entries);
    this.#base = ids;
    this.#baseColumns = d.columns.map(() => new Int32Array(count));
    for (let e = 0; e < this.entries; e++) for (let i = 0; i < d.columns.length; i++) this.#baseColumns[i][ids[e]] = d.columns[i][e];
    this.distributions = d.sensitive.map((values, j) => this.#distribution(values, j));
  }

  get baseClasses(): number {
    return this.#baseColumns[0]?.length ?? (this.entries ? 1 : 0);
  }

  /** Subjects holding each value of a sensitive column, over the whole source. */
  #distribution(values: Int32Array, j: number): GlobalDistribution {
    const keys = this.#d.sensitiveKeys[j];
    const frequency = new Float64Array(keys.length);
    const last = new Int32Array(keys.length).fill(-2);
    const subject = this.#d.subject;
    for (let e = 0; e < this.entries; e++) {
      const v = values[e];
      if (v < 0) continue;
      if (!subject) frequency[v] += this.#d.rows[e];
      else if (subject[e] >= 0 && last[v] !== subject[e]) {
        last[v] = subject[e];
        frequency[v]++;
      }
    }
    const declared = this.#d.layout.sensitive[j].distance;
    const distance = declared === 'auto' ? (keys.every((k) => numberOf(k) !== undefined) ? 'ordered' : 'equal') : declared;
    return globalDistribution(new Map(keys.map((k, v) => [k, frequency[v]])), distance, compareValues);
  }

  /** The classes at `levels`, each judged by `target`. */
  evaluate(levels: Levels, target: PrivacyTarget): NodeClasses {
    const d = this.#d;
    const q = d.read.length;
    // Per column, the class-value id of every vector at this level (0 for `*`).
    const ofVector: Array<Int32Array | undefined> = [];
    const radix: number[] = [];
    for (let i = 0; i < q; i++) {
      const j = d.read[i].indexOf(levels[i]);
      ofVector.push(j < 0 ? undefined : d.levelIds[i][j]);
      radix.push(j < 0 ? 1 : d.levelValues[i][j].length);
    }
    const bases = this.baseClasses;
    const { ids: classOfBase, count: classes, first } = combine(
      ofVector.map((of, i) => ({ ids: of ? mapIds(of, this.#baseColumns[i]) : new Int32Array(bases), radix: radix[i] })),
      bases,
    );
    const rows = new Float64Array(classes);
    const subjects = new Float64Array(classes);
    const subject = d.subject;
    const lastSubject = subject ? new Int32Array(classes).fill(-2) : undefined;
    const classOf = new Int32Array(this.entries);
    for (let e = 0; e < this.entries; e++) {
      const c = (classOf[e] = classOfBase[this.#base[e]]);
      rows[c] += d.rows[e];
      if (!subject) subjects[c] += d.rows[e];
      else if (subject[e] >= 0 && lastSubject![c] !== subject[e]) {
        lastSubject![c] = subject[e];
        subjects[c]++;
      }
    }

    const fails = new Uint8Array(classes);
    for (let c = 0; c < classes; c++) if (subjects[c] < target.k || (target.l !== undefined && target.l > 1 && d.sensitive.length && subjects[c] < target.l)) fails[c] = 1;
    const distinct = d.sensitive.map((values, j) => this.#judgeSensitive(values, j, classOf, classes, target, fails));

    return this.#node(levels, ofVector, radix, classOf, first, histogramOf(rows, subjects, distinct, fails), fails);
  }

  #node(levels: Levels, ofVector: Array<Int32Array | undefined>, radix: number[], classOf: Int32Array, first: Int32Array, counts: ClassCount[], fails: Uint8Array): NodeClasses {
    const d = this.#d;
    const classes = fails.length;
    const classVector = (i: number, c: number) => this.#baseColumns[i][first[c]];
    return {
      counts,
      failingKeys: () => {
        const out: string[] = [];
        for (let c = 0; c < classes; c++) {
          if (!fails[c]) continue;
          out.push(classKey(d.layout.quasi.map((_, i) => (ofVector[i] ? d.levelValues[i][d.read[i].indexOf(levels[i])][ofVector[i]![classVector(i, c)]] : '*'))));
        }
        return out;
      },
      nonUniformEntropy: () => this.#nonUniformEntropy(ofVector, radix, classOf, fails),
    };
  }

  /**
   * Judges one sensitive column of every class, marking failures in `fails`; returns each class's distinct values
   * (counted up to l where only distinct-l is asked, as the SQL form does).
   */
  #judgeSensitive(values: Int32Array, j: number, classOf: Int32Array, classes: number, target: PrivacyTarget, fails: Uint8Array): Int32Array {
    const l = target.l ?? 1;
    const distinct = new Int32Array(classes);
    // distinct-l: up to l values per class in one array, unless classes x l would be large (then as the
    // distribution models count: one slot per (class, value) met, bounded by the entries).
    if (!needsDistribution(target) && (l <= 1 || classes * l <= CAPPED_DISTINCT_LIMIT)) {
      if (l <= 1) return distinct;
      const seen = new Int32Array(classes * l);
      for (let e = 0; e < this.entries; e++) {
        const v = values[e];
        if (v < 0) continue;
        const c = classOf[e];
        const n = distinct[c];
        if (n >= l) continue;
        let found = false;
        for (let x = c * l; x < c * l + n; x++) if (seen[x] === v) found = true;
        if (!found) seen[c * l + distinct[c]++] = v;
      }
      for (let c = 0; c < classes; c++) if (distinct[c] < l) fails[c] = 1;
      return distinct;
    }
    // Per (class, value): the subjects holding it, each counted once as its run of entries passes.
    const width = this.#d.sensitiveKeys[j].length;
    const slot = new Map<number, number>();
    const pairClass = new Int32Array(this.entries);
    const pairValue = new Int32Array(this.entries);
    const frequency = new Float64Array(this.entries);
    const last = new Int32Array(this.entries);
    const subject = this.#d.subject;
    let pairs = 0;
    for (let e = 0; e < this.entries; e++) {
      const v = values[e];
      if (v < 0 || (subject && subject[e] < 0)) continue;
      const c = classOf[e];
      const key = c * width + v;
      let p = slot.get(key);
      if (p === undefined) {
        p = pairs++;
        slot.set(key, p);
        pairClass[p] = c;
        pairValue[p] = v;
        last[p] = -2;
      }
      if (!subject) frequency[p] += this.#d.rows[e];
      else if (last[p] !== subject[e]) {
        last[p] = subject[e];
        frequency[p]++;
      }
    }
    // Grouped by class (a counting sort), each class's distribution judged.
    const start = new Int32Array(classes + 1);
    for (let p = 0; p < pairs; p++) start[pairClass[p] + 1]++;
    for (let c = 0; c < classes; c++) start[c + 1] += start[c];
    const fill = start.slice(0, classes);
    const byClass = new Int32Array(pairs);
    for (let p = 0; p < pairs; p++) byClass[fill[pairClass[p]]++] = p;
    const global = this.distributions[j];
    const keys = this.#d.sensitiveKeys[j];
    const position = Int32Array.from(keys, (k) => global.index.get(k)!);
    for (let c = 0; c < classes; c++) {
      const n = start[c + 1] - start[c];
      distinct[c] = n;
      if (fails[c]) continue;
      const freqs = new Float64Array(n);
      const positions = new Int32Array(n);
      for (let x = 0; x < n; x++) {
        const p = byClass[start[c] + x];
        freqs[x] = frequency[p];
        positions[x] = position[pairValue[p]];
      }
      if (failsDistribution(freqs, positions, target, global)) fails[c] = 1;
    }
    return distinct;
  }

  #nonUniformEntropy(ofVector: Array<Int32Array | undefined>, radix: number[], classOf: Int32Array, fails: Uint8Array): { bits: number; normalized: number } {
    const d = this.#d;
    let bits = 0;
    let max = 0;
    for (let i = 0; i < d.read.length; i++) {
      if (d.layout.quasi[i].steps.length - 1 <= d.layout.min[i]) continue; // nothing to generalize
      const lowest = d.levelIds[i][0];
      if (!lowest) continue; // the lowest level is `*`
      const atLowest = new Float64Array(d.levelValues[i][0].length);
      const atNode = new Float64Array(radix[i]);
      let kept = 0;
      for (let e = 0; e < this.entries; e++) {
        const vector = d.columns[i][e];
        atLowest[lowest[vector]] += d.rows[e];
        if (!fails[classOf[e]]) {
          atNode[ofVector[i] ? ofVector[i]![vector] : 0] += d.rows[e];
          kept += d.rows[e];
        }
      }
      for (let e = 0; e < this.entries; e++) {
        const vector = d.columns[i][e];
        const share = atLowest[lowest[vector]];
        const n = d.rows[e];
        max += n * Math.log2(this.rows / share);
        // A suppressed row tells nothing: as if every value were `*` over the whole source.
        const group = fails[classOf[e]] ? this.rows : ofVector[i] ? atNode[ofVector[i]![vector]] : kept;
        bits += n * Math.log2(group / share);
      }
    }
    return { bits, normalized: max > 0 ? bits / max : 0 };
  }
}

/** FNV-1a over the ids, finished with a murmur-style mix so that nearby ids spread over the table. */
function hashOf(ids: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ids.length; i++) h = Math.imul(h ^ ids[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0; // an Int32, as stored
}

/** Classes by (size, subjects, distinct values, suppressed): the histogram the search judges a node by. */
function histogramOf(rows: Float64Array, subjects: Float64Array, distinct: Int32Array[], fails: Uint8Array): ClassCount[] {
  const classes = fails.length;
  let largest = 0;
  for (let c = 0; c < classes; c++) if (rows[c] > largest) largest = rows[c];
  let widest = 0;
  for (const x of distinct) for (let c = 0; c < classes; c++) if (x[c] > widest) widest = x[c];
  // A number per class where one fits (sizes under 2^20, one sensitive column of under 64 values): a string key per
  // class cost more than the rest of a node's evaluation.
  const numeric = largest < 2 ** 20 && distinct.length <= 1 && widest < 64;
  const histogram = new Map<number | string, ClassCount>();
  for (let c = 0; c < classes; c++) {
    const key = numeric ? ((rows[c] * 2 ** 20 + subjects[c]) * 64 + (distinct[0]?.[c] ?? 0)) * 2 + fails[c] : `${rows[c]}|${subjects[c]}|${distinct.map((x) => x[c]).join(',')}|${fails[c]}`;
    const entry = histogram.get(key);
    if (entry) entry.classes++;
    else histogram.set(key, { size: rows[c], subjects: subjects[c], distinct: distinct.map((x) => x[c]), classes: 1, suppressed: fails[c] === 1 });
  }
  return [...histogram.values()];
}

/** ids[k] -> of[ids[k]]: a column's vectors as the class values of one level. */
function mapIds(of: Int32Array, ids: Int32Array): Int32Array {
  const out = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = of[ids[k]];
  return out;
}

/**
 * Dense ids for the combinations of several id columns of `length` items (each with its radix), column by column
 * so that no intermediate number passes 2^53; `first` names an item of each combination.
 */
function combine(columns: Array<{ ids: Int32Array; radix: number }>, length: number): { ids: Int32Array; count: number; first: Int32Array } {
  let ids = new Int32Array(length);
  let count = length ? 1 : 0;
  for (const column of columns) {
    if (column.radix <= 1) continue;
    const next = new Int32Array(length);
    const product = count * column.radix;
    let n = 0;
    if (product <= TABLE_LIMIT) {
      const table = new Int32Array(product).fill(-1);
      for (let k = 0; k < length; k++) {
        const key = ids[k] * column.radix + column.ids[k];
        let id = table[key];
        if (id < 0) id = table[key] = n++;
        next[k] = id;
      }
    } else {
      // Open addressing over the combined keys (below 2^53): a Map of numbers cost ~3x as much per item.
      let size = 1 << 12;
      while (size < length * 2) size *= 2;
      const mask = size - 1;
      const keys = new Float64Array(size);
      const slots = new Int32Array(size).fill(-1);
      for (let k = 0; k < length; k++) {
        const key = ids[k] * column.radix + column.ids[k];
        const lo = key % 4294967296;
        let slot = Math.imul((lo | 0) ^ Math.imul((key - lo) / 4294967296, 0x9e3779b1), 0x85ebca6b);
        slot = (slot ^ (slot >>> 15)) & mask;
        while (slots[slot] >= 0 && keys[slot] !== key) slot = (slot + 1) & mask;
        if (slots[slot] < 0) {
          slots[slot] = n++;
          keys[slot] = key;
        }
        next[k] = slots[slot];
      }
    }
    ids = next;
    count = n;
  }
  const first = new Int32Array(count).fill(-1);
  for (let k = length - 1; k >= 0; k--) first[ids[k]] = k;
  return { ids, count, first };
}
