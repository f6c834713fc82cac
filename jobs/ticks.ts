// Where a scheduler's ticks come from. With a SQLite state store, one process: the machine's clock fires them
// (node-cron). With a PostgreSQL state store, pg-boss's cron (pg-boss-ticks.ts): the database's clock decides when
// a tick is due, and each tick is handed to one replica.
import type { JobDef } from '../src/datamap/types.ts';
import type { Clock } from './clock.ts';

/**
 * Called with each tick of a job. Resolves false when this replica cannot take the tick (it is stopping): a source
 * that can hands it to another replica.
 */
export type TickHandler = (job: JobDef, tick: Date) => Promise<boolean>;

export interface TickSource {
  /** For the start banner and logs: who decides that a tick is due. */
  readonly describe: string;
  follow(jobs: readonly JobDef[], timezone: string, onTick: TickHandler): Promise<{ stop(): Promise<void> }>;
}

/** Ticks from `clock`'s cron timers, in this process only (a failed decision is logged by the handler). */
export function clockTicks(clock: Clock): TickSource {
  return {
    describe: 'this machine\'s clock',
    async follow(jobs, timezone, onTick) {
      const timers = jobs.map((job) => clock.cron(job.cron, timezone, (tick) => void onTick(job, tick).catch(() => undefined)));
      return {
        async stop() {
          for (const t of timers) t.stop();
        },
      };
    },
  };
}
