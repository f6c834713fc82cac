// `dsar sweep --distribute`: plans the sweep as one process would, cuts it into shares (share-plan.ts), records
// the run in the state store and queues the shares no other table must wait for; workers (`dsar worker`) do the
// rest, queueing each table's shares once the tables before it are done. Nothing is swept by this command.
import { randomBytes } from 'node:crypto';
import type { DataMap } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { buildSweepPlan, type SweepSelection } from '../plan/sweep-plan.ts';
import { introspectAll } from '../ops/sweep.ts';
import { openSystems } from '../ops/systems.ts';
import type { StateStore } from '../state/store.ts';
import { openSweepQueue } from './queue.ts';
import { sealRange, type RunSettings } from './run-settings.ts';
import { planShares } from './share-plan.ts';

export interface DistributeOptions {
  map: DataMap;
  hmacKey: Buffer;
  selection: SweepSelection;
  settings: RunSettings;
  /** Tables over this many rows are cut into key ranges of about this size. */
  rangeRows: number;
  log: Logger;
}

export interface DistributeResult {
  ok: boolean;
  runId: string;
  /** An open run of the same tables was joined instead of a new one started. */
  joined: boolean;
  asOf: string;
  shares: Array<{ share: string; table: string; waitsFor: string[] }>;
  queued: number;
  skipped: Array<{ table: string; reason: string }>;
  failures: string[];
}

export const DEFAULT_RANGE_ROWS = 1_000_000;
export const DEFAULT_LEASE_MS = 10 * 60_000;

/** The state store's URL: distributed sweeps need a PostgreSQL state store every worker reaches. */
export function stateUrlFor(map: DataMap, what: string): string {
  const url = map.state.url?.resolve();
  if (!url) throw new UsageError(`${what} needs a PostgreSQL state store that every worker reaches: set state.url (${map.state.url ? `${map.state.url.ref} is not set` : 'the data map has none'})`);
  return url;
}

export async function distributeSweep(o: DistributeOptions, store: StateStore): Promise<DistributeResult> {
  const url = stateUrlFor(o.map, 'sweep --distribute');
  const opened = await openSystems(o.map, o.log);
  try {
    const { connectors, schemas, down } = await introspectAll(opened.connectors, o.log);
    for (const u of opened.unreachable) down.set(u.system, u.message);
    const plan = buildSweepPlan(o.map, schemas, o.selection, new Date(o.settings.asOf));
    const planned = await planShares(plan.tables, connectors, o.rangeRows);
    const newId = `${o.settings.asOf.slice(0, 10)}-${randomBytes(4).toString('hex')}`;
    const started = await store.sweepShares.startRun(
      newId,
      { ...o.settings, tables: plan.tables.map((t) => t.id) },
      planned.map((s) => ({ shareId: s.shareId, tableId: s.tableId, position: s.position, afterTables: s.afterTables, sealedRange: s.range ? sealRange(o.hmacKey, newId, s.shareId, s.range) : null })),
    );
    if ('conflict' in started) {
      throw new UsageError(`distributed sweep ${started.conflict} still sweeps ${started.tables.join(', ')}: two runs never sweep one table at once; wait for it (dsar jobs status ${started.conflict}) or distribute other tables`);
    }
    const runId = 'joined' in started ? started.joined : started.created;
    // Joined: the same tables are being swept by a run not finished yet (this command, or its scheduler, was stopped
    // and run again). That run continues; its queued shares are sent again, since whoever queued them may have died
    // before they reached the queue (a share sent twice is claimed once: the worker puts the copy back).
    await store.sweepShares.release(runId);
    const shares = await store.sweepShares.shares(runId);
    const queued = shares.filter((s) => s.status === 'queued');
    const queue = await openSweepQueue(url, { supervise: false });
    try {
      await queue.send(queued.map((s) => ({ run: runId, share: s.shareId })), o.settings.leaseMs);
    } finally {
      await queue.close();
    }
    if ('joined' in started) {
      o.log.info({ runId, shares: shares.length, queued: queued.length }, 'joined the open distributed sweep of the same tables');
      const asOf = (await store.sweepShares.settings<RunSettings>(runId))?.asOf ?? o.settings.asOf;
      return { ok: true, runId, joined: true, asOf, shares: shares.map((s) => ({ share: s.shareId, table: s.tableId, waitsFor: s.afterTables })), queued: queued.length, skipped: plan.skipped, failures: [] };
    }
    o.log.info({ runId, shares: planned.length, queued: queued.length }, 'sweep distributed');
    const failures = plan.skipped.map((s) => `${s.table}: ${down.get(o.map.tables[s.table]?.system) ?? s.reason}`);
    return {
      ok: failures.length === 0,
      runId,
      joined: false,
      asOf: o.settings.asOf,
      shares: planned.map((s) => ({ share: s.shareId, table: s.tableId, waitsFor: s.afterTables })),
      queued: queued.length,
      skipped: plan.skipped,
      failures,
    };
  } finally {
    await opened.closeAll();
  }
}
