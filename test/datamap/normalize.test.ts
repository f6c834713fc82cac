// Identities are compared after their type's normalizer; link values are compared as text.
import { describe, expect, it } from 'vitest';
import { normalizeIdentity, normalizeLinkValue } from '../../src/datamap/normalize.ts';

describe('normalizeIdentity', () => {
  it('lowercase-trim finds Ann@Example.COM as ann@example.com', () => {
    expect(normalizeIdentity('lowercase-trim', '  Ann@Example.COM ')).toBe('ann@example.com');
  });

  it('digits keeps only the digits of a phone number', () => {
    expect(normalizeIdentity('digits', '+1 (555) 010-9999')).toBe('15550109999');
  });

  it('trim keeps case, none keeps everything', () => {
    expect(normalizeIdentity('trim', ' AB-12 ')).toBe('AB-12');
    expect(normalizeIdentity('none', ' AB-12 ')).toBe(' AB-12 ');
  });
});

describe('normalizeLinkValue', () => {
  it('makes "1" from a CSV equal integer 1, 1.0 and bigint 1', () => {
    expect([normalizeLinkValue('1'), normalizeLinkValue(' 1 '), normalizeLinkValue(1), normalizeLinkValue(1.0), normalizeLinkValue(1n), normalizeLinkValue('1.00')]).toEqual(['1', '1', '1', '1', '1', '1']);
  });

  it('keeps fractions, leading zeros and large integers as written', () => {
    expect(normalizeLinkValue(2.5)).toBe('2.5');
    expect(normalizeLinkValue('007')).toBe('007');
    expect(normalizeLinkValue(9007199254740993n)).toBe('9007199254740993');
    expect(normalizeLinkValue(-0)).toBe('0');
  });

  it('writes bytes as hex and dates as ISO 8601', () => {
    expect(normalizeLinkValue(Buffer.from([0xde, 0xad, 0x01]))).toBe('dead01');
    expect(normalizeLinkValue(new Uint8Array([0x0a]))).toBe('0a');
    expect(normalizeLinkValue(new Date('2024-02-29T12:00:00Z'))).toBe('2024-02-29T12:00:00.000Z');
  });

  it('gives an empty string for NULL, which leads nowhere', () => {
    expect(normalizeLinkValue(null)).toBe('');
    expect(normalizeLinkValue(undefined)).toBe('');
  });
});
