// `dsar jobs status [run]`: a distributed sweep's shares (latest run by default): per table or key range its
// state, owner, rows done, rows left when known, and rate.
import type { Share } from '../state/sweep-shares.ts';
import type { StateStore } from '../state/store.ts';
import { UsageError } from '../errors.ts';

export interface ShareStatus {
  share: string;
  table: string;
  status: Share['status'];
  owner: string | null;
  attempts: number;
  rowsDone: number;
  rowsLeft: number | null;
  /** Rows per second since the share (last) started; null before it starts. */
  rate: number | null;
  waitsFor: string[];
  error: string | null;
}

export interface RunStatus {
  runId: string;
  done: number;
  left: number;
  failed: number;
  shares: ShareStatus[];
}

export async function sweepRunStatus(store: StateStore, runId?: string): Promise<RunStatus | undefined> {
  const id = runId ?? (await store.sweepShares.latestRun());
  if (!id) return undefined;
  const shares = await store.sweepShares.shares(id);
  if (!shares.length) throw new UsageError(`no distributed sweep run '${id}'`);
  return {
    runId: id,
    done: shares.filter((s) => s.status === 'done').length,
    left: shares.filter((s) => s.status !== 'done' && s.status !== 'failed').length,
    failed: shares.filter((s) => s.status === 'failed').length,
    shares: shares.map((s) => ({
      share: s.shareId,
      table: s.tableId,
      status: s.status,
      owner: s.owner,
      attempts: s.attempts,
      rowsDone: s.rowsDone,
      rowsLeft: s.rowsLeft,
      rate: rateOf(s),
      waitsFor: s.status === 'waiting' ? s.afterTables : [],
      error: s.error,
    })),
  };
}

function rateOf(s: Share): number | null {
  if (!s.startedAt) return null;
  const end = Date.parse(s.finishedAt ?? s.updatedAt ?? s.startedAt);
  const seconds = (end - Date.parse(s.startedAt)) / 1000;
  return seconds > 0 ? Math.round(s.rowsDone / seconds) : null;
}

export function renderRunStatus(r: RunStatus | undefined): string {
  if (!r) return 'no distributed sweep has run (dsar sweep --distribute)';
  const head = ['SHARE', 'STATUS', 'OWNER', 'ROWS DONE', 'LEFT', 'ROWS/S', 'ATTEMPTS'];
  const n = (v: number | null) => (v === null ? '' : v.toLocaleString('en-US'));
  const rows = r.shares.map((s) => [s.share, s.status === 'waiting' ? `waiting for ${s.waitsFor.join(', ')}` : s.status, s.owner ?? '', n(s.rowsDone), n(s.rowsLeft), n(s.rate), String(s.attempts)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const lines = [`run ${r.runId}: ${r.done} of ${r.shares.length} share(s) done, ${r.left} left, ${r.failed} failed`, fmt(head), ...rows.map(fmt)];
  for (const s of r.shares) if (s.error) lines.push(`${s.share}: ${s.error}`);
  return lines.join('\n');
}
