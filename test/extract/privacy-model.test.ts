import { describe, expect, test } from 'vitest';
import { compareValues } from '../../src/extract/cell-order.ts';
import { closeness, entropyDiverse, entropyOf, globalDistribution, recursiveDiverse } from '../../src/extract/privacy-model.ts';

describe('entropy-l', () => {
  test('two values held equally often have entropy ln 2, so they are entropy-2-diverse', () => {
    expect(entropyOf([2, 2])).toBeCloseTo(Math.log(2), 12);
    expect(entropyDiverse([2, 2], 2)).toBe(true);
  });

  test('flu 3, cold 1 shows two values (distinct-2) but entropy 0.562 < ln 2: not entropy-2-diverse', () => {
    expect(entropyOf([3, 1])).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 12);
    expect(entropyDiverse([3, 1], 2)).toBe(false);
    expect(entropyDiverse([3, 1], 1.7)).toBe(true); // ln 1.7 = 0.531
  });
});

describe('recursive-(c,l)', () => {
  test('r1 < c (r_l + ... + r_m): 3 < 4 x 1 passes, 3 < 3 x 1 does not (strict)', () => {
    expect(recursiveDiverse([1, 3], 4, 2)).toBe(true);
    expect(recursiveDiverse([3, 1], 3, 2)).toBe(false);
  });

  test('l = 3 sums from the third most frequent value on; fewer than l values fail', () => {
    expect(recursiveDiverse([5, 2, 2, 1], 2, 3)).toBe(true); // 5 < 2 x (2 + 1)
    expect(recursiveDiverse([6, 2, 2, 1], 2, 3)).toBe(false);
    expect(recursiveDiverse([5, 5], 10, 3)).toBe(false);
  });
});

describe('t-closeness (earth mover distance, Li et al. 2007)', () => {
  const diagnosis = globalDistribution(new Map([['flu', 5], ['cold', 3]]), 'equal', compareValues);
  const amounts = globalDistribution(new Map(['10', '20', '30', '40', '50', '60', '70', '80'].map((v) => [v, 1])), 'ordered', compareValues);

  test('equal distance is half the total variation: flu 1/2, cold 1/2 against 5/8, 3/8 is 0.125', () => {
    expect(closeness([diagnosis.index.get('flu')!, diagnosis.index.get('cold')!], [1, 1], diagnosis)).toBeCloseTo(0.125, 12);
    expect(closeness([diagnosis.index.get('flu')!], [2], diagnosis)).toBeCloseTo(0.375, 12);
  });

  test('ordered distance: amounts 10 and 20 against 8 equally likely amounts 10..80 is 3/7', () => {
    // Cumulative differences after 10, 20, ..., 70: .375 .75 .625 .5 .375 .25 .125, summed 3, over m - 1 = 7.
    expect(closeness([amounts.index.get('10')!, amounts.index.get('20')!], [1, 1], amounts)).toBeCloseTo(3 / 7, 12);
    // The two middle amounts are closer to the whole: cumulative differences -.125 -.25 -.375 0 .375 .25 .125, 1.5 / 7.
    expect(closeness([amounts.index.get('40')!, amounts.index.get('50')!], [1, 1], amounts)).toBeCloseTo(1.5 / 7, 12);
  });

  test('ordered values sort as numbers, not text (9 before 10)', () => {
    const d = globalDistribution(new Map([['10', 1], ['9', 1]]), 'ordered', compareValues);
    expect(d.keys).toEqual(['9', '10']);
  });
});
