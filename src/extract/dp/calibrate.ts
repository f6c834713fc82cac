// How much noise one release adds, from its privacy parameters and the contribution bounds. A release asks one
// noisy query per measure family: a count of contributions per cell (which also answers count_distinct of the
// subject and the denominator of avg) and one sum per bounded column. The release's epsilon (Laplace) or rho
// (Gaussian, zCDP) is split evenly across its queries (basic composition); a subject changes at most `m` cells
// (max_cells_per_subject), each count by 1 and each sum by at most max(|lo|, |hi|) in units of its resolution.
//
//   Laplace:  scale b = m * linf / (epsilon / Q)                       (pure epsilon-DP)
//   Gaussian: rho = (sqrt(ln(1/delta) + epsilon) - sqrt(ln(1/delta)))^2, sigma^2 = m * linf^2 / (2 * rho / Q)
//             (rho-zCDP, Bun and Steinke 2016, Prop. 1.3: rho-zCDP gives (rho + 2 sqrt(rho ln(1/delta)), delta)-DP)
//
// Without a declared domain the cells are chosen by a threshold on the noisy count (partition selection): a cell
// only the removed subject is in (count 1) is published with probability at most delta_sel / m, so its delta is
// charged. Laplace: P(Z >= k) = q^k / (1 + q), q = exp(-1/b). Gaussian: P(Z >= k) <= exp(-k^2 / (2 sigma^2)).
import { ceilRational, toNumber, type Rational } from './rational.ts';

export type Mechanism = 'laplace' | 'gaussian';

export interface QuerySpec {
  /** `count`, or the summed column. */
  key: string;
  column?: string;
  /** Output units per noise unit (a sum's resolution; 1 for the count). */
  resolution: number;
  /** Largest change one subject makes to one cell, in noise units. */
  linf: number;
}

export interface CalibratedQuery extends QuerySpec {
  /** Laplace: the scale b; Gaussian: sigma^2. Exact, rounded up from the float computation. */
  parameter: Rational;
  /** Half-width of the central 95% interval of the noise, in output units. */
  halfWidth95: number;
  /** Standard deviation of the noise, in output units. */
  sd: number;
}

export interface Calibration {
  mechanism: Mechanism;
  epsilon: number;
  delta: number;
  /** Gaussian: the release's zCDP rho, and the delta its conversion to (epsilon, delta) used. */
  rho?: number;
  deltaConversion?: number;
  queries: CalibratedQuery[];
  /** Without a domain: cells are published when their noisy count reaches `threshold`; `delta` is what that costs. */
  selection?: { delta: number; threshold: number };
}

export interface CalibrationInput {
  mechanism: Mechanism;
  epsilon: number;
  delta: number;
  maxCellsPerSubject: number;
  queries: QuerySpec[];
  /** The cells come from a declared domain (no partition selection). */
  domain: boolean;
}

/** rho such that rho-zCDP gives (epsilon, delta)-DP by the standard conversion. */
export function rhoFor(epsilon: number, delta: number): number {
  const l = Math.log(1 / delta);
  return (Math.sqrt(l + epsilon) - Math.sqrt(l)) ** 2;
}

export function calibrate(input: CalibrationInput): Calibration {
  const m = input.maxCellsPerSubject;
  const q = input.queries.length;
  if (input.mechanism === 'laplace') {
    const queries = input.queries.map((spec): CalibratedQuery => {
      const b = ceilRational((m * spec.linf * q) / input.epsilon);
      const bn = toNumber(b);
      const ratio = Math.exp(-1 / bn);
      // P(|Z| > w) = 2 q^(w+1) / (1 + q): the smallest w with that at most 5%.
      const w = Math.max(0, Math.ceil(Math.log((0.05 * (1 + ratio)) / 2) / Math.log(ratio)) - 1);
      return { ...spec, parameter: b, halfWidth95: w * spec.resolution, sd: (Math.sqrt(2 * ratio) / (1 - ratio)) * spec.resolution };
    });
    const selection = input.domain ? undefined : laplaceSelection(toNumber(queries[0].parameter), m, input.delta);
    return { mechanism: 'laplace', epsilon: input.epsilon, delta: selection ? input.delta : 0, queries, ...(selection ? { selection } : {}) };
  }
  const deltaConversion = input.domain ? input.delta : input.delta / 2;
  const rho = rhoFor(input.epsilon, deltaConversion);
  const queries = input.queries.map((spec): CalibratedQuery => {
    const sigma2 = ceilRational((m * spec.linf * spec.linf * q) / (2 * rho));
    const sigma = Math.sqrt(toNumber(sigma2));
    return { ...spec, parameter: sigma2, halfWidth95: Math.ceil(1.96 * sigma) * spec.resolution, sd: sigma * spec.resolution };
  });
  const selection = input.domain ? undefined : gaussianSelection(Math.sqrt(toNumber(queries[0].parameter)), m, input.delta / 2);
  return { mechanism: 'gaussian', epsilon: input.epsilon, delta: input.delta, rho, deltaConversion, queries, ...(selection ? { selection } : {}) };
}

function laplaceSelection(b: number, m: number, delta: number): { delta: number; threshold: number } {
  const q = Math.exp(-1 / b);
  return { delta, threshold: 1 + Math.ceil(b * Math.log(m / (delta * (1 + q)))) };
}

function gaussianSelection(sigma: number, m: number, delta: number): { delta: number; threshold: number } {
  return { delta, threshold: 1 + Math.ceil(sigma * Math.sqrt(2 * Math.log(m / delta))) };
}
