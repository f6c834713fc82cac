import { describe, expect, test } from 'vitest';
import { generalizeValue } from '../../src/extract/generalize-value.ts';
import { canonicalValue, labelOf, ladderProblem, parseStep, type Step } from '../../src/extract/ladder.ts';

const steps = (...names: string[]): Step[] => names.map(parseStep);

describe('generalization steps', () => {
  test('labels: a year, an inclusive span of years, a half-open bucket, a prefix, *', () => {
    expect(labelOf(parseStep('year'), 1984)).toBe('1984');
    expect(labelOf(parseStep('5-years'), 1980)).toBe('1980-1984');
    expect(labelOf(parseStep('10-years'), 1980)).toBe('1980-1989');
    expect(labelOf(parseStep('bucket-20'), 40)).toBe('[40,60)');
    expect(labelOf(parseStep('prefix-3'), '123')).toBe('123');
    expect(labelOf(parseStep('*'), null)).toBe('*');
    expect(labelOf(parseStep('year'), null)).toBeNull();
  });

  test('in process (files) a step gives what the SQL form gives', () => {
    expect(generalizeValue(parseStep('year'), '1987-06-05')).toBe(1987);
    expect(generalizeValue(parseStep('5-years'), '1987-06-05 10:00:00')).toBe(1985);
    expect(generalizeValue(parseStep('10-years'), new Date('1987-06-05T00:00:00Z'))).toBe(1980);
    expect(generalizeValue(parseStep('bucket-20'), '59')).toBe(40);
    expect(generalizeValue(parseStep('bucket-20'), '-1')).toBe(-20);
    expect(generalizeValue(parseStep('prefix-2'), 'Zürich')).toBe('Zü');
    expect(generalizeValue(parseStep('year'), 'not a date')).toBeNull();
    expect(generalizeValue(parseStep('*'), null)).toBe('*');
  });

  test('drivers’ exact numerics (text) become numbers, unless digits would be lost', () => {
    expect(canonicalValue(parseStep('5-years'), 'date', '1980')).toBe(1980);
    expect(canonicalValue({ kind: 'raw' }, 'decimal', '12.50')).toBe(12.5);
    expect(canonicalValue({ kind: 'raw' }, 'integer', '9007199254740993')).toBe('9007199254740993');
    expect(canonicalValue({ kind: 'raw' }, 'text', 'abc')).toBe('abc');
  });

  test('a ladder must coarsen step by step, end with *, and suit the column', () => {
    expect(ladderProblem(steps('year', '5-years', '10-years', '*'), 'date', false)).toBeUndefined();
    expect(ladderProblem(steps('prefix-3', 'prefix-2', '*'), 'text', false)).toBeUndefined();
    expect(ladderProblem(steps('bucket-10', 'bucket-30', '*'), 'integer', false)).toBeUndefined();
    expect(ladderProblem(steps('*', 'year'), 'date', false)).toMatch(/`\*` must be the last step/);
    expect(ladderProblem(steps('prefix-2', 'prefix-3'), 'text', false)).toMatch(/does not coarsen prefix-2/);
    expect(ladderProblem(steps('bucket-10', 'bucket-25'), 'integer', false)).toMatch(/does not coarsen bucket-10/);
    expect(ladderProblem(steps('year'), 'text', false)).toMatch(/needs a date or timestamp column/);
    expect(ladderProblem(steps('bucket-5'), 'text', false)).toMatch(/needs a numeric column/);
    expect(ladderProblem(steps('year', 'bucket-5'), 'text', true)).toBeUndefined(); // files: text read as needed
  });
});
