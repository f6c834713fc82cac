// Reading `privacy.dp`, `budget`, `budget_group` and `domain`: values and mistakes, each located.
import { expect, test } from 'vitest';
import { load, problems, yaml } from './helpers.ts';

const map = (extract: string, more = '') => yaml`
  version: 1
  systems:
    app: { kind: sqlite, path: app.db }
  extracts:
    x:
      from: app.orders
      group_by: [country]
${extract}
${more}
`;

test('dp settings, budget and domain are read with their defaults', () => {
  const m = load(
    map(`      privacy: { dp: { epsilon: 0.5, delta: 1e-7, mechanism: gaussian, max_cells_per_subject: 3, bounds: { amount: [0, 500] }, resolution: { amount: 0.01 } } }
      budget: { epsilon: 5, delta: 1e-6, per: 365d }
      budget_group: partners
      domain: { country: [DE, FR], plan: app.plans.name }`),
  ).extracts.x;
  expect(m.privacy.dp).toMatchObject({ epsilon: 0.5, delta: 1e-7, mechanism: 'gaussian', maxCellsPerSubject: 3, bounds: { amount: [0, 500] }, resolution: { amount: 0.01 } });
  expect(m.budget).toMatchObject({ group: 'partners', epsilon: 5, delta: 1e-6, per: { amount: 365, unit: 'd' } });
  expect(m.domain.country).toMatchObject({ values: ['DE', 'FR'] });
  expect(m.domain.plan).toMatchObject({ column: { system: 'app', table: 'plans', column: 'name' } });
  const d = load(map(`      privacy: { dp: { epsilon: 1 } }\n      budget: { epsilon: 3, per: 30d }`)).extracts.x;
  expect(d.privacy.dp).toMatchObject({ mechanism: 'laplace', delta: 0, maxCellsPerSubject: 1 });
  expect(d.budget?.group).toBe('x');
});

test('k beside dp is refused: suppressing by true counts is not differentially private', () => {
  expect(problems(map(`      privacy: { k: 5, dp: { epsilon: 1 } }\n      budget: { epsilon: 3, per: 30d }`))).toEqual([
    { at: 'datamap.yaml:8:16', path: 'extracts.x.privacy.k', message: '`k` suppresses cells by their true counts, which differential privacy forbids: with `dp`, leave `k` out' },
  ]);
});

test('bad values are located: epsilon 0, a delta of 1, bounds the wrong way round, an unknown mechanism', () => {
  expect(problems(map(`      privacy: { dp: { epsilon: 0, delta: 1, mechanism: cauchy, bounds: { amount: [5, 1] } } }\n      budget: { epsilon: 3, per: 30d }`)).map((p) => `${p.path}: ${p.message}`)).toEqual([
    'extracts.x.privacy.dp.epsilon: epsilon must be greater than 0, found `0`',
    'extracts.x.privacy.dp.delta: delta must be at least 0 and below 1, found `1`',
    "extracts.x.privacy.dp.mechanism: unknown mechanism `cauchy`; expected one of: laplace, gaussian",
    'extracts.x.privacy.dp.bounds.amount: the lower bound must be below the upper one, found [5, 1]',
  ]);
});

test('two extracts of one budget group must declare the same budget', () => {
  const text = yaml`
    version: 1
    systems:
      app: { kind: sqlite, path: app.db }
    extracts:
      a:
        from: app.orders
        group_by: [country]
        privacy: { dp: { epsilon: 1 } }
        budget: { epsilon: 3, per: 30d }
        budget_group: partners
      b:
        from: app.orders
        group_by: [plan]
        privacy: { dp: { epsilon: 1 } }
        budget: { epsilon: 5, per: 30d }
        budget_group: partners
  `;
  expect(problems(text).map((p) => `${p.at} ${p.message}`)).toEqual([
    'datamap.yaml:15:13 budget group `partners` is already declared by extracts.a as epsilon 3, delta 0, per 30d; this extract says epsilon 5, delta 0, per 30d: one group, one budget',
  ]);
});
