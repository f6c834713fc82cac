import { describe, expect, test } from 'vitest';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { column, ctx } from './contexts.ts';

const random = (value: unknown, c = ctx('identity.name')) => maskValue('random', value, c);

describe('random writes a fresh value of the column type', () => {
  test('text becomes 64 random hex digits, different every time', () => {
    const a = random('Jane Doe');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(random('Jane Doe')).not.toBe(a);
  });

  test('1,000 values in a varchar(16) are all distinct', () => {
    const c = ctx('identity.name', { column: column('text', 'varchar(16)', { maxLength: 16 }) });
    const out = new Set(Array.from({ length: 1000 }, () => random('Jane Doe', c)));
    expect(out.size).toBe(1000);
    expect([...out].every((v) => (v as string).length === 16)).toBe(true);
  });

  test('an email becomes a random address at erased.invalid', () => {
    expect(random('jane@example.com', ctx('contact.email'))).toMatch(/^[0-9a-f]{64}@erased\.invalid$/);
  });

  test('an integer stays within its type', () => {
    const out = random(7, ctx('usage.activity', { column: column('integer', 'tinyint') })) as number;
    expect(Number.isInteger(out) && out >= 1 && out <= 127).toBe(true);
  });

  test('binary gets random bytes of the column length', () => {
    const out = random(Buffer.from('photo'), ctx('user-content.image', { column: column('binary', 'binary(16)', { maxLength: 16 }) }));
    expect((out as Buffer).length).toBe(16);
  });

  test('NULL stays NULL', () => {
    expect(random(null)).toBeNull();
  });

  test('a random value is never taken for masked, so it cannot be told from a real one', () => {
    expect(maskerFor('random').isMasked(random('Jane Doe'), ctx('identity.name'))).toBe(false);
  });
});
