import { describe, expect, test } from 'vitest';
import type { ColumnInfo } from '../../connectors/connector.ts';
import type { MaskName } from '../../src/datamap/types.ts';
import { checkFits } from '../../src/masking/masker.ts';
import { column, ctx } from './contexts.ts';

const fits = (mask: MaskName, category: string, col: ColumnInfo, options: Record<string, unknown> = {}) =>
  checkFits(mask, ctx(category, { column: col, options }));

const notNull = column('text', 'varchar(16)', { name: 'short_text', nullable: false, maxLength: 16 });
const uniqueEmail = column('text', 'varchar(40)', { name: 'email', unique: true, maxLength: 40 });
const tinyEmail = column('text', 'varchar(10)', { name: 'email', maxLength: 10 });

describe('checkFits reports masks the column would reject', () => {
  test('NULL into a NOT NULL column', () => {
    expect(fits('null', 'identity.name', notNull)).toBe('mask null writes NULL but column short_text (varchar(16)) is NOT NULL');
  });

  test('fake into a UNIQUE column', () => {
    expect(fits('fake', 'contact.email', uniqueEmail)).toBe(
      'mask fake can give different rows the same value but column email (varchar(40)) is UNIQUE',
    );
  });

  test('redact and generalize into a UNIQUE column', () => {
    expect(fits('redact', 'contact.email', uniqueEmail)).toMatch(/^mask redact can give different rows the same value/);
    expect(fits('generalize', 'contact.address.postal', { ...uniqueEmail, name: 'zip' })).toMatch(/is UNIQUE$/);
  });

  test('a hashed email too long for varchar(10)', () => {
    expect(fits('hash', 'contact.email', tinyEmail)).toBe('mask hash needs 31 characters but column email (varchar(10)) holds 10');
  });

  test('a hashed phone too long for varchar(10)', () => {
    expect(fits('hash', 'contact.phone', { ...tinyEmail, name: 'phone' })).toBe(
      'mask hash needs 14 characters but column phone (varchar(10)) holds 10',
    );
  });

  test('hashed text in fewer than 16 characters', () => {
    expect(fits('hash', 'identity.name', notNull)).toBeUndefined();
    expect(fits('hash', 'identity.name', { ...notNull, maxLength: 12, type: 'varchar(12)' })).toBe(
      'mask hash needs 16 characters but column short_text (varchar(12)) holds 12',
    );
  });

  test('hash into a UNIQUE column too small to stay distinct', () => {
    expect(fits('hash', 'billing.processor-ref', column('integer', 'integer', { name: 'ref', unique: true }))).toBe(
      'mask hash can give different rows the same value in UNIQUE column ref (integer): the type holds fewer than 2^47 numbers',
    );
    expect(fits('hash', 'identity.birthdate', column('date', 'date', { name: 'born', unique: true }))).toMatch(/too few values$/);
  });

  test('generalize of a column that is no date, IP, number, postal code or location', () => {
    expect(fits('generalize', 'identity.name', column('text', 'varchar(50)', { name: 'full_name', maxLength: 50 }))).toBe(
      'mask generalize applies to dates, IP addresses, numbers, postal codes and locations; ' +
        'column full_name (varchar(50)) with category identity.name is none of these',
    );
  });

  test('anything but null and keep into a type it cannot make (an enum)', () => {
    const status = column('other', "enum('a','b')", { name: 'status' });
    expect(fits('redact', 'account.settings', status)).toBe(
      "mask redact cannot make a value of column status (enum('a','b')); use null or keep",
    );
    expect(fits('null', 'account.settings', status)).toBeUndefined();
  });
});

describe('checkFits accepts masks that fit', () => {
  test('NULL into a nullable UNIQUE column (NULLs never collide)', () => {
    expect(fits('null', 'contact.email', uniqueEmail)).toBeUndefined();
  });

  test('hash and random into a UNIQUE varchar(40) email', () => {
    expect(fits('hash', 'contact.email', uniqueEmail)).toBeUndefined();
    expect(fits('random', 'contact.email', uniqueEmail)).toBeUndefined();
  });

  test('a hashed email in exactly 31 characters', () => {
    expect(fits('hash', 'contact.email', { ...tinyEmail, maxLength: 31 })).toBeUndefined();
  });

  test('fake and redact into a short NOT NULL column (they are cut to length)', () => {
    expect(fits('fake', 'identity.name', { ...notNull, maxLength: 3 })).toBeUndefined();
    expect(fits('redact', 'identity.name', { ...notNull, maxLength: 3 })).toBeUndefined();
  });

  test('generalize of dates, IPs, numbers, and text with a postal or IP category', () => {
    expect(fits('generalize', 'identity.birthdate', column('date', 'date'))).toBeUndefined();
    expect(fits('generalize', 'online.ip', column('inet', 'inet'))).toBeUndefined();
    expect(fits('generalize', 'usage.activity', column('integer', 'int'))).toBeUndefined();
    expect(fits('generalize', 'contact.address.postal', column('text', 'varchar(10)', { maxLength: 10 }))).toBeUndefined();
    expect(fits('generalize', 'online.ip', column('text', 'varchar(45)', { maxLength: 45 }))).toBeUndefined();
  });

  test('keep into anything', () => {
    expect(fits('keep', 'contact.email', { ...uniqueEmail, nullable: false })).toBeUndefined();
  });

  test('any mask when the column is unknown', () => {
    expect(checkFits('fake', ctx('contact.email'))).toBeUndefined();
  });
});
