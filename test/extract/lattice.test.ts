import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { precisionLoss, searchLattice, type Levels } from '../../src/extract/lattice.ts';

/** Nodes at or above one of `generators`, column by column: an up-closed (monotone) set, as k-anonymity gives. */
const upClosed = (generators: number[][]) => (levels: Levels) => generators.some((g) => g.every((x, i) => levels[i] >= x));

function allNodes(max: number[]): number[][] {
  return max.reduce<number[][]>((acc, m) => acc.flatMap((prefix) => Array.from({ length: m + 1 }, (_, l) => [...prefix, l])), [[]]);
}

async function search(max: number[], qualifies: (l: Levels) => boolean, budget?: number) {
  const evaluated: string[] = [];
  const outcome = await searchLattice<boolean>(
    { min: max.map(() => 0), max },
    {
      evaluate: async (levels) => (evaluated.push(levels.join(',')), qualifies(levels)),
      qualifies: (r) => r,
      loss: precisionLoss(max),
      budget,
    },
  );
  return { outcome, evaluated };
}

describe('the lattice search', () => {
  test('finds the least lossy qualifying node, as checking every node would', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }).chain((max) =>
          fc.tuple(fc.constant(max), fc.array(fc.tuple(...max.map((m) => fc.integer({ min: 0, max: m }))), { minLength: 0, maxLength: 4 })),
        ),
        async ([max, generators]) => {
          const qualifies = upClosed([max, ...generators.map((g) => [...g])]);
          const loss = precisionLoss(max);
          const brute = allNodes(max)
            .filter(qualifies)
            .reduce((best, n) => (loss(n) < loss(best) - 1e-12 ? n : best));
          const { outcome } = await search(max, qualifies);
          expect(loss(outcome.best!.levels)).toBeCloseTo(loss(brute), 12);
          expect(qualifies(outcome.best!.levels)).toBe(true);
          expect(outcome.exhaustive).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('evaluates a fraction of a 6x6x6 lattice: 216 nodes, a handful of GROUP BYs', async () => {
    const { outcome, evaluated } = await search([5, 5, 5], upClosed([[2, 3, 1], [4, 0, 2], [1, 5, 5]]));

    expect(outcome.best!.levels).toEqual([2, 3, 1]);
    expect(outcome.nodes).toBe(216);
    expect(evaluated.length).toBeLessThan(40);
    expect(new Set(evaluated).size).toBe(evaluated.length); // never the same node twice
  });

  test('when even the most general node fails, only it is evaluated and nothing qualifies', async () => {
    const { outcome, evaluated } = await search([3, 3], () => false);

    expect(outcome.best).toBeUndefined();
    expect(outcome.top.levels).toEqual([3, 3]);
    expect(evaluated).toEqual(['3,3']);
  });

  test('a spent budget still gives a qualifying node, and says the search was not exhaustive', async () => {
    const { outcome, evaluated } = await search([4, 4, 4], upClosed([[1, 1, 1]]), 2);

    expect(evaluated).toHaveLength(2);
    expect(outcome.exhaustive).toBe(false);
    expect(outcome.best!.qualifies).toBe(true);
  });

  test('a column whose raw value may not leave starts at level 1', async () => {
    const evaluated: string[] = [];
    const outcome = await searchLattice<boolean>(
      { min: [1, 0], max: [2, 2] },
      { evaluate: async (l) => (evaluated.push(l.join(',')), true), qualifies: (r) => r, loss: precisionLoss([2, 2]) },
    );

    expect(outcome.best!.levels).toEqual([1, 0]);
    expect(evaluated.every((e) => !e.startsWith('0,'))).toBe(true);
  });

  test('equal loss: the preferred result wins (fewer suppressed rows), not the order of the search', async () => {
    const suppressed: Record<string, number> = { '1,0': 5, '0,1': 2 };
    const outcome = await searchLattice<number>(
      { min: [0, 0], max: [1, 1] },
      {
        evaluate: async (l) => suppressed[l.join(',')] ?? (l.join(',') === '0,0' ? 99 : 0),
        qualifies: (r) => r < 10,
        loss: precisionLoss([1, 1]),
        prefer: (a, b) => a - b,
      },
    );

    expect(outcome.best!.levels).toEqual([0, 1]);
  });
});
