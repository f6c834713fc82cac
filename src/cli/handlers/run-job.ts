// `dsar run-job <name>`: one run of one job now, for a system crontab. Recorded like a scheduled run (claimed,
// heartbeated, its outcome kept); refused while the job is running elsewhere; exits with the job's exit code.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { closest } from '../../datamap/suggest.ts';
import { RefusedError, UsageError } from '../../errors.ts';
import { describeEvent } from './job-events.ts';
import { openJobState, stateFailure } from '../../../jobs/state.ts';
import { dsarRunner } from '../../../jobs/runner.ts';
import { outcomeOf, Scheduler } from '../../../jobs/scheduler.ts';
import { STOP_GRACE_MS } from './schedule.ts';
import { catchStopSignals } from '../../../jobs/signals.ts';

export interface RunJobArgs {
  name: string;
}

export async function runJobCommand(args: GlobalArgs & RunJobArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const job = map.jobs[args.name];
  if (!job) {
    const names = Object.keys(map.jobs);
    const guess = closest(args.name, names);
    throw new UsageError(
      `unknown job '${args.name}'${guess ? ` (did you mean '${guess}'?)` : ''}; declared: ${names.length ? names.join(', ') : 'none'}`,
    );
  }
  const store = await openJobState(map);
  const stopSignal = catchStopSignals();
  try {
    const scheduler = new Scheduler({
      jobs: [job],
      timezone: map.timezone,
      runs: store.jobRuns,
      runner: dsarRunner({ datamap: map.file, logLevel: args.logLevel }),
      log: ctx.log,
      onEvent: (e) => ctx.out.line(describeEvent(e)),
    });
    void stopSignal.received.then((signal) => {
      ctx.log.info({ signal, job: job.name }, 'stopping the job after its current batch');
      return scheduler.stop(STOP_GRACE_MS).catch((err) => ctx.log.error({ err: (err as Error).message }, 'stopping failed'));
    });
    const result = await scheduler.runNow(job.name);
    if (!result.exit) throw new RefusedError(`${job.name}: not run: ${result.skipped} (recorded as skipped for ${result.tick.toISOString()})`);
    await scheduler.whenIdle();
    ctx.out.result(
      { job: job.name, tick: result.tick.toISOString(), exitCode: result.exit.code, outcome: outcomeOf(result.exit.code) },
      () => '',
    );
    return result.exit.code;
  } catch (err) {
    throw stateFailure(err, store);
  } finally {
    stopSignal.dispose();
    await store.close();
  }
}
