import { describe, expect, test } from 'vitest';
import { ExactSum, exactSum } from '../../src/extract/exact-sum.ts';

describe('exact sums of an aggregate', () => {
  test('decimal text and numbers add up exactly: 0.1 + 0.2 is 0.3', () => {
    expect(exactSum([0.1, 0.2])).toBe(0.3);
    expect(exactSum(['1164.40', '1164.20'])).toBe(2328.6);
    expect(exactSum(['0.10', '-0.30'])).toBe(-0.2);
    expect(exactSum([1n, 2, '3'])).toBe(6);
  });

  test('a sum beyond a double keeps its digits as text', () => {
    expect(exactSum(['12345678901234567890.12', '0.01'])).toBe('12345678901234567890.13');
  });

  test('NULL and empty values are not values; no value gives NULL', () => {
    expect(exactSum([null, undefined, ''])).toBeNull();
    expect(exactSum([null, '2.50'])).toBe(2.5);
  });

  test('averages round half away from zero at six places', () => {
    const s = new ExactSum();
    for (const v of ['0.10', '0.20', '1164.10']) s.add(v);
    expect(s.average()).toBe(388.133333);
    const t = new ExactSum();
    t.add('-0.0000005');
    expect(t.average(1)).toBe('-0.0000005'); // a number would print as -5e-7
    const u = new ExactSum();
    u.add('2');
    expect(u.average(3)).toBe(0.666667);
  });

  test('a value in exponent form makes the sum a float, as SQL would', () => {
    expect(exactSum([1e21, 1])).toBe(1e21 + 1);
  });
});
