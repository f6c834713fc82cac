import { expect, test } from 'vitest';
import type { TypeFamily } from '../../connectors/connector.ts';
import { valueDetectors } from '../../src/scan/detectors/index.ts';
import { judgeColumn } from '../../src/scan/judge.ts';

const detectors = valueDetectors(() => new Date('2025-06-01T00:00:00Z'));
const judge = (name: string, texts: string[], family: TypeFamily = 'text', table = 'things') => judgeColumn({ name, family, texts, raw: texts }, table, detectors);

test('a column named innocently (`notes`) that holds emails is contact data, found by its values', () => {
  const texts = Array.from({ length: 20 }, (_, i) => `customer${i}@example.com`);
  expect(judge('notes', texts)).toMatchObject({ category: 'contact.email', confidence: 0.95, level: 'high' });
});

test('a name and values that agree reinforce each other', () => {
  const texts = ['+1 415 555 0100', '+44 20 7946 0958', '+49 30 1234567'];
  const j = judge('tel', texts)!;
  expect(j.category).toBe('contact.phone');
  expect(j.confidence).toBeGreaterThan(0.6); // 1 - (1 - 0.6) * (1 - 0.55)
  expect(j.detections.map((d) => d.detector)).toEqual(['phone', 'column-name']);
});

test('a name whose values show none of its category counts half, below the report line', () => {
  const texts = Array.from({ length: 12 }, () => 'yes');
  expect(judge('mail', texts)).toMatchObject({ category: 'contact.email', confidence: 0.25, level: 'low' });
});

test('a name alone is reported when the column is empty', () => {
  expect(judge('nachname', [])).toMatchObject({ category: 'identity.name', confidence: 0.8, level: 'high' });
});

test('a postal-code name makes bare five-digit values count, with the more specific category', () => {
  expect(judge('plz', ['10115', '80331', '20095'])).toMatchObject({ category: 'contact.address.postal', level: 'high' });
});

test('ids, plans and timestamps are not personal data', () => {
  expect(judge('id', ['1', '2', '3'], 'integer')).toBeUndefined();
  expect(judge('plan', ['free', 'pro', 'team'])).toBeUndefined();
  expect(judge('created_at', ['2024-01-01T10:00:00.000Z', '2024-02-01T11:30:00.000Z'], 'timestamp')).toBeUndefined();
  expect(judge('order_no', ['4000000000007919', '4000000000015838'])).toBeUndefined();
});
