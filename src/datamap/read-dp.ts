// Reading the differential-privacy parts of an aggregate extract: `privacy.dp`, `budget`, `budget_group` and
// `domain`. What they mean together (and what they forbid: k-suppression and generalization searches read true
// counts) is checked by the extract's plan; here each value is read and located.
import { parseDuration } from './duration.ts';
import { parseColumnRef } from './ids.ts';
import { type Value, present } from './reader.ts';
import type { DomainDef, DpBudget, DpSettings } from './types.ts';

export const DP_MECHANISMS = ['laplace', 'gaussian'] as const;
const DP_KEYS = ['epsilon', 'delta', 'mechanism', 'max_cells_per_subject', 'bounds', 'resolution'];

function positive(v: Value, what: string): number | undefined {
  const n = v.number(what);
  if (n !== undefined && !(n > 0)) return void v.problem(`${what} must be greater than 0, found ${v.describe()}`);
  return n;
}

function probability(v: Value, what: string): number | undefined {
  const n = v.number(what);
  if (n !== undefined && !(n >= 0 && n < 1)) return void v.problem(`${what} must be at least 0 and below 1, found ${v.describe()}`);
  return n;
}

/** `dp: { epsilon: 1.0, delta: 1e-7, mechanism: gaussian, max_cells_per_subject: 3, bounds: { amount: [0, 500] } }` */
export function readDp(v: Value): DpSettings | undefined {
  const e = v.entries('dp ({ epsilon, delta, mechanism, max_cells_per_subject, bounds, resolution })', DP_KEYS);
  if (!e) return undefined;
  const dp: DpSettings = { epsilon: 1, delta: 0, mechanism: 'laplace', maxCellsPerSubject: 1, bounds: {}, resolution: {}, loc: v.loc };
  const epsilon = e.require('epsilon', 'the privacy loss of one release, e.g. epsilon: 1.0');
  dp.epsilon = (epsilon && positive(epsilon, 'epsilon')) ?? 1;
  const delta = present(e.get('delta'));
  if (delta) dp.delta = probability(delta, 'delta') ?? 0;
  const mechanism = present(e.get('mechanism'));
  if (mechanism) dp.mechanism = mechanism.oneOf(DP_MECHANISMS, 'mechanism') ?? 'laplace';
  const cells = present(e.get('max_cells_per_subject'));
  if (cells) dp.maxCellsPerSubject = cells.integer('max_cells_per_subject', 1) ?? 1;
  for (const { name, value } of present(e.get('bounds'))?.entries('bounds (column: [lo, hi])') ?? []) {
    const items = value.isList ? (value.items('[lo, hi]') ?? []) : [];
    const [lo, hi] = items.map((i) => i.number('a bound'));
    if (items.length !== 2 || lo === undefined || hi === undefined) value.problem(`expected [lo, hi], two numbers, found ${value.describe()}`);
    else if (!(lo < hi)) value.problem(`the lower bound must be below the upper one, found [${lo}, ${hi}]`);
    else dp.bounds[name] = [lo, hi];
  }
  for (const { name, value } of present(e.get('resolution'))?.entries('resolution (column: step)') ?? []) {
    const r = positive(value, 'a resolution');
    if (r !== undefined) dp.resolution[name] = r;
  }
  return dp;
}

/** `budget: { epsilon: 5, delta: 1e-6, per: 365d }` */
export function readBudget(v: Value, group: string): DpBudget | undefined {
  const e = v.entries('budget ({ epsilon, delta, per })', ['epsilon', 'delta', 'per']);
  if (!e) return undefined;
  const budget: DpBudget = { group, epsilon: 1, delta: 0, per: { amount: 365, unit: 'd', text: '365d' }, loc: v.loc };
  const epsilon = e.require('epsilon', 'the privacy loss allowed in one window, e.g. epsilon: 5');
  budget.epsilon = (epsilon && positive(epsilon, 'epsilon')) ?? 1;
  const delta = present(e.get('delta'));
  if (delta) budget.delta = probability(delta, 'delta') ?? 0;
  const per = e.require('per', 'the window, e.g. per: 365d');
  const text = per?.text('a period');
  if (per && text !== undefined) {
    const d = parseDuration(text);
    if (d) budget.per = d;
    else per.problem(`\`${text}\` is not a period; write a positive whole number and y, m, d or h (365d, 1y)`);
  }
  return budget;
}

/** `domain: { plan: [free, pro], country: app.countries.code }` */
export function readDomain(v: Value): Record<string, DomainDef> {
  const out: Record<string, DomainDef> = {};
  for (const { name, value } of v.entries('domain (column: [values] or <system>.<table>.<column>)') ?? []) {
    if (value.isList) out[name] = { values: (value.items('values') ?? []).map((i) => i.scalar ?? null), loc: value.loc };
    else {
      const text = value.text('a list of values or <system>.<table>.<column>');
      const ref = text === undefined ? undefined : parseColumnRef(text);
      if (text !== undefined && !ref) value.problem(`expected a list of values or \`<system>.<table>.<column>\`, found \`${text}\``);
      if (ref) out[name] = { column: ref, loc: value.loc };
    }
  }
  return out;
}
