// One differentially private aggregate release: contributions bounded in the source (source.boundedCells), the
// cells fixed by the declared domain (every combination is published, noised, whether or not it holds anyone) or
// chosen by a threshold on the noisy count, exact discrete noise added to every query, the budget charged, and
// only then the rows handed to the writer. True values stay in this function: the rows, the risk section and the
// ledger entry carry noisy values, noise scales and counts of cells only.
import { classKey, type AggregateSource, type BoundedCell } from '../source.ts';
import { compareKeys } from '../cell-order.ts';
import { MAX_CELLS } from '../aggregate-limits.ts';
import type { AggregatePlan } from '../plan.ts';
import type { BitSource } from './bits.ts';
import { calibrate, type Calibration } from './calibrate.ts';
import type { Charge, Spent } from '../../state/dp-composition.ts';
import { toNumber } from './rational.ts';
import { discreteGaussian, discreteLaplace } from './samplers.ts';

export interface DpRisk {
  mechanism: 'laplace' | 'gaussian';
  epsilon: number;
  delta: number;
  /** Gaussian: the zCDP rho of this release. */
  rho?: number;
  maxCellsPerSubject: number;
  /** Per noisy query: its noise (Laplace scale b or Gaussian sigma, in output units), standard deviation and 95% interval. */
  queries: Array<{ query: string; measures: string[]; noise: string; scale: number; sd: number; interval95: number }>;
  cells: { published: number; from: 'domain' | 'threshold'; domainCells?: number; threshold?: number };
  budget: { group: string; per: string; spent: Spent; left: Spent };
  note: string;
}

export interface DpReleaseInput {
  plan: AggregatePlan;
  source: AggregateSource;
  /** Per group column, the values every cell is made from (canonical, as the source's keys); absent: thresholding. */
  domain?: unknown[][];
  bits: BitSource;
  /** Orders each subject's cells for the contribution bound: fresh each run. */
  salt: string;
  /** Charges the budget; resolves to what is left, or to a refusal (nothing is written then). */
  charge(charge: Charge, detail: Record<string, unknown>): Promise<{ ok: true; spent: Spent; left: Spent } | { ok: false; spent: Spent; left: Spent; needs: Spent }>;
}

export type DpReleaseOutcome =
  | { ok: true; columns: string[]; rows: unknown[][]; risk: DpRisk }
  | { ok: false; spent: Spent; left: Spent; needs: Spent };

export async function releaseDp(input: DpReleaseInput): Promise<DpReleaseOutcome> {
  const { plan } = input;
  const dp = plan.dp!;
  const { settings } = dp;
  const calibration = calibrate({ mechanism: settings.mechanism, epsilon: settings.epsilon, delta: settings.delta, maxCellsPerSubject: settings.maxCellsPerSubject, queries: dp.queries, domain: input.domain !== undefined });
  const sums = dp.queries.slice(1).map((q) => ({ column: q.column!, lo: settings.bounds[q.column!][0], hi: settings.bounds[q.column!][1], resolution: q.resolution }));
  const bounded = await input.source.boundedCells({ maxCells: settings.maxCellsPerSubject, salt: input.salt, sums });

  const noise = noiseOf(calibration, input.bits);
  const noisy: Array<{ keys: unknown[]; count: bigint; sums: bigint[] }> = [];
  const add = (keys: unknown[], cell: BoundedCell | undefined) => noisy.push({ keys, count: (cell?.count ?? 0n) + noise(0), sums: sums.map((_, i) => (cell?.sums[i] ?? 0n) + noise(i + 1)) });
  if (input.domain) {
    const size = input.domain.reduce((n, values) => n * values.length, 1);
    if (size > MAX_CELLS) throw new RangeError(`the domain makes ${size.toLocaleString('en-US')} cells, more than ${MAX_CELLS.toLocaleString('en-US')}`);
    const byKey = new Map(bounded.map((c) => [classKey(c.keys), c]));
    for (const keys of product(input.domain)) add(keys, byKey.get(classKey(keys)));
  } else {
    const threshold = BigInt(calibration.selection!.threshold);
    for (const cell of bounded) {
      const before = noisy.length;
      add(cell.keys, cell);
      if (noisy[before].count < threshold) noisy.pop();
    }
  }
  noisy.sort((a, b) => compareKeys(a.keys, b.keys));

  const charge: Charge = { epsilon: calibration.epsilon, delta: calibration.delta, ...(calibration.rho !== undefined ? { rho: calibration.rho, deltaConversion: calibration.deltaConversion } : {}) };
  const charged = await input.charge(charge, {
    mechanism: calibration.mechanism,
    cellsPublished: noisy.length,
    queries: calibration.queries.map((q) => ({ query: q.key, parameter: `${q.parameter.n}/${q.parameter.d}` })),
    ...(calibration.selection ? { threshold: calibration.selection.threshold } : { domainCells: noisy.length }),
  });
  if (!charged.ok) return charged;

  const resolutionOf = (i: number) => dp.queries[i + 1].resolution;
  const rows = noisy.map((cell) => {
    const count = cell.count < 0n ? 0 : Number(cell.count); // a negative count is post-processed to 0
    return [
      ...cell.keys,
      ...plan.measures.map((m) => {
        if (m.fn === 'count' || m.fn === 'count_distinct') return count;
        const i = sums.findIndex((s) => s.column === m.column);
        const total = scaled(cell.sums[i], resolutionOf(i));
        if (m.fn === 'sum') return total;
        return count > 0 ? total / count : null;
      }),
    ];
  });
  return {
    ok: true,
    columns: [...plan.def.groupBy, ...plan.measures.map((m) => m.name)],
    rows,
    risk: {
      mechanism: calibration.mechanism,
      epsilon: calibration.epsilon,
      delta: calibration.delta,
      ...(calibration.rho !== undefined ? { rho: calibration.rho } : {}),
      maxCellsPerSubject: settings.maxCellsPerSubject,
      queries: calibration.queries.map((q) => ({
        query: q.key === 'count' ? 'count of subjects per cell' : `sum of ${q.column}`,
        measures: plan.measures.filter((m) => (q.key === 'count' ? m.fn === 'count' || m.fn === 'count_distinct' || m.fn === 'avg' : m.column === q.column && (m.fn === 'sum' || m.fn === 'avg'))).map((m) => m.name),
        noise: calibration.mechanism === 'laplace' ? 'discrete Laplace, scale b' : 'discrete Gaussian, sigma',
        scale: (calibration.mechanism === 'laplace' ? toNumber(q.parameter) : Math.sqrt(toNumber(q.parameter))) * q.resolution,
        sd: q.sd,
        interval95: q.halfWidth95,
      })),
      cells: input.domain ? { published: noisy.length, from: 'domain', domainCells: noisy.length } : { published: noisy.length, from: 'threshold', threshold: calibration.selection!.threshold },
      budget: { group: dp.budget.group, per: dp.budget.per.text, spent: charged.spent, left: charged.left },
      note: 'Every published value is noisy; a count is within ±interval95 of the truth with 95% probability. avg is the noisy sum over the noisy count. Timing side channels of the samplers are out of scope.',
    },
  };
}

/** Per query index, a fresh draw of its noise. */
function noiseOf(c: Calibration, bits: BitSource): (query: number) => bigint {
  return (query) => (c.mechanism === 'laplace' ? discreteLaplace(c.queries[query].parameter, bits) : discreteGaussian(c.queries[query].parameter, bits));
}

/** Units of `resolution` as a decimal number: 12345 units of 0.01 are 123.45. */
function scaled(units: bigint, resolution: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(resolution) + 1e-9));
  return Number((Number(units) * resolution).toFixed(digits));
}

function* product(lists: unknown[][]): Generator<unknown[]> {
  if (!lists.length) return yield [];
  const [first, ...rest] = lists;
  for (const v of first) for (const tail of product(rest)) yield [v, ...tail];
}
