// Sweeps (`dsar sweep`; its flags are read in src/cli/handlers/sweep.ts): retention. Every table
// with a retention rule has its expired rows (see sweep-plan.ts for what "expired" means exactly) anonymized or
// deleted per the rule's `then`, children before parents, in keyset batches with a checkpoint after each
// (sweep-sql.ts, sweep-files.ts). Legal holds are resolved to rows once, first (sweep-holds.ts). A dry run prints
// the same per-table counts and changes nothing. Exit 0 done, 1 when a table or system failed (the rest went on),
// 2 for bad input (a missing hmac_key, an --as-of later than now) before anything runs.
import { isSqlConnector, type Connector, type SchemaInfo } from '../../connectors/connector.ts';
import type { DataMap } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { buildSweepPlan, selectSweptTables, type SweepSelection, type TableSweep } from '../plan/sweep-plan.ts';
import type { StateStore } from '../state/store.ts';
import { NO_PROGRESS, type Progress } from './progress.ts';
import { sweepFileTable } from './sweep-files.ts';
import { resolveHeldRows, type HeldRows } from './sweep-holds.ts';
import { prepareMasks } from '../plan/sweep-masks.ts';
import { sqlRowsLeft, sweepSqlTable } from './sweep-sql.ts';
import { DEFAULT_LAG_CHECK_EVERY, realClock, SweepBrakes, type BrakeSettings, type Clock } from './sweep-brakes.ts';
import { watchReplicas } from './replica-watch.ts';
import { holdFilesSystems } from './file-writers.ts';
import { committedOf, emptySummary, type SweepResult, type TableSummary } from './sweep-summary.ts';
import type { TableRun, TableShare } from './sweep-table.ts';
import { openSystems } from './systems.ts';

export interface SweepOptions {
  map: DataMap;
  hmacKey: Buffer;
  asOf: Date;
  selection: SweepSelection;
  batchSize: number;
  dryRun: boolean;
  log: Logger;
  progress?: Progress;
  /** Deadline, rate, pause and replication lag (none: the sweep runs flat out to the end). */
  brakes?: BrakeSettings;
  /** Time for the brakes (tests pass a fake one). */
  clock?: Clock;
  /** How long to wait for another writer of the same files system (default FILE_LOCK_WAIT_MS). */
  fileLockWaitMs?: number;
}

/** Plans and runs (or, dry, counts) the sweep. Throws RefusedError when legal holds cannot be resolved (nothing swept). */
export async function runSweep(o: SweepOptions, store: StateStore): Promise<SweepResult> {
  const { map, log } = o;
  const progress = o.progress ?? NO_PROGRESS;
  const startedAt = new Date();
  const settings = o.brakes ?? { timeZone: map.timezone, lagCheckEvery: DEFAULT_LAG_CHECK_EVERY };
  // Replica URLs are checked (set or not) before anything opens; the connections open on the first reading.
  const swept = selectSweptTables(map, o.selection).map((t) => t.system);
  let connected: ReadonlyMap<string, Connector> = new Map();
  const brakes = new SweepBrakes(settings, watchReplicas(map, swept, (name) => connected.get(name)), o.clock ?? realClock, log);
  if (brakes.outsideWindow && !o.dryRun) {
    log.info({ window: settings.window, timeZone: settings.timeZone }, 'sweep started outside its window: nothing done');
    return { ok: true, dryRun: false, asOf: o.asOf.toISOString(), tables: [], skipped: [], warnings: [], failures: [], brakes: brakes.plan, outsideWindow: true, lagPauses: [] };
  }
  // Every system: held subjects and references may lead through any of them.
  const opened = await openSystems(map, log);
  connected = opened.connectors;
  try {
    const { connectors, schemas, down } = await introspectAll(opened.connectors, log);
    for (const u of opened.unreachable) down.set(u.system, u.message);
    const plan = buildSweepPlan(map, schemas, o.selection, o.asOf);
    const held = await resolveHeldRows(map, store, connectors, plan.tables, log);

    const failures = plan.skipped.map((s) => `${s.table}: ${down.get(map.tables[s.table]?.system) ?? s.reason}`);
    const warnings = [...plan.warnings];
    const deleting = new Map(plan.tables.filter((t) => t.action === 'delete').map((t) => [t.id, t]));
    const tables: TableSummary[] = [];
    log.info({ tables: plan.tables.length, asOf: o.asOf.toISOString(), dryRun: o.dryRun, heldSubjects: held.subjects, brakes: brakes.plan }, 'sweep started');

    for (const t of plan.tables) {
      const connector = connectors.get(t.system)!;
      const run = tableRunFor({ map, connectors, schemas, held, store, log, progress, deleting, hmacKey: o.hmacKey, batchSize: o.batchSize, dryRun: o.dryRun, brakes: o.dryRun ? undefined : brakes }, t);
      try {
        if (run.brakes && !run.brakes.running) {
          tables.push(await notReached(run));
          continue;
        }
        // A file is rewritten whole: no other dsar writer of the same files system meanwhile (file-writers.ts).
        const lock = !o.dryRun && !isSqlConnector(connector) ? await holdFilesSystems(store, [t.system], o.fileLockWaitMs) : undefined;
        let summary: TableSummary;
        try {
          summary = await sweepTable(run);
        } finally {
          await lock?.release();
        }
        tables.push(summary);
        log.info(
          { table: t.id, expired: summary.expired, anonymized: summary.anonymized, deleted: summary.deleted, held: summary.skippedHolds, nullDates: summary.nullDates, ms: summary.durationMs, stopped: summary.stopped },
          o.dryRun ? 'sweep counted a table' : summary.stopped ? 'sweep stopped in a table; its checkpoint stays' : 'sweep finished a table',
        );
      } catch (err) {
        const e = err instanceof SystemError ? err : new SystemError(t.system, t.table, err instanceof Error ? err.message : String(err), err);
        log.error({ table: t.id, err: e.message }, 'sweep of a table failed; its checkpoint keeps the work done');
        failures.push(e.message);
        tables.push({ ...(committedOf(err) ?? emptySummary(t)), error: e.message });
      }
    }

    const left = tables.filter((s) => s.stopped);
    const stopped = brakes.stopped && left.length ? { reason: brakes.stopped, rowsLeft: left.reduce((n, s) => n + (s.rowsLeft ?? 0), 0), tablesLeft: left.map((s) => s.table) } : undefined;
    const result: SweepResult = {
      ok: failures.length === 0,
      dryRun: o.dryRun,
      asOf: o.asOf.toISOString(),
      tables,
      skipped: plan.skipped,
      warnings,
      failures,
      brakes: brakes.plan,
      ...(o.dryRun && brakes.outsideWindow ? { outsideWindow: true } : {}),
      ...(stopped ? { stopped } : {}),
      lagPauses: brakes.lagPauses,
    };
    if (!o.dryRun) await record(store, result, startedAt);
    return result;
  } finally {
    await brakes.close();
    await opened.closeAll();
  }
}

export interface TableRunContext {
  map: DataMap;
  connectors: Map<string, Connector>;
  schemas: Map<string, SchemaInfo>;
  held: HeldRows;
  store: StateStore;
  log: Logger;
  progress: Progress;
  deleting: ReadonlyMap<string, TableSweep>;
  hmacKey: Buffer;
  batchSize: number;
  dryRun: boolean;
  brakes?: SweepBrakes;
  share?: TableShare;
}

/** What one table's sweep is given (sweep-table.ts), from the run's context. */
export function tableRunFor(x: TableRunContext, t: TableSweep): TableRun {
  const run: TableRun = {
    plan: t,
    def: x.map.tables[t.id],
    info: x.schemas.get(t.system)!.tables.find((i) => i.name === t.table)!,
    connector: x.connectors.get(t.system)!,
    connectors: x.connectors,
    schemas: x.schemas,
    heldKeys: x.held.keys.get(t.id) ?? [],
    masks: [],
    batchSize: x.batchSize,
    dryRun: x.dryRun,
    checkpoints: x.store.checkpoints,
    log: x.log,
    progress: x.progress,
    deleting: x.deleting,
    brakes: x.brakes,
    hmacKey: x.hmacKey,
    share: x.share,
  };
  run.masks = prepareMasks(run.def, t.masks, run.info, x.hmacKey);
  return run;
}

/** A table the deadline came before: counted, not touched; its checkpoint (if any) stays. */
async function notReached(run: TableRun): Promise<TableSummary> {
  const summary = { ...emptySummary(run.plan), stopped: run.brakes!.stopped };
  if (isSqlConnector(run.connector)) summary.rowsLeft = await sqlRowsLeft(run, run.connector);
  return summary;
}

export function sweepTable(run: TableRun): Promise<TableSummary> {
  return isSqlConnector(run.connector) ? sweepSqlTable(run, run.connector) : sweepFileTable(run);
}


/** The live schema of every connected system; a system whose catalog cannot be read is left out, with the reason. */
export async function introspectAll(
  connected: Map<string, Connector>,
  log: Logger,
): Promise<{ connectors: Map<string, Connector>; schemas: Map<string, SchemaInfo>; down: Map<string, string> }> {
  const connectors = new Map(connected);
  const schemas = new Map<string, SchemaInfo>();
  const down = new Map<string, string>();
  await Promise.all(
    [...connected].map(async ([name, c]) => {
      try {
        schemas.set(name, await c.introspect());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error({ system: name, err: message }, 'cannot read the schema');
        down.set(name, message);
        connectors.delete(name);
      }
    }),
  );
  return { connectors, schemas, down };
}

/** One ledger entry per sweep: counts per table, never a row. */
async function record(store: StateStore, r: SweepResult, startedAt: Date): Promise<void> {
  const rowCounts: Record<string, number> = {};
  for (const t of r.tables) {
    if (t.deleted) rowCounts[`${t.table}:delete`] = t.deleted;
    if (t.anonymized) rowCounts[`${t.table}:anonymize`] = t.anonymized;
    for (const [child, n] of Object.entries(t.followersDeleted)) rowCounts[`${child}:delete`] = (rowCounts[`${child}:delete`] ?? 0) + n;
  }
  await store.ledger.append({
    kind: 'sweep',
    event: 'completed',
    outcome: r.ok ? 'ok' : 'partial',
    startedAt,
    endedAt: new Date(),
    rowCounts,
    detail: { asOf: r.asOf, tables: r.tables.length, skipped: r.skipped.map((s) => s.table), failures: r.failures.length },
  });
}
