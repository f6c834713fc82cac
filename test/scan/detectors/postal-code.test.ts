import { expect, test } from 'vitest';
import { isPostalCode, postalCodeDetector } from '../../../src/scan/detectors/postal-code.ts';

const column = (texts: string[], hint?: string) => ({ name: 'x', family: 'text' as const, texts, raw: texts, hint });

test('distinctive national formats are postal codes', () => {
  for (const v of ['SW1A 1AA', 'EC1A 1BB', 'K1A 0B1', '1012 AB', '94105-1234', '00-950', '100-0001']) expect(isPostalCode(v), v).toBe(true);
});

test('bare digits are postal codes only where the column says so', () => {
  expect(isPostalCode('10115')).toBe(false);
  expect(isPostalCode('10115', true)).toBe(true);
  expect(postalCodeDetector.detect(column(['10115', '80331', '20095', '50667', '60311']))).toBeUndefined();
  expect(postalCodeDetector.detect(column(['10115', '80331', '20095', '50667', '60311'], 'contact.address.postal'))).toMatchObject({ matched: 5, confidence: 0.7 });
});

test('a column of UK postcodes is found from its values alone, at medium confidence', () => {
  expect(postalCodeDetector.detect(column(['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH']))).toMatchObject({ category: 'contact.address.postal', confidence: 0.55 });
});
