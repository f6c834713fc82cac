import { expect, test } from 'vitest';
import { isPhoneNumber, phoneDetector } from '../../../src/scan/detectors/phone.ts';

test('international and formatted national numbers are phone numbers', () => {
  for (const v of ['+1 415 555 0100', '+44 20 7946 0958', '(415) 555-0100', '030 1234567', '0049 30 12345678', '+886 10655648674']) expect(isPhoneNumber(v), v).toBe(true);
});

test('bare digits (order numbers, timestamps) are not phone numbers on their own', () => {
  for (const v of ['4155550100', '1700000000', '20240115']) expect(isPhoneNumber(v), v).toBe(false);
});

test('dates, IP addresses and decimals are not phone numbers', () => {
  for (const v of ['2024-01-15', '15.01.2024', '10.0.0.1', '1234.56']) expect(isPhoneNumber(v, true), v).toBe(false);
});

test('in a column named or declared as a phone, bare national digits count', () => {
  const texts = ['4155550100', '2125550123', '6502530000'];
  expect(phoneDetector.detect({ name: 'x', family: 'text', texts, raw: texts })).toBeUndefined();
  expect(phoneDetector.detect({ name: 'x', family: 'text', texts, raw: texts, hint: 'contact.phone' })).toMatchObject({ matched: 3, sampled: 3 });
});
