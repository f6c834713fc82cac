import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { pseudonymizer } from '../../src/extract/pseudonym.ts';

const key = Buffer.from('the installation key');
const salt = Buffer.from('0123456789abcdef');

describe('extract pseudonyms', () => {
  test('are HMAC-SHA-256 under a key derived from hmac_key and the salt, 128 bits in hex', () => {
    const derived = createHmac('sha256', key).update('dsar extract pseudonym v1\0').update(salt).digest();
    const expected = createHmac('sha256', derived).update('42').digest('hex').slice(0, 32);

    expect(pseudonymizer(key, salt)(42)).toBe(expected);
    expect(pseudonymizer(key, salt)('x'.repeat(5000))).toBe(createHmac('sha256', derived).update('x'.repeat(5000)).digest('hex').slice(0, 32));
  });

  test('are stable within one extract, whatever the type the driver gives (1, "1", 1n)', () => {
    const p = pseudonymizer(key);
    expect(new Set([p(1), p('1'), p(1n), p(' 1 ')]).size).toBe(1);
    expect(p(null)).toBeNull();
  });

  test('differ from one extract to the next (a fresh salt each time)', () => {
    expect(pseudonymizer(key)('ann@example.com')).not.toBe(pseudonymizer(key)('ann@example.com'));
  });
});
