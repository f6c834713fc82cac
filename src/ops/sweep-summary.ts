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

const COLUMNS: Array<[string, (s: TableSummary) => string]> = [
  ['TABLE', (s) => s.table],
  ['RULE', (s) => s.rule],
  ['THEN', (s) => s.action],
  ['EXPIRED', (s) => count(s.expired)],
  ['ANONYMIZED', (s) => count(s.anonymized)],
  ['DELETED', (s) => count(s.deleted)],
  ['HELD', (s) => count(s.skippedHolds)],
  ['UNCHANGED', (s) => count(s.unchanged)],
  ['NULL DATES', (s) => count(s.nullDates)],
  ['TIME', (s) => `${(s.durationMs / 1000).toFixed(1)}s`],
  ['ROWS/S', (s) => count(s.rowsPerSecond)],
];

function count(n: number): string {
  return n.toLocaleString('en-US');
}

const STOP_WHY: Record<StopReason, string> = { window: "at the window's end", 'max-runtime': 'at --max-runtime', 'stop-requested': 'as asked (a stop signal)' };

/** The brakes planned, the waits for replicas, and where the deadline stopped the run. */
function brakeLines(r: SweepResult): string[] {
  const b = r.brakes;
  const lines: string[] = [];
  const limits = [
    b.window ? `window ${b.window} (${b.timeZone})` : '',
    b.maxRuntime ? `max runtime ${b.maxRuntime}` : '',
    b.deadline ? `stops by ${b.deadline}` : '',
    b.maxRate ? `at most ${count(b.maxRate)} rows/s` : '',
    b.pauseMs ? `${count(b.pauseMs)} ms pause after each batch` : '',
  ].filter(Boolean);
  if (limits.length) lines.push(`brakes: ${limits.join(', ')}`);
  for (const w of b.replicas) lines.push(`replicas of ${w.system}: ${w.replicas}; pauses while one is over ${w.maxLag} behind or cannot say (read every ${b.lagCheckEvery} batches)`);
  for (const p of r.lagPauses) lines.push(`paused ${(p.waitedMs / 1000).toFixed(1)}s for ${p.system}'s replicas: ${p.why.join('; ')}`);
  if (r.outsideWindow) lines.push(r.dryRun ? `outside the window ${b.window} (${b.timeZone}) now: a sweep run now would do nothing` : `outside the window ${b.window} (${b.timeZone}): nothing done; a run inside it sweeps`);
  if (r.stopped) lines.push(`stopped ${STOP_WHY[r.stopped.reason]}, ${count(r.stopped.rowsLeft)} row(s) left (${r.stopped.tablesLeft.join(', ')}); the next run resumes from the checkpoints`);
  return lines;
}

export function renderSweep(r: SweepResult): string {
  const lines = [`sweep as of ${r.asOf}${r.dryRun ? ' (dry run: nothing changed; ANONYMIZED and DELETED are what a sweep would do)' : ''}`];
  if (r.tables.length) {
    const rows = r.tables.map((s) => COLUMNS.map(([, f]) => f(s)));
    const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const fmt = (row: string[]) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    lines.push(fmt(COLUMNS.map(([h]) => h)), ...rows.map(fmt));
  } else {
    lines.push('no table to sweep');
  }
  for (const s of r.tables) {
    if (s.resumed) lines.push(`${s.table}: resumed from the checkpoint of an interrupted sweep`);
    for (const [child, n] of Object.entries(s.followersDeleted)) lines.push(`${s.table}: ${r.dryRun ? 'would delete' : 'deleted'} ${count(n)} row(s) of ${child} with the expired rows they belong to (children first)`);
    for (const [by, n] of Object.entries(s.anonymizedInstead)) lines.push(`${s.table}: ${count(n)} expired row(s) anonymized instead of deleted: still referenced by ${by}`);
    if (s.error) lines.push(`${s.table}: stopped: ${s.error}`);
    if (s.stopped) lines.push(`${s.table}: ${s.batches ? 'stopped' : 'not reached'}: ${s.rowsLeft === undefined ? 'its rows are' : `${count(s.rowsLeft)} expired row(s)`} left for the next run`);
  }
  lines.push(...brakeLines(r));
  for (const s of r.skipped) lines.push(`skipped ${s.table}: ${s.reason}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const f of r.failures) lines.push(`failed: ${f}`);
  if (!r.ok && !r.dryRun) lines.push('incomplete: run the sweep again once the failures above are resolved; it resumes where it stopped');
  return lines.join('\n');
}
