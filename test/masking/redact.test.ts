import { describe, expect, test } from 'vitest';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { column, ctx } from './contexts.ts';

const redact = (value: unknown, c = ctx('identity.name')) => maskValue('redact', value, c);
const text = (maxLength: number) => ctx('identity.name', { column: column('text', `varchar(${maxLength})`, { maxLength }) });

describe('redact writes a fixed marker', () => {
  test('text becomes [REDACTED]', () => {
    expect(redact('Jane Doe')).toBe('[REDACTED]');
  });

  test('the marker shortens to [R], then *, to fit the column', () => {
    expect(redact('Jane Doe', text(10))).toBe('[REDACTED]');
    expect(redact('Jane Doe', text(9))).toBe('[R]');
    expect(redact('Jane Doe', text(3))).toBe('[R]');
    expect(redact('Jane', text(2))).toBe('*');
  });

  test('numbers become 0 in their own type', () => {
    expect(redact(42)).toBe(0);
    expect(redact(42n)).toBe(0n);
    expect(redact('42.50', ctx('billing.transaction', { column: column('decimal', 'numeric(10,2)') }))).toBe('0');
  });

  test('a date becomes 1970-01-01', () => {
    expect(redact('1990-05-06', ctx('identity.birthdate', { column: column('date', 'date') }))).toBe('1970-01-01');
    expect(redact(new Date(1990, 4, 6), ctx('identity.birthdate', { column: column('date', 'date') }))).toEqual(
      new Date(1970, 0, 1),
    );
  });

  test('a timestamp becomes 1970-01-02 00:00, inside MySQL TIMESTAMP range in any zone', () => {
    expect(redact(new Date(2021, 4, 6, 12, 0))).toEqual(new Date(1970, 0, 2));
    expect(redact('2021-05-06 12:00:00', ctx('account.activity', { column: column('timestamp', 'datetime') }))).toBe(
      '1970-01-02 00:00:00',
    );
  });

  test('binary becomes empty', () => {
    expect(redact(Buffer.from('photo'))).toEqual(Buffer.alloc(0));
  });

  test('uuid, inet, boolean and JSON columns get a marker of their type', () => {
    expect(redact('3f2504e0-4f89-41d3-9a0c-0305e82c3301', ctx('online.identifier', { column: column('uuid', 'uuid') }))).toBe(
      '00000000-0000-0000-0000-000000000000',
    );
    expect(redact('10.1.2.3', ctx('online.ip', { column: column('inet', 'inet') }))).toBe('0.0.0.0');
    expect(redact(true, ctx('marketing.consent'))).toBe(false);
    expect(redact({ note: 'x' }, ctx('support.notes'))).toBe('"[REDACTED]"');
  });

  test('NULL stays NULL', () => {
    expect(redact(null)).toBeNull();
  });
});

describe('redact recognizes what it wrote', () => {
  test.each(['[REDACTED]', '[R]', '*'])('%s is already redacted', (marker) => {
    expect(maskerFor('redact').isMasked(marker, ctx('identity.name'))).toBe(true);
  });

  test('a redacted number, date and JSON value are already redacted', () => {
    expect(maskerFor('redact').isMasked('0.00', ctx('billing.transaction', { column: column('decimal', 'numeric(10,2)') }))).toBe(true);
    expect(maskerFor('redact').isMasked(new Date(1970, 0, 1), ctx('identity.birthdate', { column: column('date', 'date') }))).toBe(true);
    expect(maskerFor('redact').isMasked('[REDACTED]', ctx('support.notes', { column: column('json', 'jsonb') }))).toBe(true);
  });

  test('a real value is not', () => {
    expect(maskerFor('redact').isMasked('Jane Doe', ctx('identity.name'))).toBe(false);
    expect(maskerFor('redact').isMasked(42, ctx('usage.activity'))).toBe(false);
  });
});
