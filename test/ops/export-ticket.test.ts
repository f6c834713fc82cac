import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { assertSafeTicket, parseLaw, parseReceived } from '../../src/ops/ticket.ts';

const NOW = new Date('2024-06-15T12:00:00Z');

describe('tickets', () => {
  test.each(['REQ-1', 'zendesk_123.4', 'A', '9'.repeat(128)])('%j is a safe ticket', (t) => {
    expect(assertSafeTicket(t)).toBe(t);
  });

  test.each(['', '-x', '.x', '_x', 'a/b', 'a\\b', 'x..y', '..', 'a b', 'é', 'x\u0000', 'x'.repeat(129)])('%j is refused', (t) => {
    expect(() => assertSafeTicket(t)).toThrow(UsageError);
  });

  test('the message shows the bad ticket without its control characters', () => {
    expect(() => assertSafeTicket('a\u001b[31mb')).toThrow("--ticket: 'a?[31mb' is not a safe request reference");
  });
});

describe('the received date and the law', () => {
  test('--received defaults to today (UTC) and must be a real, past date', () => {
    expect(parseReceived(undefined, NOW)).toBe('2024-06-15');
    expect(parseReceived('2024-02-29', NOW)).toBe('2024-02-29');
    expect(parseReceived('2024-06-16', NOW)).toBe('2024-06-16'); // a day ahead: time zones east of UTC
    expect(() => parseReceived('2024-06-17', NOW)).toThrow('--received: 2024-06-17 is in the future');
    expect(() => parseReceived('2023-02-29', NOW)).toThrow(UsageError);
    expect(() => parseReceived('15/06/2024', NOW)).toThrow(UsageError);
  });

  test('--law is gdpr by default, or ccpa', () => {
    expect(parseLaw(undefined)).toBe('gdpr');
    expect(parseLaw('CCPA')).toBe('ccpa');
    expect(() => parseLaw('lgpd')).toThrow("--law: 'lgpd' is not one of gdpr, ccpa");
  });
});
