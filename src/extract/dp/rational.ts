// Exact non-negative rationals on BigInt: the samplers' parameters (a scale, a variance, an exponent) are never
// rounded, so the distribution drawn is exactly the one the privacy analysis assumes (Mironov 2012 showed what a
// floating-point Laplace leaks).
export interface Rational {
  n: bigint;
  d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  while (b) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
};

export function rational(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('a rational with denominator 0');
  if (d < 0n) (n = -n), (d = -d);
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

export const add = (a: Rational, b: Rational) => rational(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational) => rational(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational) => rational(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational) => rational(a.n * b.d, a.d * b.n);
export const floor = (a: Rational) => (a.n >= 0n ? a.n / a.d : -((-a.n + a.d - 1n) / a.d));
export const compare = (a: Rational, b: Rational) => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};

/**
 * The smallest rational with denominator 2^bits that is >= x (a float): parameters derived in floating point (a
 * noise scale from epsilon) are rounded up, which only adds noise, never removes it.
 */
export function ceilRational(x: number, bits = 32): Rational {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`expected a finite non-negative number, got ${x}`);
  const d = 1n << BigInt(bits);
  const scaled = x * 2 ** bits;
  let n = BigInt(Math.ceil(scaled));
  if (Number(n) < scaled) n += 1n;
  return rational(n, d);
}

export const toNumber = (a: Rational) => Number(a.n) / Number(a.d);
