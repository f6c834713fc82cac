import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, emptyStoreForEachTest, stateFixture, type StateFixture } from './state-fixtures.ts';

const at = (iso: string) => new Date(iso);
const TICK = at('2024-03-01T03:00:00Z');
const MINUTE = 60_000;

describe.each(BACKENDS)('job runs on %s', (backend) => {
  let store: StateStore;
  emptyStoreForEachTest(backend, (opened) => ({ store } = opened));

  test('the first claim of a tick wins and a second claim of it loses', async () => {
    expect(await store.jobRuns.claim('nightly-sweep', TICK, 'replica-a', MINUTE, at('2024-03-01T03:00:01Z'))).toBe(true);
    expect(await store.jobRuns.claim('nightly-sweep', TICK, 'replica-b', MINUTE, at('2024-03-01T03:00:02Z'))).toBe(false);

    expect(await store.jobRuns.lastRun('nightly-sweep')).toEqual({
      job: 'nightly-sweep',
      tick: '2024-03-01T03:00:00.000Z',
      owner: 'replica-a',
      status: 'running',
      attempts: 1,
      startedAt: '2024-03-01T03:00:01.000Z',
      heartbeatAt: '2024-03-01T03:00:01.000Z',
      leaseUntil: '2024-03-01T03:01:01.000Z',
      endedAt: null,
      detail: {},
    });
  });

  test('a finished run records its outcome and detail', async () => {
    await store.jobRuns.claim('nightly-sweep', TICK, 'replica-a', MINUTE);
    expect(await store.jobRuns.finish('nightly-sweep', TICK, 'ok', { rows: 40 }, { owner: 'replica-a', now: at('2024-03-01T03:02:00Z') })).toBe(true);

    const run = await store.jobRuns.lastRun('nightly-sweep');
    expect([run?.status, run?.endedAt, run?.detail]).toEqual(['ok', '2024-03-01T03:02:00.000Z', { rows: 40 }]);
    expect(await store.jobRuns.finish('nightly-sweep', TICK, 'failed')).toBe(false);
  });

  test('a run whose lease expired is taken over by another replica, once', async () => {
    await store.jobRuns.claim('nightly-sweep', TICK, 'replica-a', MINUTE, at('2024-03-01T03:00:00Z'));
    await store.jobRuns.heartbeat('nightly-sweep', TICK, 'replica-a', MINUTE, at('2024-03-01T03:00:30Z'));

    expect(await store.jobRuns.takeOverStale('nightly-sweep', at('2024-03-01T03:01:00Z'), 'replica-b', MINUTE)).toEqual([]);
    const taken = await store.jobRuns.takeOverStale('nightly-sweep', at('2024-03-01T03:02:00Z'), 'replica-b', MINUTE);
    expect(taken.map((r) => [r.tick, r.owner, r.attempts, r.leaseUntil])).toEqual([['2024-03-01T03:00:00.000Z', 'replica-b', 2, '2024-03-01T03:03:00.000Z']]);
    expect(await store.jobRuns.takeOverStale('nightly-sweep', at('2024-03-01T03:02:00Z'), 'replica-c', MINUTE)).toEqual([]);
  });

  test('the owner that lost its run to a takeover can neither heartbeat nor finish it', async () => {
    await store.jobRuns.claim('nightly-sweep', TICK, 'replica-a', MINUTE, at('2024-03-01T03:00:00Z'));
    await store.jobRuns.takeOverStale('nightly-sweep', at('2024-03-01T03:05:00Z'), 'replica-b', MINUTE);

    expect(await store.jobRuns.heartbeat('nightly-sweep', TICK, 'replica-a', MINUTE)).toBe(false);
    expect(await store.jobRuns.finish('nightly-sweep', TICK, 'ok', {}, { owner: 'replica-a' })).toBe(false);
    expect(await store.jobRuns.finish('nightly-sweep', TICK, 'ok', {}, { owner: 'replica-b' })).toBe(true);
  });

  test('finished runs are never taken over', async () => {
    await store.jobRuns.claim('nightly-sweep', TICK, 'replica-a', MINUTE, at('2024-03-01T03:00:00Z'));
    await store.jobRuns.finish('nightly-sweep', TICK, 'failed', { error: 'app unreachable' });

    expect(await store.jobRuns.takeOverStale('nightly-sweep', at('2024-03-02T00:00:00Z'), 'replica-b', MINUTE)).toEqual([]);
  });

  test('history lists the newest ticks first, of one job or all', async () => {
    await store.jobRuns.claim('nightly-sweep', at('2024-03-01T03:00:00Z'), 'a', MINUTE);
    await store.jobRuns.claim('nightly-sweep', at('2024-03-02T03:00:00Z'), 'a', MINUTE);
    await store.jobRuns.claim('partner-extract', at('2024-03-01T05:00:00Z'), 'a', MINUTE);

    expect((await store.jobRuns.history('nightly-sweep')).map((r) => r.tick)).toEqual(['2024-03-02T03:00:00.000Z', '2024-03-01T03:00:00.000Z']);
    expect((await store.jobRuns.history(undefined, 2)).map((r) => [r.job, r.tick])).toEqual([
      ['nightly-sweep', '2024-03-02T03:00:00.000Z'],
      ['partner-extract', '2024-03-01T05:00:00.000Z'],
    ]);
    expect(await store.jobRuns.lastRun('no-such-job')).toBeUndefined();
  });
});

describe('job runs on postgres', () => {
  let fixture: StateFixture;
  beforeAll(async () => {
    fixture = await stateFixture('postgres');
  });
  afterAll(() => fixture?.dispose());

  test('two stores racing for the same ticks each win a tick exactly once', async () => {
    const [a, b] = await Promise.all([fixture.open(), fixture.open()]);
    const ticks = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2024, 2, 1, i)));
    const wins = await Promise.all(
      ticks.flatMap((tick) => [a.jobRuns.claim('nightly-sweep', tick, 'replica-a', MINUTE), b.jobRuns.claim('nightly-sweep', tick, 'replica-b', MINUTE)]),
    );

    for (let i = 0; i < ticks.length; i++) expect(Number(wins[2 * i]) + Number(wins[2 * i + 1])).toBe(1);
    const runs = await a.jobRuns.history('nightly-sweep', 100);
    expect(runs).toHaveLength(10);
    expect(runs.map((r) => r.owner)).toEqual(wins.flatMap((won, i) => (won ? [i % 2 === 0 ? 'replica-a' : 'replica-b'] : [])).reverse());
  });

  test('two stores taking over the same stale runs at once each get disjoint runs', async () => {
    const [a, b] = await Promise.all([fixture.open(), fixture.open()]);
    const ticks = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2024, 3, 1, i)));
    for (const tick of ticks) await a.jobRuns.claim('partner-extract', tick, 'dead-replica', MINUTE, tick);
    const later = at('2024-05-01T00:00:00Z');
    const [takenByA, takenByB] = await Promise.all([
      a.jobRuns.takeOverStale('partner-extract', later, 'replica-a', MINUTE),
      b.jobRuns.takeOverStale('partner-extract', later, 'replica-b', MINUTE),
    ]);

    expect(takenByA.length + takenByB.length).toBe(10);
    expect(new Set([...takenByA, ...takenByB].map((r) => r.tick)).size).toBe(10);
  });
});
