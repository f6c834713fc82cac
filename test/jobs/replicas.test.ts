// Several `dsar schedule` replicas sharing one PostgreSQL state store.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { FakeClock } from '../../jobs/clock.ts';
import { Scheduler } from '../../jobs/scheduler.ts';
import { batchJob, batchRunner, steps, waitFor } from './job-fixtures.ts';
import { sharedStateDatabase } from './shared-state.ts';

const REPLICA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'replica.ts');

const shared = sharedStateDatabase('replicas', { stopMs: 1000 });
const processes: ChildProcess[] = [];
afterEach(() => {
  // Registered after the shared cleanup, so it runs before it: a replica process dies before the schedulers stop.
  for (const p of processes.splice(0)) if (p.exitCode === null && p.signalCode === null) process.kill(-p.pid!, 'SIGKILL');
});

/** A replica in this process: its own connection pool to the state database, its own owner id. */
async function replica(name: string, clock: FakeClock, job: ReturnType<typeof batchJob>): Promise<Scheduler> {
  const store = await shared.openStore();
  const s = new Scheduler({ jobs: [job], timezone: 'UTC', runs: store.jobRuns, runner: batchRunner(), clock, owner: name, leaseMs: 3600_000 });
  shared.schedulers.push(s);
  return s;
}

describe('replicated schedulers on one PostgreSQL state store', () => {
  test('two replicas run a job exactly once per tick', async () => {
    const job = batchJob('nightly-sweep', '*/5 * * * *', shared.dir);
    const clocks = [new FakeClock('2025-01-01T02:59:59Z'), new FakeClock('2025-01-01T02:59:59Z')];
    const [a, b] = [await replica('replica-a', clocks[0], job), await replica('replica-b', clocks[1], job)];
    await Promise.all([a.start(), b.start()]);

    const ticks = ['03:00', '03:05', '03:10', '03:15', '03:20', '03:25'].map((t) => `2025-01-01T${t}:00.000Z`);
    for (const tick of ticks) {
      // Both replicas see the tick at the same moment and race for it in the state database.
      clocks[0].advanceTo(tick);
      clocks[1].advanceTo(tick);
      await Promise.all([a.whenIdle(), b.whenIdle()]);
    }

    const store = shared.stores[0];
    const recorded = await store.jobRuns.history('nightly-sweep', 100);
    expect(recorded.map((r) => [r.tick, r.status, r.attempts]).reverse()).toEqual(ticks.map((t) => [t, 'ok', 1]));
    expect(recorded.every((r) => r.owner === 'replica-a' || r.owner === 'replica-b')).toBe(true);
    expect(steps(shared.dir).filter((s) => s.step === 'start').map((s) => s.tick)).toEqual(ticks);
  });

  test('a tick that comes while another replica runs the job is skipped there: the job never overlaps itself', async () => {
    const job = batchJob('hourly-export', '*/5 * * * *', shared.dir, { batches: 3, batchMs: 300 });
    const clocks = [new FakeClock('2025-01-01T02:59:59Z'), new FakeClock('2025-01-01T02:59:59Z')];
    const [a, b] = [await replica('replica-a', clocks[0], job), await replica('replica-b', clocks[1], job)];
    await Promise.all([a.start(), b.start()]);

    clocks[0].advanceTo('2025-01-01T03:00:00Z'); // A takes 03:00 and starts it
    await waitFor('replica A to start the job', () => a.runningJobs().length === 1);
    clocks[1].advanceTo('2025-01-01T03:05:00Z'); // B: 03:00 is A's; 03:05 comes while A still runs
    await Promise.all([a.whenIdle(), b.whenIdle()]);

    const recorded = await shared.stores[0].jobRuns.history('hourly-export', 100);
    expect(recorded.map((r) => [r.tick, r.owner, r.status, r.detail.reason])).toEqual([
      ['2025-01-01T03:05:00.000Z', 'replica-b', 'skipped', 'still running'],
      ['2025-01-01T03:00:00.000Z', 'replica-a', 'ok', 'schedule'],
    ]);
    expect(steps(shared.dir).filter((s) => s.step === 'start')).toHaveLength(1);
  });

  test('a replica killed mid-run is taken over by another, which resumes from the checkpoint', async () => {
    // Replica A is a real process on the real clock, ticking every second with a 1.5 s lease.
    const job = batchJob('partner-extract', '* * * * * *', shared.dir, { batches: 6, batchMs: 400 });
    const a = spawn(process.execPath, ['--import', 'tsx', REPLICA, JSON.stringify({ url: shared.url, jobs: [job], leaseMs: 1500, heartbeatMs: 300, owner: 'replica-a' })], {
      detached: true, // its own process group: killing the group is the machine dying, job included
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    processes.push(a);
    const firstTwo = await waitFor('two batches done by replica A', () => {
      const done = steps(shared.dir).filter((s) => s.step === 'batch');
      return done.length >= 2 && done;
    });
    const tick = firstTwo[0].tick;
    process.kill(-a.pid!, 'SIGKILL');
    await new Promise((resolve) => a.once('exit', resolve));
    const checkpoint = Math.max(...steps(shared.dir).filter((s) => s.step === 'batch').map((s) => s.n));
    expect(checkpoint).toBeLessThan(6);

    // Replica B starts after A's lease ran out: it finds the run still open and takes it over.
    const store = await shared.openStore();
    // Every lease of A's: killed between claiming a later tick and closing it as skipped, A leaves that run open too
    // (B closes it as skipped when it takes the runs over).
    await waitFor('the leases to run out', async () =>
      (await store.jobRuns.history('partner-extract', 50)).every((r) => r.status !== 'running' || Date.parse(r.leaseUntil) < Date.now()),
    );
    const clock = new FakeClock(new Date());
    const b = await replica('replica-b', clock, job);
    await b.start();
    await b.whenIdle();

    const run = (await store.jobRuns.history('partner-extract', 100)).find((r) => r.tick === tick)!;
    expect([run.status, run.owner, run.attempts, run.detail.reason]).toEqual(['ok', 'replica-b', 2, 'takeover']);
    const ofTheRun = steps(shared.dir).filter((s) => s.tick === tick);
    expect(ofTheRun.filter((s) => s.step === 'batch').map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6]); // nothing lost, nothing twice
    expect(ofTheRun.filter((s) => s.step === 'start').map((s) => s.n)).toEqual([0, checkpoint]);
    // The other ticks were skipped (still running, or missed while no replica was alive), never run alongside.
    const others = (await store.jobRuns.history('partner-extract', 100)).filter((r) => r.tick !== tick);
    expect(others.map((r) => r.status)).toEqual(others.map(() => 'skipped'));
    expect(new Set(steps(shared.dir).map((s) => s.tick))).toEqual(new Set([tick]));
  });
});
