// `dsar worker`: takes shares of distributed sweeps from the queue, one at a time, and sweeps each exactly as a
// single-process sweep sweeps that table (the same plan, holds, batches, brakes and checkpoints), confined to the
// share's key range. Any number of workers on any machines share the work.
//
// A share is claimed in the state store (SweepShares.claim) and kept by a heartbeat: a job that pg-boss hands out
// again while its owner is alive (a duplicate, an early expiry) is put back for later, never run twice at once. A
// worker killed with SIGKILL stops its heartbeat; after one lease (by the database's clock) another worker claims
// the share and resumes it from its checkpoint. At 80% of its lease a worker stops its share at a batch's end and
// queues the rest. SIGTERM: the share in hand stops at its batch's end, is queued again, and the worker exits.
import { hostname } from 'node:os';
import { isSqlConnector } from '../../connectors/connector.ts';
import { holdFilesSystems } from '../ops/file-writers.ts';
import type { DataMap } from '../datamap/types.ts';
import type { Logger } from '../log.ts';
import { buildSweepPlan } from '../plan/sweep-plan.ts';
import { DEFAULT_LAG_CHECK_EVERY, realClock, SweepBrakes } from '../ops/sweep-brakes.ts';
import { resolveHeldRows } from '../ops/sweep-holds.ts';
import { introspectAll, sweepTable, tableRunFor } from '../ops/sweep.ts';
import type { TableSummary } from '../ops/sweep-summary.ts';
import { openSystems } from '../ops/systems.ts';
import { watchReplicas } from '../ops/replica-watch.ts';
import type { Progress } from '../ops/progress.ts';
import type { Share } from '../state/sweep-shares.ts';
import type { StateStore } from '../state/store.ts';
import { stateUrlFor } from './enqueue.ts';
import { openSweepQueue, type FetchedShare, type SweepQueue } from './queue.ts';
import { openRange, shareCheckpointKey, type RunSettings } from './run-settings.ts';

export interface WorkerOptions {
  map: DataMap;
  hmacKey: Buffer;
  log: Logger;
  /** Exit once no share of any run is left to do (waiting, queued or running). */
  exitWhenIdle?: boolean;
  /** Resolves when the worker must stop (SIGTERM, SIGINT). */
  stop?: Promise<unknown>;
  pollMs?: number;
}

export interface WorkerResult {
  ok: boolean;
  owner: string;
  shares: Array<{ run: string; share: string; outcome: 'done' | 'continued' | 'failed' | 'put back'; deleted: number; anonymized: number; error?: string }>;
}

const POLL_MS = 1000;

export async function runWorker(o: WorkerOptions, store: StateStore): Promise<WorkerResult> {
  const queue = await openSweepQueue(stateUrlFor(o.map, 'dsar worker'), { maintenanceSeconds: 5 });
  const owner = `${hostname()}:${process.pid}`;
  const result: WorkerResult = { ok: true, owner, shares: [] };
  let stopping = false;
  let onStop: (() => void) | undefined;
  void o.stop?.then(() => {
    stopping = true;
    onStop?.();
  });
  o.log.info({ owner }, 'worker started');
  try {
    while (!stopping) {
      const job = await queue.fetch();
      if (!job) {
        if (o.exitWhenIdle && (await store.sweepShares.unfinished()) === 0) break;
        await new Promise((r) => setTimeout(r, o.pollMs ?? POLL_MS));
        continue;
      }
      const outcome = await handle(o, store, queue, job, owner, (stop) => (onStop = stop));
      onStop = undefined;
      if (outcome) {
        result.shares.push(outcome);
        if (outcome.outcome === 'failed') result.ok = false;
      }
    }
  } finally {
    await queue.close();
    o.log.info({ owner, shares: result.shares.length }, 'worker stopped');
  }
  return result;
}

async function handle(o: WorkerOptions, store: StateStore, queue: SweepQueue, job: FetchedShare, owner: string, stopWith: (stop: () => void) => void): Promise<WorkerResult['shares'][number] | undefined> {
  const { run, share: shareId } = job.data;
  const settings = await store.sweepShares.settings<RunSettings>(run);
  const share = await store.sweepShares.share(run, shareId);
  if (!settings || !share || share.status === 'done') {
    await queue.complete(job.id); // a run removed, or a duplicate of a finished share
    return undefined;
  }
  if (!(await store.sweepShares.claim(run, shareId, owner, settings.leaseMs))) {
    // Another live worker has it: look again in a quarter of a lease (it may die).
    await queue.send([job.data], settings.leaseMs, settings.leaseMs / 4);
    await queue.complete(job.id);
    return { run, share: shareId, outcome: 'put back', deleted: 0, anonymized: 0 };
  }
  const base = share.rowsDone;
  let rows = 0;
  const beat = setInterval(() => void store.sweepShares.progress(run, shareId, base + rows).catch(() => {}), Math.max(500, Math.min(5000, settings.leaseMs / 5)));
  try {
    const counting: Progress = { table: () => ({ advance: (n) => void (rows += n), done: () => {} }) };
    const summary = await sweepShare(o, store, settings, share, counting, stopWith);
    clearInterval(beat);
    const figures = { deleted: summary.deleted + Object.values(summary.followersDeleted).reduce((a, n) => a + n, 0), anonymized: summary.anonymized };
    if (summary.stopped) {
      await store.sweepShares.requeue(run, shareId, base + rows, summary.rowsLeft);
      await queue.send([job.data], settings.leaseMs);
      await queue.complete(job.id);
      o.log.info({ run, share: shareId, reason: summary.stopped, rowsLeft: summary.rowsLeft }, 'share stopped; the rest is queued');
      return { run, share: shareId, outcome: 'continued', ...figures };
    }
    await store.sweepShares.finish(run, shareId, base + rows);
    await queue.complete(job.id);
    const ready = await store.sweepShares.release(run);
    await queue.send(ready.map((s) => ({ run, share: s.shareId })), settings.leaseMs);
    o.log.info({ run, share: shareId, ...figures, released: ready.length }, 'share done');
    return { run, share: shareId, outcome: 'done', ...figures };
  } catch (err) {
    clearInterval(beat);
    const message = err instanceof Error ? err.message : String(err);
    if (job.finalAttempt) {
      o.log.error({ run, share: shareId, err: message, attempts: share.attempts + 1 }, 'share failed for the last time; the tables waiting for it are not swept');
      await store.sweepShares.fail(run, shareId, message);
    } else {
      o.log.error({ run, share: shareId, err: message }, 'share failed; it is retried, from its checkpoint');
      await store.sweepShares.retrying(run, shareId, message);
    }
    await queue.fail(job.id, message);
    return { run, share: shareId, outcome: 'failed', deleted: 0, anonymized: 0, error: message };
  }
}

/** One share swept: the table's plan built as a sweep of that table alone builds it, confined to the share's range. */
async function sweepShare(o: WorkerOptions, store: StateStore, settings: RunSettings, share: Share, progress: Progress, stopWith: (stop: () => void) => void): Promise<TableSummary> {
  const map = o.map;
  const opened = await openSystems(map, o.log);
  const system = map.tables[share.tableId]?.system;
  const brakes = new SweepBrakes(
    { timeZone: map.timezone, lagCheckEvery: settings.lagCheckEvery ?? DEFAULT_LAG_CHECK_EVERY, maxRuntimeMs: settings.leaseMs * 0.8, pauseMs: settings.pauseMs, maxRate: settings.maxRate },
    system ? watchReplicas(map, [system], (name) => opened.connectors.get(name)) : [],
    realClock,
    o.log,
  );
  stopWith(() => brakes.requestStop());
  try {
    const { connectors, schemas, down } = await introspectAll(opened.connectors, o.log);
    for (const u of opened.unreachable) down.set(u.system, u.message);
    const plan = buildSweepPlan(map, schemas, { table: share.tableId }, new Date(settings.asOf));
    const t = plan.tables.find((x) => x.id === share.tableId);
    if (!t) throw new Error(plan.skipped.map((s) => `${s.table}: ${down.get(system ?? '') ?? s.reason}`).join('; ') || `${share.tableId} has no retention rule in this data map`);
    const range = share.sealedRange ? openRange(o.hmacKey, share.runId, share.shareId, share.sealedRange) : {};
    if (!range) throw new Error(`${share.shareId}: its key range does not open with this secrets.hmac_key (the run was distributed under another key)`);
    const held = await resolveHeldRows(map, store, connectors, [t], o.log);
    const run = tableRunFor(
      {
        map,
        connectors,
        schemas,
        held,
        store,
        log: o.log,
        progress,
        deleting: new Map(t.action === 'delete' ? [[t.id, t]] : []),
        hmacKey: o.hmacKey,
        batchSize: settings.batchSize,
        dryRun: false,
        brakes,
        share: { ...range, checkpointKey: shareCheckpointKey(share.runId, share.shareId) },
      },
      t,
    );
    // A file is rewritten whole: no other dsar writer of the same files system meanwhile (file-writers.ts).
    const lock = isSqlConnector(run.connector) ? undefined : await holdFilesSystems(store, [t.system]);
    try {
      return await sweepTable(run);
    } finally {
      await lock?.release();
    }
  } finally {
    await brakes.close();
    await opened.closeAll();
  }
}
