import { expect, test } from 'vitest';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { ctx } from './contexts.ts';

test('null turns any value into NULL', () => {
  expect(maskValue('null', 'jane@example.com', ctx('contact.email'))).toBeNull();
  expect(maskValue('null', 42, ctx('usage.activity'))).toBeNull();
});

test('null takes only NULL for masked', () => {
  expect(maskerFor('null').isMasked(null, ctx('contact.email'))).toBe(true);
  expect(maskerFor('null').isMasked('', ctx('contact.email'))).toBe(false);
});
