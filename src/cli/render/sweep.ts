// The sweep's summary as text: a table of counts per table, then what the brakes did.
import type { StopReason } from '../../ops/sweep-brakes.ts';
import type { SweepResult, TableSummary } from '../../ops/sweep-summary.ts';

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
