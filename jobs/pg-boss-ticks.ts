// Ticks from pg-boss's cron, for `dsar schedule` with a PostgreSQL state store.
//
// Each job is a pg-boss schedule on its own queue. pg-boss's cron monitor runs on one replica at a time (it takes
// a slot in the database), judges "due" by the database's clock (it measures its skew to it), and sends one queue
// job per tick (a singleton per minute); one replica's worker takes it. So a tick runs once whatever the replicas'
// own clocks say. The tick's time is the cron's fire time at the queue job's creation, by the database's clock.
// The worker only decides (records the run, starts the child) before it completes the queue job; a replica that
// dies before that leaves the job to expire and go to another replica. Runs, leases and takeovers stay in
// dsar_job_runs (the scheduler's), judged by the database's clock too.
//
// pg-boss's cron has a resolution of one minute: a cron with a seconds field is refused here.
import { startBoss } from '../src/distribute/boss.ts';
import { DataMapError } from '../src/errors.ts';
import type { JobDef } from '../src/datamap/types.ts';
import { silentLogger, type Logger } from '../src/log.ts';
import { cronTimes } from './cron-times.ts';
import type { TickSource } from './ticks.ts';

const PREFIX = 'dsar-job-';

/** pg-boss queue names: letters, digits, `_` and `-`. */
export function jobQueue(job: string): string {
  return PREFIX + job.replace(/[^\w-]/g, (ch) => `_${ch.codePointAt(0)!.toString(16)}_`);
}

/** Refuses crons pg-boss cannot fire: six fields (seconds). */
export function checkMinuteCrons(jobs: readonly JobDef[]): void {
  const issues = jobs
    .filter((j) => j.cron.trim().split(/\s+/).length > 5)
    .map((j) => ({ ...j.loc, path: `jobs.${j.name}.cron`, message: `'${j.cron}' has a seconds field: with a PostgreSQL state store ticks come from pg-boss's cron, which fires at most once a minute (use five fields)` }));
  if (issues.length) throw new DataMapError(issues);
}

export interface PgBossTickOptions {
  /** How often the cron monitor looks for due schedules (seconds; pg-boss allows 1-45): a tick fires up to this late. */
  cronSeconds?: number;
  log?: Logger;
}

export function pgBossTicks(stateUrl: string, o: PgBossTickOptions = {}): TickSource {
  const log = o.log ?? silentLogger;
  return {
    describe: "pg-boss's cron (the state database's clock)",
    async follow(jobs, timezone, onTick) {
      checkMinuteCrons(jobs);
      const queues = new Map(jobs.map((j) => [jobQueue(j.name), j]));
      const boss = await startBoss(stateUrl, { cronSeconds: o.cronSeconds ?? 5, queues: [...queues.keys()], what: 'the job schedule' });
      try {
        // A job removed from the data map stops being fired.
        for (const s of await boss.getSchedules()) if (s.name.startsWith(PREFIX) && !queues.has(s.name)) await boss.unschedule(s.name);
        for (const [queue, job] of queues) {
          // expireInSeconds: a replica that took the tick and died before deciding loses it to another within a minute.
          await boss.schedule(queue, job.cron, { job: job.name }, { tz: timezone, expireInSeconds: 60, retryLimit: 30, retryDelay: 2 });
        }
        for (const [queue, job] of queues) {
          await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async (delivered) => {
            for (const queued of delivered) {
              const tick = cronTimes(job.cron, timezone).previous(new Date(queued.createdOn.getTime() + 1000));
              if (!tick) continue;
              // Thrown: pg-boss fails the queue job and retries it, on a replica that is not stopping.
              if (!(await onTick(job, tick))) throw new Error('this replica is stopping: the tick goes to another');
            }
          });
        }
      } catch (err) {
        await boss.stop({ graceful: false, wait: false }).catch(() => {});
        throw err;
      }
      log.debug({ jobs: [...queues.keys()] }, 'following the jobs with pg-boss cron');
      return {
        async stop() {
          await boss.stop({ graceful: true, wait: true, timeout: 5000, close: true });
        },
      };
    },
  };
}
