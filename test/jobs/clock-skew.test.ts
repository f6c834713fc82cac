// Replicas whose machine clocks disagree: one runs 45 s ahead of the other, more than a lease. Judged by its own
// clock it takes the live replica's run over (the run starts twice); judged by the state database's clock
// (databaseClock, what `dsar schedule` uses with a PostgreSQL state store) it never does.
import { expect, test } from 'vitest';
import { databaseClock, systemClock, type Clock } from '../../jobs/clock.ts';
import { Scheduler } from '../../jobs/scheduler.ts';
import type { StateStore } from '../../src/state/store.ts';
import { batchJob, batchRunner, steps, waitFor } from './job-fixtures.ts';
import { sharedStateDatabase } from './shared-state.ts';

const shared = sharedStateDatabase('skew', { stopMs: 2000 });

const ahead: Clock = { ...systemClock, now: () => new Date(Date.now() + 45_000) };

async function replica(name: string, job: ReturnType<typeof batchJob>, clock: (store: StateStore) => Promise<Clock>): Promise<Scheduler> {
  const store = await shared.openStore();
  const s = new Scheduler({ jobs: [job], timezone: 'UTC', runs: store.jobRuns, runner: batchRunner(), clock: await clock(store), owner: name, leaseMs: 3000, heartbeatMs: 500 });
  shared.schedulers.push(s);
  return s;
}

const dbClock = (base: Clock) => async (store: StateStore) => {
  const c = await databaseClock(base, () => store.jobRuns.databaseNow());
  shared.cleanups.push(c.stop);
  return c;
};

async function runWithSkew(name: string, clockOf: (base: Clock) => (store: StateStore) => Promise<Clock>): Promise<{ starts: number; attempts: number[] }> {
  // One long run (4 s, more than a lease) started by replica A; replica B, 45 s ahead, starts while it runs.
  const job = batchJob(name, '0 0 0 1 1 *', shared.dir, { batches: 8, batchMs: 500 });
  const a = await replica('replica-a', job, clockOf(systemClock));
  await a.start();
  const manual = a.runNow(job.name);
  await waitFor('replica A to start the job', () => steps(shared.dir).some((s) => s.step === 'start'));
  const b = await replica('replica-b', job, clockOf(ahead));
  await b.start();
  await manual;
  await Promise.all([a.whenIdle(), b.whenIdle()]);
  const runs = await shared.stores[0].jobRuns.history(job.name, 10);
  return { starts: steps(shared.dir).filter((s) => s.step === 'start').length, attempts: runs.map((r) => r.attempts) };
}

const ownClock = (base: Clock) => async () => base;

test("judged by its own clock, a replica 45 s ahead takes a live replica's run over: the job starts twice", async () => {
  const r = await runWithSkew('skewed-own-clock', ownClock);

  expect(r.starts).toBe(2);
  expect(r.attempts).toEqual([2]);
}, 30_000);

test("judged by the state database's clock, the same replica leaves the live run alone: it starts once", async () => {
  const r = await runWithSkew('skewed-db-clock', dbClock);

  expect(r.starts).toBe(1);
  expect(r.attempts).toEqual([1]);
}, 30_000);

test('databaseClock measures the offset to the database: a clock 45 s ahead reads the database time', async () => {
  const store = await shared.openStore();
  const c = await databaseClock(ahead, () => store.jobRuns.databaseNow());
  shared.cleanups.push(c.stop);

  expect(Math.abs(c.offsetMs() + 45_000)).toBeLessThan(1000);
  expect(Math.abs(c.now().getTime() - Date.now())).toBeLessThan(1000);
});
