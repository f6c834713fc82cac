// The privacy models a class is judged by beyond k and distinct-l, as ARX implements them (and Machanavajjhala et
// al. 2007, Li et al. 2007 define them). Each works on a class's distribution of one sensitive column, counted over
// subjects: a value's frequency is how many of the class's subjects hold it, so one person's seven rows of `flu`
// weigh as one. NULL is no value. Pure functions: the frequency set (search) and the written-rows check call them.

export type DiversityKind = 'distinct' | 'entropy' | 'recursive';

/** What the sensitive side of a class must show; `l` always also asks for at least l subjects. */
export interface SensitiveTarget {
  diversity?: DiversityKind;
  l?: number;
  /** recursive-(c,l): the most frequent value must be held fewer than c times the rest from the l-th on. */
  c?: number;
  /** t-closeness: a class's distribution at most t from the whole source's (earth mover's distance). */
  t?: number;
}

/** The source's distribution of one sensitive column, which t-closeness measures a class against. */
export interface GlobalDistribution {
  /** `ordered`: numbers and dates, distance along the sorted values; `equal`: every two values equally far apart. */
  distance: 'ordered' | 'equal';
  /** Value keys in order (sorted for `ordered`), with their share of the source. */
  keys: string[];
  shares: Float64Array;
  /** key -> position in `keys` */
  index: Map<string, number>;
}

/** Targets that need a class's whole distribution rather than a count of its distinct values. */
export function needsDistribution(t: SensitiveTarget): boolean {
  return t.t !== undefined || (t.l !== undefined && t.l > 1 && (t.diversity === 'entropy' || t.diversity === 'recursive'));
}

/** Entropy-l: the distribution's entropy is at least log(l). */
export function entropyDiverse(frequencies: ArrayLike<number>, l: number): boolean {
  return entropyOf(frequencies) >= Math.log(l) - 1e-12;
}

/** Shannon entropy (natural log) of a frequency list. */
export function entropyOf(frequencies: ArrayLike<number>): number {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < frequencies.length; i++) {
    const f = frequencies[i];
    if (f <= 0) continue;
    total += f;
    sum += f * Math.log(f);
  }
  return total ? Math.log(total) - sum / total : 0;
}

/** Recursive-(c,l): with frequencies r1 >= r2 >= ... >= rm, r1 < c * (r_l + ... + r_m); fewer than l values fail. */
export function recursiveDiverse(frequencies: ArrayLike<number>, c: number, l: number): boolean {
  const r = Array.from(frequencies).filter((f) => f > 0).sort((a, b) => b - a);
  if (r.length < l) return false;
  let tail = 0;
  for (let i = l - 1; i < r.length; i++) tail += r[i];
  return r[0] < c * tail;
}

/**
 * Earth mover's distance between a class's distribution (frequencies at positions of `global.keys`) and the
 * source's. Equal distance: half the total variation. Ordered: the mean absolute cumulative difference over the m
 * sorted values, divided by m - 1 (Li et al. 2007, section 4.2), so that both lie in [0, 1].
 */
export function closeness(positions: ArrayLike<number>, frequencies: ArrayLike<number>, global: GlobalDistribution): number {
  let total = 0;
  for (let i = 0; i < frequencies.length; i++) total += frequencies[i];
  if (!total) return 0;
  const m = global.keys.length;
  if (global.distance === 'equal') {
    // 1/2 (sum over the class's values of |p - q| + sum over the others of q) = 1/2 (1 + sum over class values of (|p - q| - q))
    let d = 1;
    for (let i = 0; i < positions.length; i++) {
      const q = global.shares[positions[i]];
      d += Math.abs(frequencies[i] / total - q) - q;
    }
    return Math.max(0, d / 2);
  }
  if (m < 2) return 0;
  const p = new Float64Array(m);
  for (let i = 0; i < positions.length; i++) p[positions[i]] += frequencies[i] / total;
  let cumulative = 0;
  let d = 0;
  for (let i = 0; i < m - 1; i++) {
    cumulative += p[i] - global.shares[i];
    d += Math.abs(cumulative);
  }
  return d / (m - 1);
}

/** The distribution of a source column from value -> frequency (subjects holding it). */
export function globalDistribution(frequencies: ReadonlyMap<string, number>, distance: GlobalDistribution['distance'], compare: (a: string, b: string) => number): GlobalDistribution {
  const keys = [...frequencies.keys()];
  if (distance === 'ordered') keys.sort(compare);
  const total = keys.reduce((n, k) => n + frequencies.get(k)!, 0);
  const shares = Float64Array.from(keys, (k) => (total ? frequencies.get(k)! / total : 0));
  return { distance, keys, shares, index: new Map(keys.map((k, i) => [k, i])) };
}

/**
 * Whether one sensitive column of a class fails the target. `positions` index
 * `global.keys` (t only); `frequencies` are the class's per-value subject counts.
 */
export function failsDistribution(frequencies: ArrayLike<number>, positions: ArrayLike<number> | undefined, target: SensitiveTarget, global: GlobalDistribution | undefined): boolean {
  const l = target.l ?? 1;
  if (l > 1) {
    if (target.diversity === 'entropy' && !entropyDiverse(frequencies, l)) return true;
    if (target.diversity === 'recursive' && !recursiveDiverse(frequencies, target.c ?? 1, l)) return true;
    if ((target.diversity ?? 'distinct') === 'distinct' && countPositive(frequencies) < l) return true;
  }
  if (target.t !== undefined && global && positions) return closeness(positions, frequencies, global) > target.t + 1e-12;
  return false;
}

function countPositive(frequencies: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < frequencies.length; i++) if (frequencies[i] > 0) n++;
  return n;
}
