// How runs and scheduler events read to a person: one line each, times in ISO-8601 UTC.
import type { JobRun } from '../../state/job-runs.ts';
import type { SchedulerEvent } from '../../../jobs/scheduler.ts';

/** A run's outcome as `jobs list|history` show it: a running run whose lease ran out was interrupted. */
export function runOutcome(run: JobRun, now: Date): string {
  if (run.status === 'running') return Date.parse(run.leaseUntil) < now.getTime() ? 'interrupted' : 'running';
  const reason = typeof run.detail.reason === 'string' && run.status === 'skipped' ? `: ${run.detail.reason}` : '';
  const exit = typeof run.detail.exitCode === 'number' && run.status !== 'ok' ? ` (exit ${run.detail.exitCode})` : '';
  return `${run.status}${reason}${exit}`;
}

export function describeEvent(e: SchedulerEvent): string {
  switch (e.type) {
    case 'missed':
      return `${e.job}: missed ${e.missed === 1 ? 'its run' : `${e.missed} runs`} (last recorded ${e.lastTick}); ${
        e.catchUp ? `catching up once now, for ${e.tick}` : 'catch_up is off: waiting for the next tick'
      }`;
    case 'started':
      return `${e.job}: ${e.reason === 'takeover' ? 'resuming' : 'started'} the run for ${e.tick} (${e.reason}, pid ${e.pid ?? '?'})`;
    case 'finished':
      return `${e.job}: run for ${e.tick} ${e.outcome} (exit ${e.exitCode}, ${(e.durationMs / 1000).toFixed(1)} s)`;
    case 'skipped':
      return `${e.job}: skipped the tick ${e.tick}: ${e.reason}`;
    case 'lost':
      return `${e.job}: another replica took over the run for ${e.tick}; stopped it here`;
    case 'handed-over':
      return `${e.job}: stopped the run for ${e.tick} after its current batch (exit ${e.exitCode}); left open for the next scheduler to resume`;
  }
}
