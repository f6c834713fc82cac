// Scheduler job runs, one row per (job, tick). The row's unique key makes a claim win for exactly one replica;
// the lease (renewed by heartbeats) lets another replica take over a run whose owner died.
import { sql } from 'kysely';
import type { StateBackend } from './backend.ts';
import { canonicalJson } from './canonical-json.ts';
import type { JobRunTable } from './schema.ts';

export type JobOutcome = 'ok' | 'failed' | 'partial' | 'skipped';
export type JobStatus = 'running' | JobOutcome;

export interface JobRun {
  job: string;
  /** The scheduled instant this run is for (ISO-8601 UTC). */
  tick: string;
  owner: string;
  status: JobStatus;
  /** 1 for the first owner, +1 per takeover. */
  attempts: number;
  startedAt: string;
  heartbeatAt: string;
  leaseUntil: string;
  endedAt: string | null;
  detail: Record<string, unknown>;
}

function toJobRun(r: JobRunTable): JobRun {
  return {
    job: r.job,
    tick: r.tick,
    owner: r.owner,
    status: r.status as JobStatus,
    attempts: Number(r.attempts),
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    leaseUntil: r.lease_until,
    endedAt: r.ended_at,
    detail: JSON.parse(r.detail),
  };
}

const leaseEnd = (now: Date, leaseMs: number) => new Date(now.getTime() + leaseMs).toISOString();

export class JobRuns {
  constructor(private readonly backend: StateBackend) {}

  /** The state database's clock where machines share it; this machine's otherwise. */
  async databaseNow(): Promise<Date> {
    if (!this.backend.shared) return new Date();
    const { rows } = await sql<{ t: string }>`select ${this.backend.clockText()} as t`.execute(this.backend.db);
    return new Date(rows[0].t);
  }

  /** True for exactly one caller per (job, tick), across processes and replicas. */
  async claim(job: string, tick: Date, owner: string, leaseMs: number, now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.backend.db
      .insertInto('dsar_job_runs')
      .values({
        job,
        tick: tick.toISOString(),
        owner,
        status: 'running',
        attempts: 1,
        started_at: at,
        heartbeat_at: at,
        lease_until: leaseEnd(now, leaseMs),
        ended_at: null,
        detail: '{}',
      })
      .onConflict((oc) => oc.columns(['job', 'tick']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Extends the lease; false when this owner no longer holds the run (it was taken over or finished). */
  async heartbeat(job: string, tick: Date | string, owner: string, leaseMs: number, now = new Date()): Promise<boolean> {
    const result = await this.backend.db
      .updateTable('dsar_job_runs')
      .set({ heartbeat_at: now.toISOString(), lease_until: leaseEnd(now, leaseMs) })
      .where('job', '=', job)
      .where('tick', '=', tickText(tick))
      .where('owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records the outcome. With `owner`, only while that owner still holds the run (a replica that lost its lease
   * must not overwrite its successor's result); returns whether the row was updated.
   */
  async finish(
    job: string,
    tick: Date | string,
    outcome: JobOutcome,
    detail: Record<string, unknown> = {},
    opts: { owner?: string; now?: Date } = {},
  ): Promise<boolean> {
    let query = this.backend.db
      .updateTable('dsar_job_runs')
      .set({ status: outcome, ended_at: (opts.now ?? new Date()).toISOString(), detail: canonicalJson(detail) })
      .where('job', '=', job)
      .where('tick', '=', tickText(tick))
      .where('status', '=', 'running');
    if (opts.owner) query = query.where('owner', '=', opts.owner);
    return Number((await query.executeTakeFirst()).numUpdatedRows) === 1;
  }

  /**
   * Takes over the job's running runs whose lease expired before `now` (their owner died): each is leased to
   * `owner` atomically, so of two replicas taking over at once each run goes to one. Returns the runs taken.
   */
  async takeOverStale(job: string, now: Date, owner: string, leaseMs: number): Promise<JobRun[]> {
    const rows = await this.backend.db
      .updateTable('dsar_job_runs')
      .set((eb) => ({
        owner,
        attempts: eb('attempts', '+', 1),
        heartbeat_at: now.toISOString(),
        lease_until: leaseEnd(now, leaseMs),
      }))
      .where('job', '=', job)
      .where('status', '=', 'running')
      .where('lease_until', '<', now.toISOString())
      .returningAll()
      .execute();
    return rows.map(toJobRun).sort((a, b) => a.tick.localeCompare(b.tick));
  }

  /** Most recent runs first, of one job or of all. */
  async history(job?: string, limit = 20): Promise<JobRun[]> {
    let query = this.backend.db.selectFrom('dsar_job_runs').selectAll().orderBy('tick', 'desc').orderBy('job').limit(limit);
    if (job !== undefined) query = query.where('job', '=', job);
    return (await query.execute()).map(toJobRun);
  }

  /** The job's runs still marked running (live or with an expired lease), oldest tick first. */
  async running(job: string): Promise<JobRun[]> {
    const rows = await this.backend.db.selectFrom('dsar_job_runs').selectAll().where('job', '=', job).where('status', '=', 'running').orderBy('tick').execute();
    return rows.map(toJobRun);
  }

  /** The run of the job's latest tick, whatever its status. */
  async lastRun(job: string): Promise<JobRun | undefined> {
    return (await this.history(job, 1))[0];
  }
}

const tickText = (tick: Date | string) => (typeof tick === 'string' ? tick : tick.toISOString());
