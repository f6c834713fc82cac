import { afterEach, describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import { createTask } from 'node-cron';
import { cronTimes } from '../../jobs/cron-times.ts';
import { UsageError } from '../../src/errors.ts';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe('cron fire times', () => {
  test('next is strictly after the instant, previous at or before it', () => {
    const nightly = cronTimes('0 3 * * *');
    expect(iso(nightly.next(at('2025-01-01T03:00:00Z')))).toBe('2025-01-02T03:00:00.000Z');
    expect(iso(nightly.previous(at('2025-01-01T03:00:00Z')))).toBe('2025-01-01T03:00:00.000Z');
    expect(iso(nightly.previous(at('2025-01-01T02:59:59Z')))).toBe('2024-12-31T03:00:00.000Z');
  });

  test('ranges, steps, lists, names and a seconds field', () => {
    expect(iso(cronTimes('5-50/10 3,7 * feb-apr *').next(at('2025-01-15T00:00:00Z')))).toBe('2025-02-01T03:05:00.000Z');
    expect(iso(cronTimes('0 9 * * mon-fri').next(at('2025-01-04T00:00:00Z')))).toBe('2025-01-06T09:00:00.000Z'); // Saturday -> Monday
    expect(cronTimes('*/20 * * * * *').between(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:01:00Z'), 10).map(iso)).toEqual([
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:40.000Z',
      '2025-01-01T00:01:00.000Z',
    ]);
  });

  test('the last day of the month and the first Monday', () => {
    expect(iso(cronTimes('0 0 L * *').next(at('2024-02-01T00:00:00Z')))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(cronTimes('0 9 * * mon#1').next(at('2025-01-01T00:00:00Z')))).toBe('2025-01-06T09:00:00.000Z');
    expect(iso(cronTimes('0 5 1 * *').previous(at('2025-03-15T00:00:00Z')))).toBe('2025-03-01T05:00:00.000Z');
  });

  test('in the time zone: 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer', () => {
    const berlin = cronTimes('0 3 * * *', 'Europe/Berlin');
    expect(iso(berlin.next(at('2025-01-01T00:00:00Z')))).toBe('2025-01-01T02:00:00.000Z');
    expect(iso(berlin.next(at('2025-07-01T00:00:00Z')))).toBe('2025-07-01T01:00:00.000Z');
  });

  test('a time skipped by the spring DST change does not fire; one repeated in autumn fires once', () => {
    const half2 = cronTimes('30 2 * * *', 'Europe/Berlin');
    expect(iso(half2.next(at('2025-03-29T12:00:00Z')))).toBe('2025-03-31T00:30:00.000Z');
    expect(half2.between(at('2025-10-25T12:00:00Z'), at('2025-10-26T12:00:00Z'), 5).map(iso)).toEqual(['2025-10-26T01:30:00.000Z']);
  });

  test('an invalid expression or time zone is a usage error naming it', () => {
    expect(() => cronTimes('0 3 * *x *')).toThrow(UsageError);
    expect(() => cronTimes('0 0 30 2 *')).toThrow(/cron '0 0 30 2 \*'/);
    expect(() => cronTimes('0 3 * * *', 'Mars/Olympus')).toThrow("unknown time zone 'Mars/Olympus'");
  });
});

describe('agreement with node-cron, which fires the jobs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const expressions = ['0 3 * * *', '*/15 9-17 L * mon-fri', '0 0 * jan,jul 5#2', '0 30 2 * * *', '0 0 L-2 * 5L', '0 0 15W * *', '*/7 * * * * *', '0 0 1 * 1'];
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];

  test('next fire time equals node-cron\'s for random instants, expressions and zones (DST included)', () => {
    const tasks = new Map<string, ReturnType<typeof createTask>>();
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...expressions),
          fc.constantFrom(...zones),
          fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) }),
          (expression, zone, ms) => {
            const key = `${zone} ${expression}`;
            if (!tasks.has(key)) tasks.set(key, createTask(expression, () => {}, { timezone: zone }));
            vi.useFakeTimers({ toFake: ['Date'], now: ms });
            const theirs = tasks.get(key)!.getNextRuns(1)[0]; // node-cron counts from "now"
            vi.useRealTimers();
            const ours = cronTimes(expression, zone);
            expect(iso(ours.next(new Date(ms)))).toBe(iso(theirs));
            expect(iso(ours.previous(theirs))).toBe(iso(theirs));
            expect(tasks.get(key)!.match(ours.previous(new Date(ms)) ?? new Date(0))).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      for (const t of tasks.values()) void t.destroy();
    }
  });

  test('nothing fires between previous(t) and next(t)', () => {
    fc.assert(
      fc.property(fc.constantFrom('*/7 * * * * *', '*/13 * * * * *'), fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2025, 0, 2) }), (expression, ms) => {
        const times = cronTimes(expression);
        const previous = times.previous(new Date(ms))!.getTime();
        const next = times.next(new Date(ms))!.getTime();
        for (let t = previous + 1000; t < next; t += 1000) expect(times.matches(new Date(t))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
