// `dsar schedule`: follows the data map's jobs until SIGTERM/SIGINT, then stops within 10 s and exits 0.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { UsageError } from '../../errors.ts';
import { cronTimes } from '../../../jobs/cron-times.ts';
import { openJobState, stateFailure } from '../../../jobs/state.ts';
import { describeEvent } from './job-events.ts';
import { dsarRunner } from '../../../jobs/runner.ts';
import { Scheduler, type SchedulerEvent } from '../../../jobs/scheduler.ts';
import { catchStopSignals } from '../../../jobs/signals.ts';
import { databaseClock, systemClock } from '../../../jobs/clock.ts';
import { checkMinuteCrons, pgBossTicks } from '../../../jobs/pg-boss-ticks.ts';
import { clockTicks } from '../../../jobs/ticks.ts';
import { stateUrlFor } from '../../distribute/enqueue.ts';

export interface ScheduleArgs {
  /** Seconds a run stays this replica's without a heartbeat; another replica takes it over after that. */
  lease: number;
}

/** SIGTERM to the children, then at most this long before they are killed: the process is gone within 10 s. */
export const STOP_GRACE_MS = 9_000;

export async function scheduleCommand(args: GlobalArgs & ScheduleArgs, ctx: CliContext): Promise<number> {
  if (!(args.lease >= 3)) throw new UsageError(`--lease: at least 3 seconds (got ${args.lease})`);
  const map = loadDataMap(path.resolve(args.datamap));
  const jobs = Object.values(map.jobs);
  if (jobs.length === 0) throw new UsageError(`${map.file}: no jobs: to schedule (declare them under jobs:)`);
  const store = await openJobState(map);
  const stopSignal = catchStopSignals();
  const counts: Record<string, number> = {};
  // Leases and takeovers by the state database's clock: replicas on machines whose clocks disagree still agree.
  let clock: Awaited<ReturnType<typeof databaseClock>> | undefined;
  try {
    const shared = store.shared;
    if (shared) checkMinuteCrons(jobs); // before anything is scheduled
    clock = shared ? await databaseClock(systemClock, () => store.jobRuns.databaseNow()) : undefined;
    const scheduler = new Scheduler({
      clock,
      ticks: shared ? pgBossTicks(stateUrlFor(map, 'dsar schedule'), { log: ctx.log }) : clockTicks(systemClock),
      jobs,
      timezone: map.timezone,
      runs: store.jobRuns,
      runner: dsarRunner({ datamap: map.file, logLevel: args.logLevel }),
      leaseMs: args.lease * 1000,
      log: ctx.log,
      onEvent(e: SchedulerEvent) {
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        ctx.out.line(`${new Date().toISOString()} ${describeEvent(e)}`);
      },
    });
    ctx.out.line(`dsar schedule: ${jobs.length} job(s), time zone ${map.timezone}, state ${store.location}, replica ${scheduler.owner}`);
    ctx.out.line(`  ticks fired by ${scheduler.ticks.describe}`);
    const now = new Date();
    for (const job of jobs) ctx.out.line(`  ${job.name}  ${job.cron}  next ${cronTimes(job.cron, map.timezone).next(now)?.toISOString() ?? 'never'}  runs: ${job.run}`);
    ctx.log.info({ owner: scheduler.owner, jobs: jobs.map((j) => j.name), timezone: map.timezone }, 'scheduler started');

    await scheduler.start();
    const signal = await stopSignal.received;
    const running = scheduler.runningJobs();
    ctx.log.info({ signal, running: running.map((r) => r.job) }, 'stopping');
    ctx.out.line(`${new Date().toISOString()} ${signal}: stopping${running.length ? ` (${running.map((r) => r.job).join(', ')} finishing the current batch)` : ''}`);
    await scheduler.stop(STOP_GRACE_MS);
    ctx.out.result({ ok: true, owner: scheduler.owner, stoppedBy: signal, events: counts }, () => `${new Date().toISOString()} stopped`);
    return 0;
  } catch (err) {
    throw stateFailure(err, store);
  } finally {
    stopSignal.dispose();
    clock?.stop();
    await store.close();
  }
}
