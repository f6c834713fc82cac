// Exact samplers of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (2020):
// Bernoulli(exp(-gamma)) from Bernoulli(gamma/k) trials, a geometric count from it, the discrete Laplace from both,
// and the discrete Gaussian by rejection from a discrete Laplace. Every step is integer or rational arithmetic on
// uniform integers from a BitSource, so the output distribution is exact. Timing side channels (the number of
// loop iterations depends on the output) are out of scope, as they are in the paper's reference code.
import type { BitSource } from './bits.ts';
import { compare, div, floor, mul, rational, sub, type Rational } from './rational.ts';

const ONE = rational(1n);

/** Bernoulli(p), p a rational in [0, 1]. */
export function bernoulli(p: Rational, bits: BitSource): boolean {
  return bits.below(p.d) < p.n;
}

/** Bernoulli(exp(-gamma)), gamma >= 0 (Algorithm 1). */
export function bernoulliExp(gamma: Rational, bits: BitSource): boolean {
  if (gamma.n < 0n) throw new RangeError('bernoulliExp: gamma must be >= 0');
  if (compare(gamma, ONE) <= 0) {
    let k = 1n;
    while (bernoulli(div(gamma, rational(k)), bits)) k++;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < floor(gamma); i++) if (!bernoulliExp(ONE, bits)) return false;
  return bernoulliExp(sub(gamma, rational(floor(gamma))), bits);
}

/**
 * The discrete Laplace with scale `scale` (Algorithm 2): P(x) proportional to exp(-|x| / scale) over the integers.
 */
export function discreteLaplace(scale: Rational, bits: BitSource): bigint {
  if (scale.n <= 0n) throw new RangeError('discreteLaplace: the scale must be > 0');
  // The paper's Lap_Z(t/s): U ranges over the scale's numerator t, X / s divides by its denominator.
  const t = scale.n;
  const s = scale.d;
  for (;;) {
    const u = bits.below(t);
    if (!bernoulliExp(rational(u, t), bits)) continue;
    let v = 0n;
    while (bernoulliExp(ONE, bits)) v++;
    const y = (u + t * v) / s;
    const negative = bits.below(2n) === 1n;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/** The discrete Gaussian with variance parameter sigma2 (Algorithm 3): P(x) proportional to exp(-x^2 / (2 sigma2)). */
export function discreteGaussian(sigma2: Rational, bits: BitSource): bigint {
  if (sigma2.n <= 0n) throw new RangeError('discreteGaussian: sigma^2 must be > 0');
  // t = floor(sigma) + 1, from sigma^2 exactly: the largest integer whose square is <= sigma^2, plus one.
  let t = isqrt(floor(sigma2)) + 1n;
  while ((t - 1n) * (t - 1n) * sigma2.d > sigma2.n) t--;
  const tr = rational(t);
  const shift = div(sigma2, tr);
  const twoSigma2 = mul(rational(2n), sigma2);
  for (;;) {
    const y = discreteLaplace(tr, bits);
    const abs = rational(y < 0n ? -y : y);
    const diff = sub(abs, shift);
    const gamma = div(mul(diff, diff), twoSigma2);
    if (bernoulliExp(gamma, bits)) return y;
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}
