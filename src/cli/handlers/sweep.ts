// `dsar sweep [--dry-run] [--system S] [--table T] [--as-of DATE] [--batch-size 5000] [--max-runtime 2h]
// [--window 01:00-05:00] [--max-rate ROWS/S] [--pause-ms MS] [--lag-check-every N]`: the flags read and checked
// (bad values exit 2 before anything opens), runSweep (src/ops/sweep.ts) called, its result rendered.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { parseElapsedMs } from '../../datamap/elapsed.ts';
import { parseWindow } from '../../datamap/window.ts';
import { UsageError } from '../../errors.ts';
import { requireHmacKey } from '../../masking/masker.ts';
import { resolveAsOf, selectSweptTables, type SweepSelection } from '../../plan/sweep-plan.ts';
import { createProgress } from '../progress.ts';
import { DEFAULT_LAG_CHECK_EVERY, type BrakeSettings } from '../../ops/sweep-brakes.ts';
import { runSweep } from '../../ops/sweep.ts';
import { renderSweep } from '../render/sweep.ts';
import { openStateFor } from '../../state/for-map.ts';

export const DEFAULT_BATCH_SIZE = 5000;

export const MAX_BATCH_SIZE = 100_000;

export interface SweepArgs extends GlobalArgs {
  dryRun: boolean;
  system?: string;
  table?: string;
  asOf?: string;
  batchSize: number;
  maxRuntime?: string;
  window?: string;
  maxRate?: number;
  pauseMs?: number;
  lagCheckEvery?: number;
}

export async function sweepCommand(args: SweepArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  const asOf = resolveAsOf(args.asOf, new Date());
  const batchSize = checkBatchSize(args.batchSize);
  const selection: SweepSelection = { system: args.system, table: args.table };
  selectSweptTables(map, selection); // an unknown --system or --table is refused before anything opens
  const store = await openStateFor(map);
  try {
    const result = await runSweep(
      {
        map,
        hmacKey,
        asOf,
        selection,
        batchSize,
        dryRun: args.dryRun,
        log: ctx.log,
        progress: createProgress(ctx.tty && !ctx.out.json),
        brakes: brakeSettings(args, map.timezone),
      },
      store,
    );
    ctx.out.result(result, renderSweep);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function checkBatchSize(n: unknown): number {
  const size = Number(n ?? DEFAULT_BATCH_SIZE);
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
    throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE.toLocaleString('en-US')}`);
  }
  return size;
}

/** The brakes asked on the command line; bad values are usage errors (exit 2) before anything opens. */
export function brakeSettings(args: Pick<SweepArgs, 'maxRuntime' | 'window' | 'maxRate' | 'pauseMs' | 'lagCheckEvery'>, timeZone: string): BrakeSettings {
  const settings: BrakeSettings = { timeZone, lagCheckEvery: DEFAULT_LAG_CHECK_EVERY };
  if (args.maxRuntime !== undefined) {
    settings.maxRuntimeMs = parseElapsedMs(String(args.maxRuntime));
    if (settings.maxRuntimeMs === undefined) throw new UsageError(`--max-runtime: expected a span such as 2h, 90m or 30s, got '${args.maxRuntime}'`);
  }
  if (args.window !== undefined) {
    const w = parseWindow(String(args.window));
    if (typeof w === 'string') throw new UsageError(`--window: ${w}, got '${args.window}'`);
    settings.window = w.text;
  }
  if (args.maxRate !== undefined) settings.maxRate = positive(args.maxRate, '--max-rate', 'rows per second');
  if (args.pauseMs !== undefined) settings.pauseMs = positive(args.pauseMs, '--pause-ms', 'milliseconds', true);
  if (args.lagCheckEvery !== undefined) settings.lagCheckEvery = positive(args.lagCheckEvery, '--lag-check-every', 'batches', true);
  return settings;
}

function positive(n: unknown, flag: string, unit: string, whole = false): number {
  const v = Number(n);
  if (!Number.isFinite(v) || v <= 0 || (whole && !Number.isInteger(v))) throw new UsageError(`${flag} must be a ${whole ? 'whole ' : ''}number of ${unit} above 0, got '${n}'`);
  return v;
}
