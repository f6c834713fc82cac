// Which tables are tables of people: found by an email or a phone no two rows share.
import { expect, test } from 'vitest';
import type { ColumnInfo } from '../../connectors/connector.ts';
import { identification } from '../../src/init/people.ts';
import type { ColumnSurvey, TableSurvey } from '../../src/init/survey.ts';

const column = (name: string, category: string | undefined, over: Partial<ColumnSurvey> = {}, info: Partial<ColumnInfo> = {}): ColumnSurvey => ({
  info: { name, type: 'text', family: 'text', nullable: true, maxLength: null, unique: false, ...info },
  judgement: category ? { category, confidence: 0.95, level: 'high', detections: [] } : undefined,
  wholeValues: true,
  uniqueInRows: false,
  neverEmpty: true,
  nonEmpty: 0,
  distinct: 0,
  linkValues: [],
  cards: false,
  ...over,
});
const table = (columns: ColumnSurvey[]): TableSurvey => ({
  system: 'app',
  kind: 'sqlite',
  info: { name: 'users', kind: 'table', columns: columns.map((c) => c.info), primaryKey: ['id'], indexes: [], foreignKeys: [], partitions: [], partitionKey: [], triggers: [], estimatedRows: 0 },
  columns,
  rows: 40,
  whole: true,
});

test('a phone that several rows share identifies no one: a family would become one subject', () => {
  const t = table([column('email', 'contact.email', {}, { unique: true }), column('phone', 'contact.phone', { uniqueInRows: false })]);
  expect(identification(t)?.identify).toEqual({ email: 'email' });
});

test('an email without a unique constraint, empty in some rows and repeated in none, still identifies', () => {
  const t = table([column('email', 'contact.email', { uniqueInRows: true, neverEmpty: false })]);
  expect(identification(t)).toEqual({ identify: { email: 'email' }, guess: { confidence: 'medium', why: 'email: contact.email, no repeat in the 40 rows read' } });
});

test('emails inside longer text (a notes column) identify no one', () => {
  const t = table([column('notes', 'contact.email', { uniqueInRows: true, wholeValues: false })]);
  expect(identification(t)).toBeUndefined();
});
