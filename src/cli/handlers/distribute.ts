// The CLI side of distributed sweeps: `dsar sweep --distribute`, `dsar worker`, `dsar jobs status [run]`.
import path from 'node:path';
import { catchStopSignals } from '../../../jobs/signals.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { parseElapsedMs } from '../../datamap/elapsed.ts';
import { DEFAULT_LEASE_MS, DEFAULT_RANGE_ROWS, distributeSweep, stateUrlFor, type DistributeResult } from '../../distribute/enqueue.ts';
import { renderRunStatus, sweepRunStatus, type RunStatus } from '../../distribute/status.ts';
import { runWorker, type WorkerResult } from '../../distribute/worker.ts';
import { UsageError } from '../../errors.ts';
import { requireHmacKey } from '../../masking/masker.ts';
import { resolveAsOf, selectSweptTables } from '../../plan/sweep-plan.ts';
import { brakeSettings, checkBatchSize, type SweepArgs } from './sweep.ts';
import { openStateFor } from '../../state/for-map.ts';
import type { StateStore } from '../../state/store.ts';
import type { CliContext, GlobalArgs } from '../command.ts';

export interface DistributeArgs extends SweepArgs {
  rangeRows?: number;
  lease?: string;
  wait?: boolean;
}

/** How often `--wait` reads the run's shares. */
const WAIT_POLL_MS = 1000;

export async function distributeCommand(args: DistributeArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  stateUrlFor(map, 'sweep --distribute');
  if (args.dryRun) throw new UsageError('--distribute queues work for `dsar worker` processes; for a dry run, leave it out');
  if (args.window || args.maxRuntime) throw new UsageError('--window and --max-runtime stop one process; workers stop each share at its lease and resume it');
  const selection = { system: args.system, table: args.table };
  selectSweptTables(map, selection);
  const brakes = brakeSettings(args, map.timezone);
  const leaseMs = args.lease === undefined ? DEFAULT_LEASE_MS : parseElapsedMs(String(args.lease));
  if (!leaseMs || leaseMs < 2000) throw new UsageError(`--lease: expected a span of at least 2s such as 10m, got '${args.lease}'`);
  const rangeRows = Number(args.rangeRows ?? DEFAULT_RANGE_ROWS);
  if (!Number.isInteger(rangeRows) || rangeRows < 1) throw new UsageError(`--range-rows must be a whole number above 0, got '${args.rangeRows}'`);
  const store = await openStateFor(map);
  try {
    const result = await distributeSweep(
      {
        map,
        hmacKey,
        selection,
        rangeRows,
        log: ctx.log,
        settings: {
          asOf: resolveAsOf(args.asOf, new Date()).toISOString(),
          batchSize: checkBatchSize(args.batchSize),
          leaseMs,
          ...(brakes.pauseMs ? { pauseMs: brakes.pauseMs } : {}),
          ...(brakes.maxRate ? { maxRate: brakes.maxRate } : {}),
          lagCheckEvery: brakes.lagCheckEvery,
        },
      },
      store,
    );
    if (!args.wait) {
      ctx.out.result(result, renderDistribute);
      return result.ok ? 0 : 1;
    }
    const signals = catchStopSignals();
    try {
      const status = await waitForRun(store, result.runId, signals.received, ctx);
      ctx.out.result({ ...result, ok: result.ok && status.finished && status.failed === 0, status }, () =>
        [renderDistribute(result), status.finished ? '' : `stopped waiting (${status.stoppedBy}); the workers go on`, renderRunStatus(status)].filter(Boolean).join('\n'),
      );
      // Stopped by a signal: the run goes on, and running this command again joins it.
      return !status.finished ? 0 : result.ok && status.failed === 0 ? 0 : 1;
    } finally {
      signals.dispose();
    }
  } finally {
    await store.close();
  }
}

/** Reads the run until no share is left to do, or a stop signal comes. */
async function waitForRun(store: StateStore, runId: string, stop: Promise<string>, ctx: CliContext): Promise<RunStatus & { finished: boolean; stoppedBy?: string }> {
  let stoppedBy: string | undefined;
  void stop.then((signal) => (stoppedBy = signal));
  let lastLog = 0;
  for (;;) {
    const status = (await sweepRunStatus(store, runId))!;
    if (status.left === 0) return { ...status, finished: true };
    if (stoppedBy) return { ...status, finished: false, stoppedBy };
    if (Date.now() - lastLog > 30_000) {
      ctx.log.info({ runId, done: status.done, left: status.left, failed: status.failed }, 'waiting for the workers');
      lastLog = Date.now();
    }
    await Promise.race([new Promise((r) => setTimeout(r, WAIT_POLL_MS)), stop]);
  }
}

function renderDistribute(r: DistributeResult): string {
  const lines = [r.joined ? `joined distributed sweep ${r.runId} as of ${r.asOf} (still open, same tables): ${r.shares.length} share(s)` : `distributed sweep ${r.runId} as of ${r.asOf}: ${r.shares.length} share(s), ${r.queued} queued now`];
  for (const s of r.shares) lines.push(`  ${s.share}${s.waitsFor.length ? ` (after ${s.waitsFor.join(', ')})` : ''}`);
  for (const s of r.skipped) lines.push(`skipped ${s.table}: ${s.reason}`);
  for (const f of r.failures) lines.push(`failed: ${f}`);
  lines.push(`workers (\`dsar worker\`, any number, any machines) sweep them; \`dsar jobs status ${r.runId}\` shows progress`);
  return lines.join('\n');
}

export async function workerCommand(args: GlobalArgs & { exitWhenIdle: boolean }, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  stateUrlFor(map, 'dsar worker');
  const store = await openStateFor(map);
  const signals = catchStopSignals();
  try {
    const result = await runWorker({ map, hmacKey, log: ctx.log, exitWhenIdle: args.exitWhenIdle, stop: signals.received }, store);
    ctx.out.result(result, renderWorker);
    return result.ok ? 0 : 1;
  } finally {
    signals.dispose();
    await store.close();
  }
}

function renderWorker(r: WorkerResult): string {
  const done = r.shares.filter((s) => s.outcome === 'done').length;
  const lines = [`worker ${r.owner}: ${done} share(s) done`];
  for (const s of r.shares) lines.push(`  ${s.run} ${s.share}: ${s.outcome}${s.outcome === 'put back' ? '' : ` (deleted ${s.deleted}, anonymized ${s.anonymized})`}${s.error ? `: ${s.error}` : ''}`);
  return lines.join('\n');
}

export async function jobsStatusCommand(args: GlobalArgs & { run?: string }, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const store = await openStateFor(map);
  try {
    const status = await sweepRunStatus(store, args.run);
    ctx.out.result(status ?? { runId: null, shares: [] }, () => renderRunStatus(status));
    return 0;
  } finally {
    await store.close();
  }
}
