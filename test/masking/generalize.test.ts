import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { column, ctx } from './contexts.ts';

const generalize = (value: unknown, c: ReturnType<typeof ctx>) => maskValue('generalize', value, c);
const apply = (value: unknown, c: ReturnType<typeof ctx>) => maskerFor('generalize').apply(value, c);

describe('dates become January 1st of their year', () => {
  test('a Date stays a Date, at local midnight', () => {
    const out = generalize(new Date(1990, 4, 6, 13, 45), ctx('identity.birthdate'));
    expect(out).toEqual(new Date(1990, 0, 1));
  });

  test('YYYY-MM-DD text stays text', () => {
    expect(generalize('1990-05-06', ctx('identity.birthdate'))).toBe('1990-01-01');
  });

  test('timestamp text keeps its format and zone', () => {
    expect(generalize('2021-05-06T12:34:56.789Z', ctx('account.activity'))).toBe('2021-01-01T00:00:00.000Z');
    expect(generalize('2021-05-06 12:34:56+02:00', ctx('account.activity'))).toBe('2021-01-01 00:00:00+02:00');
  });

  test('a date column is generalized whatever the category', () => {
    expect(generalize('1990-05-06', ctx('support.notes', { column: column('date', 'date') }))).toBe('1990-01-01');
  });
});

describe('IP addresses become their network', () => {
  test.each([
    ['IPv4 becomes its /24', { '192.168.1.77': '192.168.1.0' }],
    ['IPv6 becomes its /48', { '2001:db8:85a3:8d3:1319:8a2e:370:7348': '2001:db8:85a3::' }],
    ['compressed IPv6 is expanded first', { '2001:db8::ff00:42:8329': '2001:db8::', 'fe80:0:0:1::1': 'fe80::' }],
    ['an IPv4-mapped IPv6 address becomes the /24 of its IPv4', { '::ffff:10.1.2.3': '::ffff:10.1.2.0' }],
  ])('%s', (_name, networks: Record<string, string>) => {
    for (const [address, network] of Object.entries(networks)) expect(generalize(address, ctx('online.ip'))).toBe(network);
  });

  test('an inet with a prefix length is generalized by its address', () => {
    expect(generalize('10.1.2.3/32', ctx('online.ip', { column: column('inet', 'inet') }))).toBe('10.1.2.0');
  });
});

describe('numbers become the lower bound of their bucket', () => {
  test('the bucket is 10 by default', () => {
    expect(generalize(47, ctx('usage.activity'))).toBe(40);
    expect(generalize(-3, ctx('usage.activity'))).toBe(-10);
  });

  test('options.bucket sets the bucket', () => {
    expect(generalize(1234, ctx('usage.activity', { options: { bucket: 100 } }))).toBe(1200);
  });

  test('a bigint stays a bigint and numeric text stays text', () => {
    expect(generalize(47n, ctx('usage.activity'))).toBe(40n);
    expect(generalize('47', ctx('usage.activity', { column: column('decimal', 'numeric(5,0)') }))).toBe('40');
  });
});

describe('postal codes become a prefix', () => {
  test('the first 3 characters by default', () => {
    expect(generalize('94107', ctx('contact.address.postal'))).toBe('941');
    expect(generalize('SW1A 1AA', ctx('contact.address.zip'))).toBe('SW1');
  });

  test('options.prefix sets the length', () => {
    expect(generalize('94107', ctx('contact.address', { options: { prefix: 2 } }))).toBe('94');
  });
});

describe('locations keep one decimal', () => {
  test('a coordinate number is rounded', () => {
    expect(generalize(37.7749, ctx('online.location'))).toBe(37.8);
    expect(generalize(-122.4194, ctx('online.location'))).toBe(-122.4);
  });

  test('every number of a "lat,long" text is rounded', () => {
    expect(generalize('37.7749,-122.4194', ctx('online.location'))).toBe('37.8,-122.4');
  });

  test('options.decimals sets the precision', () => {
    expect(generalize(37.7749, ctx('usage.activity', { options: { decimals: 2 } }))).toBe(37.77);
  });
});

describe('values generalize cannot read', () => {
  test('are redacted rather than kept', () => {
    expect(generalize('Jane Doe', ctx('identity.name'))).toBe('[REDACTED]');
    expect(generalize('not an ip', ctx('online.ip'))).toBe('[REDACTED]');
  });

  test('NULL and empty text stay as they are', () => {
    expect(generalize(null, ctx('online.ip'))).toBeNull();
    expect(generalize('', ctx('online.ip'))).toBe('');
  });
});

describe('generalize is idempotent', () => {
  const twice = (value: unknown, c: ReturnType<typeof ctx>) => {
    const once = apply(value, c);
    expect(maskerFor('generalize').isMasked(once, c)).toBe(true);
    expect(apply(once, c)).toEqual(once);
  };

  test('for any date', () => {
    fc.assert(fc.property(fc.date({ min: new Date(1900, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }), (d) => {
      twice(d, ctx('identity.birthdate'));
      twice(d.toISOString(), ctx('account.activity'));
    }));
  });

  test('for any IPv4 and IPv6 address', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => twice(ip, ctx('online.ip'))));
    fc.assert(fc.property(fc.ipV6(), (ip) => twice(ip, ctx('online.ip'))));
  });

  test('for any number and bucket', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (n, bucket) =>
      twice(n, ctx('usage.activity', { options: { bucket } }))));
  });

  test('for any coordinate', () => {
    fc.assert(fc.property(fc.double({ min: -180, max: 180, noNaN: true }), (n) => twice(n, ctx('online.location'))));
  });

  test('for any postal code', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 10 }), (zip) => twice(zip, ctx('contact.address.postal'))));
  });

  test('an original value is not taken for a generalized one', () => {
    expect(maskerFor('generalize').isMasked('192.168.1.77', ctx('online.ip'))).toBe(false);
    expect(maskerFor('generalize').isMasked(new Date(1990, 4, 6), ctx('identity.birthdate'))).toBe(false);
  });
});
