import { expect, test } from 'vitest';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { ctx } from './contexts.ts';

test('keep leaves the value as it is', () => {
  const when = new Date(2021, 4, 6);
  expect(maskValue('keep', 'Jane Doe', ctx('identity.name'))).toBe('Jane Doe');
  expect(maskValue('keep', when, ctx('account.activity'))).toBe(when);
});

test('keep takes every value for masked', () => {
  expect(maskerFor('keep').isMasked('Jane Doe', ctx('identity.name'))).toBe(true);
});
