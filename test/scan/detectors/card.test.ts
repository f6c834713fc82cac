import { describe, expect, test } from 'vitest';
import { issuerOf, judgeCards, luhnValid, scanForCards } from '../../../src/scan/detectors/card.ts';

const brands = (text: string) => scanForCards(text).cards.map((c) => `${c.brand} ${c.last4}`);

describe('card numbers: Luhn-valid runs with an issuer prefix and length', () => {
  test.each([
    ['4111111111111111', 'Visa 1111'],
    ['4222222222222', 'Visa 2222'], // 13 digits
    ['5555555555554444', 'Mastercard 4444'],
    ['2223003122003222', 'Mastercard 3222'], // 2-series
    ['378282246310005', 'American Express 0005'],
    ['371449635398431', 'American Express 8431'],
    ['6011000990139424', 'Discover 9424'],
    ['6445644564456445', 'Discover 6445'],
    ['6500000000000002', 'Discover 0002'],
    ['3530111333300000', 'JCB 0000'],
    ['3566002020360505', 'JCB 0505'],
    ['30569309025904', 'Diners Club 5904'],
    ['36227206271667', 'Diners Club 1667'],
    ['38520000023237', 'Diners Club 3237'],
    ['6200000000000005', 'UnionPay 0005'],
    ['6205500000000000004', 'UnionPay 0004'], // 19 digits
  ])('%s is a card: %s', (number, expected) => {
    expect(brands(number)).toEqual([expected]);
  });

  test('grouped by spaces or dashes, inside text', () => {
    expect(brands('paid with 4111-1111-1111-1111 yesterday, and 3782 822463 10005 before')).toEqual(['Visa 1111', 'American Express 0005']);
  });

  test('a card followed by more digits in the same grouping is still found', () => {
    expect(brands('4111 1111 1111 1111 12')).toEqual(['Visa 1111']);
  });

  test('only the brand and the last four digits come back, never the number', () => {
    expect(JSON.stringify(scanForCards('card 4012888888881881'))).not.toContain('401288888888');
  });
});

describe('known false positives are not cards', () => {
  test('a phone number that passes Luhn (+886 10655648674) is not a card', () => {
    expect(luhnValid('88610655648674')).toBe(true);
    expect(scanForCards('+886 10655648674')).toEqual({ cards: [], luhnNotCard: 0, issuerShaped: 0 });
    expect(scanForCards('886 10655648674')).toEqual({ cards: [], luhnNotCard: 1, issuerShaped: 0 });
  });

  test('a Luhn-valid number with no issuer prefix is counted as "Luhn-valid, not a card"', () => {
    expect(scanForCards('order 1234567812345670')).toEqual({ cards: [], luhnNotCard: 1, issuerShaped: 0 });
  });

  test('timestamps in milliseconds as digits are not cards', () => {
    expect(scanForCards('1700000000000 1699999999999 1712345678901').cards).toEqual([]);
  });

  test('an issuer prefix with the wrong length is not a card', () => {
    expect(issuerOf('41111111111111')).toBeUndefined(); // Visa has 13, 16 or 19 digits
    expect(issuerOf('3782822463100050')).toBeUndefined(); // Amex has 15
    expect(brands('41111111111111111111')).toEqual([]); // 20 digits
  });

  test('a failing Luhn checksum is not a card', () => {
    expect(scanForCards('4111111111111112')).toEqual({ cards: [], luhnNotCard: 0, issuerShaped: 1 });
  });

  test('digits inside hashes and identifiers are not cards', () => {
    expect(brands('a4111111111111111b 4111111111111111x')).toEqual([]);
  });
});

describe('a column of order numbers is judged by its Luhn pass rate', () => {
  test('card-shaped numbers passing Luhn at the chance rate are order numbers, not cards', () => {
    expect(judgeCards(9, 100).kind).toBe('chance');
  });

  test('one card among few values is a card', () => {
    expect(judgeCards(1, 1)).toMatchObject({ kind: 'cards', confidence: 0.95 });
  });

  test('a column whose card-shaped numbers all pass Luhn holds cards', () => {
    expect(judgeCards(25, 25)).toMatchObject({ kind: 'cards', confidence: 0.95 });
  });
});
