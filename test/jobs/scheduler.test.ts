// One scheduler on the embedded state store, with a fake clock: ticks, overlap, missed runs, catch-up, stopping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeClock } from '../../jobs/clock.ts';
import { Scheduler, type SchedulerOptions } from '../../jobs/scheduler.ts';
import { openStateStore, type StateStore } from '../../src/state/store.ts';
import { batchJob, batchRunner, collect, steps, waitFor } from './job-fixtures.ts';

let dir: string;
let store: StateStore;
const schedulers: Scheduler[] = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-jobs-'));
  store = await openStateStore({ dir });
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(1000)));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function scheduler(opts: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'jobs' | 'clock'>): Scheduler {
  const s = new Scheduler({ timezone: 'UTC', runs: store.jobRuns, runner: batchRunner(), leaseMs: 6 * 3600_000, ...opts });
  schedulers.push(s);
  return s;
}

/** The recorded runs, newest first, as a person reads them. */
async function runs(job?: string) {
  return (await store.jobRuns.history(job, 100)).map((r) => ({ job: r.job, tick: r.tick, status: r.status, detail: r.detail, attempts: r.attempts }));
}

const starts = () => steps(dir).filter((s) => s.step === 'start');

describe('dsar schedule', () => {
  test('runs a job at each tick of its cron, and not before', async () => {
    const clock = new FakeClock('2025-01-01T02:59:30Z');
    const s = scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir)] });
    await s.start();

    clock.advanceTo('2025-01-01T02:59:59Z');
    await s.whenIdle();
    expect(await runs()).toEqual([]);

    clock.advanceTo('2025-01-01T03:00:00Z');
    await s.whenIdle();
    clock.advanceTo('2025-01-02T03:00:00Z');
    await s.whenIdle();
    expect((await runs()).map((r) => [r.tick, r.status, r.detail.exitCode, r.detail.reason])).toEqual([
      ['2025-01-02T03:00:00.000Z', 'ok', 0, 'schedule'],
      ['2025-01-01T03:00:00.000Z', 'ok', 0, 'schedule'],
    ]);
    expect(starts().map((s) => s.tick)).toEqual(['2025-01-01T03:00:00.000Z', '2025-01-02T03:00:00.000Z']);
  });

  test("fires in the data map's time zone: 03:00 in Berlin is 02:00 UTC in January", async () => {
    const clock = new FakeClock('2025-01-01T01:59:00Z');
    const s = scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir)], timezone: 'Europe/Berlin' });
    await s.start();
    clock.advanceTo('2025-01-01T02:00:00Z');
    await s.whenIdle();
    expect((await runs()).map((r) => r.tick)).toEqual(['2025-01-01T02:00:00.000Z']);
  });

  test("a run's exit code decides its recorded outcome: 0 ok, 1 partial, anything else failed", async () => {
    const clock = new FakeClock('2025-01-01T02:59:59Z');
    const jobs = [0, 1, 2].map((exit) => batchJob(`exit-${exit}`, '0 3 * * *', dir, { exit }));
    const s = scheduler({ clock, jobs });
    await s.start();
    clock.advanceTo('2025-01-01T03:00:00Z');
    await s.whenIdle();
    expect((await runs()).map((r) => [r.job, r.status, r.detail.exitCode]).sort()).toEqual([
      ['exit-0', 'ok', 0],
      ['exit-1', 'partial', 1],
      ['exit-2', 'failed', 2],
    ]);
  });

  test('a tick that comes while the job still runs is skipped and recorded as such; the job never overlaps itself', async () => {
    const clock = new FakeClock('2025-01-01T02:59:59Z');
    const { events, onEvent } = collect();
    const s = scheduler({ clock, jobs: [batchJob('sweep', '* * * * *', dir, { batches: 3, batchMs: 200 })], onEvent });
    await s.start();
    clock.advanceTo('2025-01-01T03:00:00Z');
    clock.advanceTo('2025-01-01T03:01:00Z');
    await s.whenIdle();

    expect((await runs()).map((r) => [r.tick, r.status, r.detail.reason ?? null, r.detail.runningTick ?? null])).toEqual([
      ['2025-01-01T03:01:00.000Z', 'skipped', 'still running', '2025-01-01T03:00:00.000Z'],
      ['2025-01-01T03:00:00.000Z', 'ok', 'schedule', null],
    ]);
    expect(starts()).toHaveLength(1);
    expect(events.filter((e) => e.type === 'skipped')).toEqual([{ type: 'skipped', job: 'sweep', tick: '2025-01-01T03:01:00.000Z', reason: 'still running' }]);
  });

  describe('a run missed while no scheduler was running', () => {
    beforeEach(async () => {
      // Last run: the night of January 1st; the scheduler comes back on January 4th at 10:00.
      await store.jobRuns.claim('nightly-sweep', new Date('2025-01-01T03:00:00Z'), 'old-replica', 60_000, new Date('2025-01-01T03:00:00Z'));
      await store.jobRuns.finish('nightly-sweep', '2025-01-01T03:00:00.000Z', 'ok', { exitCode: 0 }, { now: new Date('2025-01-01T03:05:00Z') });
    });

    test('is reported and, with catch_up: true, run once at start for the latest missed tick', async () => {
      const clock = new FakeClock('2025-01-04T10:00:00Z');
      const { events, onEvent } = collect();
      const s = scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir, { catchUp: true })], onEvent });
      await s.start();
      await s.whenIdle();
      clock.advanceTo('2025-01-04T12:00:00Z');
      await s.whenIdle();

      expect(events.find((e) => e.type === 'missed')).toEqual({
        type: 'missed',
        job: 'nightly-sweep',
        tick: '2025-01-04T03:00:00.000Z',
        missed: 3,
        lastTick: '2025-01-01T03:00:00.000Z',
        catchUp: true,
      });
      expect((await runs()).map((r) => [r.tick, r.status, r.detail.reason])).toEqual([
        ['2025-01-04T03:00:00.000Z', 'ok', 'catch-up'],
        ['2025-01-01T03:00:00.000Z', 'ok', undefined],
      ]);
      expect(starts().map((s) => s.tick)).toEqual(['2025-01-04T03:00:00.000Z']);
    });

    test('without catch_up it is reported and recorded as skipped, not run, and not reported again at the next start', async () => {
      const clock = new FakeClock('2025-01-04T10:00:00Z');
      const first = collect();
      await scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir)], onEvent: first.onEvent }).start();
      const again = collect();
      await scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir)], onEvent: again.onEvent }).start();

      expect(first.events).toEqual([
        { type: 'missed', job: 'nightly-sweep', tick: '2025-01-04T03:00:00.000Z', missed: 3, lastTick: '2025-01-01T03:00:00.000Z', catchUp: false },
      ]);
      expect(again.events).toEqual([]);
      expect((await runs()).map((r) => [r.tick, r.status, r.detail.reason])).toEqual([
        ['2025-01-04T03:00:00.000Z', 'skipped', 'missed: no scheduler was running'],
        ['2025-01-01T03:00:00.000Z', 'ok', undefined],
      ]);
      expect(starts()).toEqual([]);
    });
  });

  test('a job that never ran is not reported as missed', async () => {
    const clock = new FakeClock('2025-01-04T10:00:00Z');
    const { events, onEvent } = collect();
    await scheduler({ clock, jobs: [batchJob('nightly-sweep', '0 3 * * *', dir, { catchUp: true })], onEvent }).start();
    expect(events).toEqual([]);
    expect(await runs()).toEqual([]);
  });

  /** A scheduler started just before the job's 03:00 tick, returned once the job has run its first batch. */
  async function inFirstBatch(job: ReturnType<typeof batchJob>) {
    const clock = new FakeClock('2025-01-01T02:59:59Z');
    const s = scheduler({ clock, jobs: [job] });
    await s.start();
    clock.advanceTo('2025-01-01T03:00:00Z');
    await waitFor('the first batch', () => steps(dir).some((step) => step.step === 'batch'));
    return { clock, s };
  }

  test('stopping forwards SIGTERM: the job ends after its current batch, and the next scheduler resumes it from its checkpoint', async () => {
    const job = batchJob('nightly-sweep', '0 3 * * *', dir, { batches: 4, batchMs: 300 });
    const { clock, s: first } = await inFirstBatch(job);

    const began = Date.now();
    await first.stop(9_000);
    expect(Date.now() - began).toBeLessThan(10_000);
    const stoppedAfter = steps(dir).find((s) => s.step === 'stopped')!.n;
    expect(stoppedAfter).toBeLessThan(4);
    const [handedOver] = await store.jobRuns.history('nightly-sweep');
    expect([handedOver.status, Date.parse(handedOver.leaseUntil) <= clock.now().getTime()]).toEqual(['running', true]);

    clock.advanceBy(1000);
    const second = scheduler({ clock, jobs: [job] });
    await second.start();
    await second.whenIdle();

    expect((await runs()).map((r) => [r.tick, r.status, r.attempts, r.detail.reason])).toEqual([['2025-01-01T03:00:00.000Z', 'ok', 2, 'takeover']]);
    expect((await store.jobRuns.history())[0].owner).toBe(second.owner);
    expect(steps(dir).filter((s) => s.step === 'batch').map((s) => s.n)).toEqual([1, 2, 3, 4]);
    expect(starts().map((s) => s.n)).toEqual([0, stoppedAfter]);
  });

  test('a job that ignores SIGTERM is killed when the grace period ends', async () => {
    const { s } = await inFirstBatch(batchJob('stubborn', '0 3 * * *', dir, { batches: 100, batchMs: 100, ignoreTerm: true }));
    const began = Date.now();
    await s.stop(500);
    expect(Date.now() - began).toBeLessThan(5_000);
    const pid = starts()[0].pid;
    expect(() => process.kill(pid, 0)).toThrow(); // gone
  });
});
