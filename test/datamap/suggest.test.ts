// "Did you mean": offered for typos, never for unrelated words.
import { expect, it } from 'vitest';
import { closest, editDistance } from '../../src/datamap/suggest.ts';

it('counts a swap of neighbours as one edit', () => {
  expect(editDistance('categroy', 'category')).toBe(1);
  expect(editDistance('on_erse', 'on_erase')).toBe(1);
});

it('suggests the closest key within a typo', () => {
  expect(closest('on_erse', ['key', 'identify', 'retention', 'on_erase', 'fields'])).toBe('on_erase');
  expect(closest('Retention', ['retention', 'tables'])).toBe('retention');
});

it('suggests nothing for a word that is not close to any', () => {
  expect(closest('colour', ['kind', 'url', 'path', 'format'])).toBeUndefined();
  expect(closest('ab', ['cd'])).toBeUndefined();
});
