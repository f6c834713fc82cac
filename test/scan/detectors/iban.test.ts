import { expect, test } from 'vitest';
import { containsIban, ibanDetector, isIban } from '../../../src/scan/detectors/iban.ts';

test('IBANs with a valid mod-97 checksum, grouped or not', () => {
  for (const v of ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'fr14 2004 1010 0505 0001 3m02 606', 'NL91ABNA0417164300']) expect(isIban(v), v).toBe(true);
});

test('a wrong check digit or length is not an IBAN', () => {
  for (const v of ['DE89 3704 0044 0532 0130 01', 'DE89 3704 0044 0532 0130', 'XX89370400440532013000', 'DE8937040044053201300000']) expect(isIban(v), v).toBe(false);
});

test('an IBAN inside text is found', () => {
  expect(containsIban('refund to DE89 3704 0044 0532 0130 00 please')).toBe(true);
  expect(containsIban('refund to DE89 3704 0044 0532 0130 01 please')).toBe(false);
});

test('a column of IBANs suggests a bank account under billing', () => {
  const texts = ['DE89370400440532013000', 'GB82WEST12345698765432'];
  expect(ibanDetector.detect({ name: 'x', family: 'text', texts, raw: texts })).toMatchObject({ category: 'billing.bank-account', matched: 2 });
});
