import { expect, test } from 'vitest';
import { sqlExpressible, sqlMaskFor } from '../../src/masking/sql-expressible.ts';
import { column, ctx } from './contexts.ts';

const name = ctx('identity.name', { column: column('text', 'varchar(8)', { maxLength: 8 }) });

test('null and keep need no column type', () => {
  expect(sqlMaskFor('null', ctx('contact.email'))).toEqual({ kind: 'null' });
  expect(sqlMaskFor('keep', ctx('contact.email'))).toEqual({ kind: 'keep' });
});

test('redact is a literal marker of the column type and length', () => {
  expect(sqlMaskFor('redact', name)).toEqual({ kind: 'literal', value: '[R]' });
  expect(sqlMaskFor('redact', ctx('identity.birthdate', { column: column('date', 'date') }))).toEqual({
    kind: 'literal',
    value: '1970-01-01',
  });
  expect(sqlMaskFor('redact', ctx('usage.activity', { column: column('integer', 'int') }))).toEqual({ kind: 'literal', value: 0 });
});

test('generalize of a date or timestamp column is the start of its year', () => {
  expect(sqlMaskFor('generalize', ctx('identity.birthdate', { column: column('date', 'date') }))).toEqual({
    kind: 'year-start',
    family: 'date',
  });
  expect(sqlMaskFor('generalize', ctx('account.activity', { column: column('timestamp', 'timestamptz') }))).toEqual({
    kind: 'year-start',
    family: 'timestamp',
  });
});

test('masks that need each value are not expressible in SQL', () => {
  expect(sqlExpressible('hash', name)).toBe(false);
  expect(sqlExpressible('fake', name)).toBe(false);
  expect(sqlExpressible('random', name)).toBe(false);
  expect(sqlExpressible('generalize', ctx('online.ip', { column: column('inet', 'inet') }))).toBe(false);
});

test('redact and generalize need the column type', () => {
  expect(sqlExpressible('redact', ctx('identity.name'))).toBe(false);
  expect(sqlExpressible('generalize', ctx('identity.birthdate'))).toBe(false);
});
