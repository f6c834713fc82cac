// What a sweep reports, per table and in all: counts only, never a key or a value of any row.
import type { TableSweep } from '../plan/sweep-plan.ts';
import type { BrakePlan, LagPause, StopReason } from './sweep-brakes.ts';

export interface TableSummary {
  /** `system.table` */
  table: string;
  rule: string;
  action: 'delete' | 'anonymize';
  /** Rows whose `after` is strictly earlier than this instant had expired. */
  cutoff: string;
  /** Rows past their retention period when the table's sweep started (held ones included). */
  expired: number;
  /** Rows masked (for a delete rule: rows still referenced by rows that stay, so anonymized instead). */
  anonymized: number;
  deleted: number;
  /** Expired rows left alone because a legal hold covers their subject. */
  skippedHolds: number;
  /** Rows whose `after` is NULL or empty (or unreadable, in files): they never expire. */
  nullDates: number;
  /** Expired rows needing nothing: already anonymized (by an earlier sweep), or referenced with nothing to mask. */
  unchanged: number;
  /** The sweep went on from the checkpoint of an interrupted run. */
  resumed: boolean;
  batches: number;
  longestBatchMs: number;
  durationMs: number;
  /** Rows anonymized or deleted per second. */
  rowsPerSecond: number;
  /** Child table -> its rows deleted with this table's expired rows (they belong to them: see TableSweep.followers). */
  followersDeleted: Record<string, number>;
  /** For a delete rule, why rows were anonymized instead: the reference still pointing at them -> rows. */
  anonymizedInstead: Record<string, number>;
  /** Why the table's sweep stopped (the work done before it is kept and checkpointed). */
  error?: string;
  /** The brakes' deadline stopped the table (or came before it started): its checkpoint stays for the next run. */
  stopped?: StopReason;
  /** With `stopped`: expired rows still to sweep (undefined for a file, which is swept whole). */
  rowsLeft?: number;
}

export interface SweepResult {
  ok: boolean;
  dryRun: boolean;
  asOf: string;
  tables: TableSummary[];
  /** Tables with a retention rule that could not be swept, and why. */
  skipped: Array<{ table: string; reason: string }>;
  warnings: string[];
  failures: string[];
  /** Deadline, rate, pause and replicas watched, as planned. */
  brakes: BrakePlan;
  /** The window did not contain the start: nothing was done (a dry run counts anyway). */
  outsideWindow?: boolean;
  /** The deadline stopped the run: why, and what is left for the next run. */
  stopped?: { reason: StopReason; rowsLeft: number; tablesLeft: string[] };
  /** Waits for replication lag. */
  lagPauses: LagPause[];
}

export function emptySummary(plan: TableSweep): TableSummary {
  return {
    table: plan.id,
    rule: plan.rule.name,
    action: plan.action,
    cutoff: plan.cutoff.toISOString(),
    expired: 0,
    anonymized: 0,
    deleted: 0,
    skippedHolds: 0,
    nullDates: 0,
    unchanged: 0,
    resumed: false,
    batches: 0,
    longestBatchMs: 0,
    durationMs: 0,
    rowsPerSecond: 0,
    followersDeleted: {},
    anonymizedInstead: {},
  };
}

const COMMITTED = Symbol('dsar.sweep.committed');

/** Marks a table's failure with what its committed batches did: the report and the ledger count that work. */
export function withCommitted(err: unknown, summary: TableSummary): unknown {
  if (err !== null && typeof err === 'object') Object.defineProperty(err, COMMITTED, { value: summary, enumerable: false });
  return err;
}

/** What a failed table's committed batches did, when the failure says. */
export function committedOf(err: unknown): TableSummary | undefined {
  return err !== null && typeof err === 'object' ? ((err as Record<symbol, TableSummary | undefined>)[COMMITTED] ?? undefined) : undefined;
}

/** Fills the derived figures once the table is done. */
export function finishSummary(s: TableSummary, startedMs: number): TableSummary {
  s.durationMs = Math.round(performance.now() - startedMs);
  s.longestBatchMs = Math.round(s.longestBatchMs);
  s.unchanged = Math.max(0, s.expired - s.skippedHolds - s.anonymized - s.deleted);
  const written = s.anonymized + s.deleted;
  s.rowsPerSecond = s.durationMs > 0 ? Math.round((written * 1000) / s.durationMs) : written;
  return s;
}

