import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { KEY, OTHER_KEY, column, ctx } from './contexts.ts';

const hash = (value: unknown, c = ctx('identity.name')) => maskValue('hash', value, c);
const hmacHex = (text: string) => createHmac('sha256', KEY).update(text).digest('hex');

describe('hash of an email', () => {
  test('is the HMAC-SHA-256 of the lowercased address at erased.invalid', () => {
    const out = hash('jane@example.com', ctx('contact.email'));
    expect(out).toBe('14dd5e331b64c78fba63e173dd93f80b54184dfa3268fa815e2fe0a5fb0b320d@erased.invalid');
    expect(out).toBe(`${hmacHex('jane@example.com')}@erased.invalid`);
  });

  test('ignores case and surrounding spaces, as the email identity does', () => {
    expect(hash(' Jane@Example.COM ', ctx('contact.email'))).toBe(hash('jane@example.com', ctx('contact.email')));
  });

  test('is shortened to the column length by cutting hex digits', () => {
    const out = hash('jane@example.com', ctx('contact.email', { column: column('text', 'varchar(40)', { maxLength: 40 }) }));
    expect(out).toBe('14dd5e331b64c78fba63e173d@erased.invalid');
  });

  test('applies to a value that looks like an email under another category', () => {
    expect(hash('jane@example.com', ctx('third-party.source'))).toBe(`${hmacHex('jane@example.com')}@erased.invalid`);
  });

  test('uses another hex under another key', () => {
    expect(hash('jane@example.com', ctx('contact.email', { hmacKey: OTHER_KEY }))).toBe(
      '92d464acf6b99b2b23e4fcc47fab2925aa94a6e3cc8acb0067365bb416d1f38d@erased.invalid',
    );
  });
});

describe('hash of other values', () => {
  test('a phone becomes +000 and as many HMAC digits as the original has', () => {
    expect(hash('+1 (555) 123-4567', ctx('contact.phone'))).toBe('+00041919869929');
  });

  test('a phone hashes by its digits, whatever its punctuation', () => {
    expect(hash('15551234567', ctx('contact.phone'))).toBe('+00041919869929');
  });

  test('text becomes 64 hex digits', () => {
    expect(hash('Jane Doe')).toBe(hmacHex('Jane Doe'));
    expect(hash('Jane Doe')).toBe('a6bfaee15ade4bd6c85aa7ebacc0619aeaa2ade244c20eae621df44dc0a266be');
  });

  test('text is cut to the column length', () => {
    expect(hash('Jane Doe', ctx('identity.name', { column: column('text', 'varchar(20)', { maxLength: 20 }) }))).toBe(
      'a6bfaee15ade4bd6c85a',
    );
  });

  test('an integer column gets a positive number within its type', () => {
    expect(hash(42, ctx('billing.processor-ref', { column: column('integer', 'integer') }))).toBe(334220308);
    const small = hash(42, ctx('billing.processor-ref', { column: column('integer', 'smallint') })) as number;
    expect(small).toBeGreaterThanOrEqual(1);
    expect(small).toBeLessThanOrEqual(32767);
  });

  test('a bigint stays a bigint', () => {
    expect(hash(42n, ctx('billing.processor-ref', { column: column('integer', 'bigint') }))).toBe(38676514702778n);
  });

  test('a uuid column gets a version-8 UUID', () => {
    expect(hash('Jane Doe', ctx('online.identifier', { column: column('uuid', 'uuid') }))).toBe(
      'a6bfaee1-5ade-8bd6-885a-a7ebacc0619a',
    );
  });

  test('binary gets the HMAC bytes, cut to the column length', () => {
    const photo = Buffer.from('photo');
    const full = hash(photo, ctx('user-content.image', { column: column('binary', 'bytea') })) as Buffer;
    expect(full.toString('hex')).toBe(createHmac('sha256', KEY).update(photo).digest('hex'));
    const cut = hash(photo, ctx('user-content.image', { column: column('binary', 'varbinary(8)', { maxLength: 8 }) }));
    expect((cut as Buffer).toString('hex')).toBe('58e8bcf424279fc2');
  });

  test('an inet column gets an address in the documentation prefix 2001:db8::/32', () => {
    expect(hash('10.1.2.3', ctx('online.ip', { column: column('inet', 'inet') }))).toBe(
      '2001:db8:271b:3fd1:7b67:94f3:cad9:c71b',
    );
  });

  test('NULL stays NULL', () => {
    expect(hash(null, ctx('contact.email'))).toBeNull();
  });
});

describe('hash is idempotent where its output is recognizable', () => {
  const cases: Array<[string, unknown, ReturnType<typeof ctx>]> = [
    ['an email', 'jane@example.com', ctx('contact.email')],
    ['a phone', '+1 555 123 4567', ctx('contact.phone')],
    ['text', 'Jane Doe', ctx('identity.name', { column: column('text', 'varchar(30)', { maxLength: 30 }) })],
    ['a uuid', '3f2504e0-4f89-41d3-9a0c-0305e82c3301', ctx('online.identifier', { column: column('uuid', 'uuid') })],
  ];
  test.each(cases)('hashing a hashed %s changes nothing', (_what, value, c) => {
    const once = maskValue('hash', value, c);
    expect(maskValue('hash', once, c)).toBe(once);
  });

  test('for any email address', () => {
    const c = ctx('contact.email', { column: column('text', 'varchar(40)', { maxLength: 40 }) });
    fc.assert(fc.property(fc.emailAddress(), (email) => {
      const once = maskValue('hash', email, c) as string;
      expect(once).toMatch(/^[0-9a-f]{25}@erased\.invalid$/);
      expect(maskValue('hash', once, c)).toBe(once);
    }));
  });

  test('a real hex identifier of another length is still hashed', () => {
    const deviceId = '0123456789abcdef0123456789abcdef';
    expect(maskerFor('hash').isMasked(deviceId, ctx('online.identifier'))).toBe(false);
  });
});

test('hash without secrets.hmac_key refuses with a usage error', () => {
  expect(() => hash('jane@example.com', ctx('contact.email', { hmacKey: undefined }))).toThrow(UsageError);
});
