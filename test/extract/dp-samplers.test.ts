// The exact samplers, checked against their exact probability mass functions: a chi-square over a million draws
// (seeded bits, so the verdict is the same every run), their mean and variance, and the same test refusing a
// distribution only slightly off (the test can fail).
import { expect, test } from 'vitest';
import { seededBits } from '../../src/extract/dp/bits.ts';
import { bernoulliExp, discreteGaussian, discreteLaplace } from '../../src/extract/dp/samplers.ts';
import { rational, type Rational } from '../../src/extract/dp/rational.ts';

const DRAWS = 1_000_000;

function histogram(draw: () => bigint): Map<number, number> {
  const h = new Map<number, number>();
  for (let i = 0; i < DRAWS; i++) {
    const x = Number(draw());
    h.set(x, (h.get(x) ?? 0) + 1);
  }
  return h;
}

/** Pearson's chi-square over the values with an expected count of at least 5, the rest pooled in one bin. */
function chiSquare(h: Map<number, number>, pmf: (x: number) => number): { statistic: number; df: number } {
  let statistic = 0;
  let bins = 0;
  let restObserved = DRAWS;
  let restExpected = 1;
  for (let x = -200; x <= 200; x++) {
    const expected = pmf(x) * DRAWS;
    if (expected < 5) continue;
    const observed = h.get(x) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
    restObserved -= observed;
    restExpected -= pmf(x);
    bins++;
  }
  const e = restExpected * DRAWS;
  if (e > 0) statistic += (restObserved - e) ** 2 / e;
  return { statistic, df: bins };
}

/** The chi-square critical value at p = 0.001 (Wilson-Hilferty). */
function critical(df: number): number {
  const z = 3.090232;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

const laplacePmf = (b: number) => (x: number) => {
  const q = Math.exp(-1 / b);
  return ((1 - q) / (1 + q)) * q ** Math.abs(x);
};

const gaussianPmf = (sigma2: number) => {
  let norm = 0;
  for (let y = -400; y <= 400; y++) norm += Math.exp(-(y * y) / (2 * sigma2));
  return (x: number) => Math.exp(-(x * x) / (2 * sigma2)) / norm;
};

function moments(h: Map<number, number>): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (const [x, n] of h) (sum += x * n), (sq += x * x * n);
  const mean = sum / DRAWS;
  return { mean, variance: sq / DRAWS - mean * mean };
}

test('Bernoulli(exp(-gamma)) hits exp(-gamma) for gamma below and above 1', () => {
  const bits = seededBits('bernoulli');
  for (const [gamma, g] of [[rational(1n, 3n), 1 / 3], [rational(5n, 2n), 2.5]] as Array<[Rational, number]>) {
    let hits = 0;
    for (let i = 0; i < 200_000; i++) if (bernoulliExp(gamma, bits)) hits++;
    const p = Math.exp(-g);
    expect(Math.abs(hits / 200_000 - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / 200_000));
  }
});

test('the discrete Laplace of scale 3/2 follows its pmf (chi-square, a million draws), with mean 0 and variance 2q/(1-q)^2', () => {
  const bits = seededBits('laplace');
  const h = histogram(() => discreteLaplace(rational(3n, 2n), bits));
  const { statistic, df } = chiSquare(h, laplacePmf(1.5));
  expect(statistic).toBeLessThan(critical(df));
  const q = Math.exp(-1 / 1.5);
  const m = moments(h);
  expect(Math.abs(m.mean)).toBeLessThan(0.01);
  expect(Math.abs(m.variance / ((2 * q) / (1 - q) ** 2) - 1)).toBeLessThan(0.01);
  // The same draws against a scale 3% off are refused: the test has the power to see a wrong sampler.
  expect(chiSquare(h, laplacePmf(1.5 * 1.03)).statistic).toBeGreaterThan(critical(df));
});

test('the discrete Gaussian of variance 4 follows its pmf (chi-square, a million draws), with mean 0 and variance about 4', () => {
  const bits = seededBits('gaussian');
  const h = histogram(() => discreteGaussian(rational(4n), bits));
  const { statistic, df } = chiSquare(h, gaussianPmf(4));
  expect(statistic).toBeLessThan(critical(df));
  const m = moments(h);
  expect(Math.abs(m.mean)).toBeLessThan(0.01);
  expect(Math.abs(m.variance / 4 - 1)).toBeLessThan(0.01);
  expect(chiSquare(h, gaussianPmf(4 * 1.03)).statistic).toBeGreaterThan(critical(df));
});

test('a variance that is not a whole number (7/3) is sampled exactly too', () => {
  const bits = seededBits('gaussian-7/3');
  const h = histogram(() => discreteGaussian(rational(7n, 3n), bits));
  const { statistic, df } = chiSquare(h, gaussianPmf(7 / 3));
  expect(statistic).toBeLessThan(critical(df));
});
