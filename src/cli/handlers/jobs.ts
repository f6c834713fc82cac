// `dsar jobs list` (each job: cron, next run, last run and its outcome) and `dsar jobs history [job]`.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { closest } from '../../datamap/suggest.ts';
import type { DataMap } from '../../datamap/types.ts';
import { UsageError } from '../../errors.ts';
import type { JobRun } from '../../state/job-runs.ts';
import type { StateStore } from '../../state/store.ts';
import { cronTimes } from '../../../jobs/cron-times.ts';
import { openJobState, stateFailure } from '../../../jobs/state.ts';
import { runOutcome } from './job-events.ts';

export interface JobSummary {
  job: string;
  cron: string;
  timezone: string;
  run: string;
  catchUp: boolean;
  nextRun: string | null;
  lastRun: { tick: string; outcome: string; owner: string; endedAt: string | null } | null;
}

export interface HistoryRow {
  job: string;
  tick: string;
  outcome: string;
  status: string;
  attempts: number;
  owner: string;
  startedAt: string;
  endedAt: string | null;
  detail: Record<string, unknown>;
}

async function withStore<T>(args: GlobalArgs, work: (map: DataMap, store: StateStore) => Promise<T>): Promise<T> {
  const map = loadDataMap(path.resolve(args.datamap));
  const store = await openJobState(map);
  try {
    return await work(map, store);
  } catch (err) {
    throw stateFailure(err, store);
  } finally {
    await store.close();
  }
}

export async function jobsListCommand(args: GlobalArgs, ctx: CliContext): Promise<number> {
  const now = new Date();
  const jobs = await withStore(args, (map, store) =>
    Promise.all(
      Object.values(map.jobs).map(async (job): Promise<JobSummary> => {
        const last = await store.jobRuns.lastRun(job.name);
        return {
          job: job.name,
          cron: job.cron,
          timezone: map.timezone,
          run: job.run,
          catchUp: job.catchUp,
          nextRun: cronTimes(job.cron, map.timezone).next(now)?.toISOString() ?? null,
          lastRun: last ? { tick: last.tick, outcome: runOutcome(last, now), owner: last.owner, endedAt: last.endedAt } : null,
        };
      }),
    ),
  );
  ctx.out.result({ jobs }, ({ jobs: js }) =>
    js.length === 0
      ? 'no jobs declared in the data map'
      : table(
          ['JOB', 'CRON', 'NEXT RUN', 'LAST RUN', 'OUTCOME'],
          js.map((j) => [j.job, `${j.cron} (${j.timezone})`, j.nextRun ?? 'never', j.lastRun?.tick ?? 'never', j.lastRun?.outcome ?? '']),
        ),
  );
  return 0;
}

export async function jobsHistoryCommand(args: GlobalArgs & { job?: string; limit: number }, ctx: CliContext): Promise<number> {
  if (!(Number.isInteger(args.limit) && args.limit > 0)) throw new UsageError(`--limit: a positive whole number (got ${args.limit})`);
  const now = new Date();
  const runs = await withStore(args, async (map, store) => {
    const found = await store.jobRuns.history(args.job, args.limit);
    if (args.job !== undefined && !map.jobs[args.job] && found.length === 0) {
      const guess = closest(args.job, Object.keys(map.jobs));
      throw new UsageError(`unknown job '${args.job}'${guess ? ` (did you mean '${guess}'?)` : ''}: not in the data map and never run`);
    }
    return found;
  });
  const rows = runs.map((r) => historyRow(r, now));
  ctx.out.result({ runs: rows }, ({ runs: rs }) =>
    rs.length === 0
      ? `no runs recorded${args.job ? ` for ${args.job}` : ''}`
      : table(
          ['TICK', 'JOB', 'OUTCOME', 'ATTEMPTS', 'STARTED', 'ENDED', 'OWNER'],
          rs.map((r) => [r.tick, r.job, r.outcome, String(r.attempts), r.startedAt, r.endedAt ?? '', r.owner]),
        ),
  );
  return 0;
}

function historyRow(r: JobRun, now: Date): HistoryRow {
  return {
    job: r.job,
    tick: r.tick,
    outcome: runOutcome(r, now),
    status: r.status,
    attempts: r.attempts,
    owner: r.owner,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    detail: r.detail,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
