// The CLI side of distributed sweeps: `dsar sweep --distribute`, `dsar worker`, `dsar jobs status [run]`.
import path from 'node:path';
import { catchStopSignals } from '../../jobs/signals.ts';
import { loadDataMap } from '../datamap/load.ts';
import { parseElapsedMs } from '../datamap/elapsed.ts';
import { DEFAULT_LEASE_MS, DEFAULT_RANGE_ROWS, distributeSweep, stateUrlFor, type DistributeResult } from '../distribute/enqueue.ts';
import { renderRunStatus, sweepRunStatus } from '../distribute/status.ts';
import { runWorker, type WorkerResult } from '../distribute/worker.ts';
import { UsageError } from '../errors.ts';
import { requireHmacKey } from '../masking/masker.ts';
import { resolveAsOf, selectSweptTables } from '../plan/sweep-plan.ts';
import { brakeSettings, checkBatchSize, type SweepArgs } from '../ops/sweep.ts';
import { openStateFor } from '../state/for-map.ts';
import type { CliContext, GlobalArgs } from './command.ts';

export interface DistributeArgs extends SweepArgs {
  rangeRows?: number;
  lease?: string;
}

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
    ctx.out.result(result, renderDistribute);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

function renderDistribute(r: DistributeResult): string {
  const lines = [`distributed sweep ${r.runId} as of ${r.asOf}: ${r.shares.length} share(s), ${r.queued} queued now`];
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
