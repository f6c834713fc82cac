// Retention periods and the cut-off they give.
import { describe, expect, it } from 'vitest';
import { parseDuration, subtractDuration } from '../../src/datamap/duration.ts';

describe('parseDuration', () => {
  it('reads years, months, days and hours', () => {
    expect(['3y', '18m', '90d', '12h'].map(parseDuration)).toEqual([
      { amount: 3, unit: 'y', text: '3y' },
      { amount: 18, unit: 'm', text: '18m' },
      { amount: 90, unit: 'd', text: '90d' },
      { amount: 12, unit: 'h', text: '12h' },
    ]);
  });

  it('refuses zero, fractions, other units and words', () => {
    expect(['0d', '1.5y', '2w', '3 years', 'y', '-1d', '03y'].map(parseDuration)).toEqual(new Array(7).fill(undefined));
  });
});

describe('subtractDuration', () => {
  const at = (iso: string) => new Date(iso);

  it('goes back calendar years and months, clamping to the end of a shorter month', () => {
    expect(subtractDuration(at('2025-03-31T10:00:00Z'), parseDuration('1m')!).toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(subtractDuration(at('2024-02-29T00:00:00Z'), parseDuration('1y')!).toISOString()).toBe('2023-02-28T00:00:00.000Z');
    expect(subtractDuration(at('2025-01-15T00:00:00Z'), parseDuration('18m')!).toISOString()).toBe('2023-07-15T00:00:00.000Z');
  });

  it('goes back days and hours exactly', () => {
    expect(subtractDuration(at('2025-03-01T00:00:00Z'), parseDuration('90d')!).toISOString()).toBe('2024-12-01T00:00:00.000Z');
    expect(subtractDuration(at('2025-03-01T06:00:00Z'), parseDuration('12h')!).toISOString()).toBe('2025-02-28T18:00:00.000Z');
  });
});
