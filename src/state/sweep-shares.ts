// Distributed sweeps in the state store: a run's shares (a whole table, or one key range of a big one), which
// tables each waits for, and who is doing what. Times come from the database's clock (never a worker's own).
import { type Kysely } from 'kysely';
import type { StateBackend } from './backend.ts';
import { canonicalJson } from './canonical-json.ts';
import type { StateDatabase, SweepShareTable } from './schema.ts';

export interface NewShare {
  shareId: string;
  tableId: string;
  position: number;
  afterTables: string[];
  sealedRange: string | null;
}

export interface Share {
  runId: string;
  shareId: string;
  tableId: string;
  position: number;
  afterTables: string[];
  sealedRange: string | null;
  status: SweepShareTable['status'];
  owner: string | null;
  attempts: number;
  rowsDone: number;
  rowsLeft: number | null;
  startedAt: string | null;
  updatedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

function toShare(r: SweepShareTable): Share {
  return {
    runId: r.run_id,
    shareId: r.share_id,
    tableId: r.table_id,
    position: Number(r.position),
    afterTables: JSON.parse(r.after_tables) as string[],
    sealedRange: r.sealed_range,
    status: r.status,
    owner: r.owner,
    attempts: Number(r.attempts),
    rowsDone: Number(r.rows_done),
    rowsLeft: r.rows_left === null ? null : Number(r.rows_left),
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

export class SweepShares {
  constructor(private readonly backend: StateBackend) {}

  /** The database's clock as ISO-8601 UTC text. */
  private now() {
    return this.backend.clockText();
  }

  /**
   * Records a run and its shares, every one `waiting`, unless an open run (shares still to do) sweeps any of the same
   * tables: two runs must never sweep one table at once. An open run of exactly these tables is returned to join
   * instead (a rerun after the enqueuer or its scheduler died); one that overlaps otherwise is the conflict.
   */
  async startRun(runId: string, settings: unknown, shares: readonly NewShare[]): Promise<{ created: string } | { joined: string } | { conflict: string; tables: string[] }> {
    return this.backend.exclusive('sweep-runs', async (db) => {
      const tables = [...new Set(shares.map((s) => s.tableId))].sort();
      for (const open of await this.openRuns(db)) {
        if (open.tables.join('\n') === tables.join('\n')) return { joined: open.runId };
        const common = open.tables.filter((t) => tables.includes(t));
        if (common.length) return { conflict: open.runId, tables: common };
      }
      await this.insertRun(db, runId, settings, shares);
      return { created: runId };
    });
  }

  private async insertRun(db: Kysely<StateDatabase>, runId: string, settings: unknown, shares: readonly NewShare[]): Promise<void> {
    await db.insertInto('dsar_sweep_runs').values({ run_id: runId, created_at: new Date().toISOString(), settings: canonicalJson(settings) }).execute();
    for (let i = 0; i < shares.length; i += 500) {
      await db
        .insertInto('dsar_sweep_shares')
        .values(
          shares.slice(i, i + 500).map((s) => ({
            run_id: runId,
            share_id: s.shareId,
            table_id: s.tableId,
            position: s.position,
            after_tables: JSON.stringify(s.afterTables),
            sealed_range: s.sealedRange,
            status: 'waiting' as const,
            attempts: 0,
            rows_done: 0,
          })),
        )
        .execute();
    }
  }

  async settings<T>(runId: string): Promise<T | undefined> {
    const row = await this.backend.db.selectFrom('dsar_sweep_runs').select('settings').where('run_id', '=', runId).executeTakeFirst();
    return row ? (JSON.parse(row.settings) as T) : undefined;
  }

  /** The latest run's id, or undefined. */
  async latestRun(): Promise<string | undefined> {
    const row = await this.backend.db.selectFrom('dsar_sweep_runs').select('run_id').orderBy('created_at', 'desc').orderBy('run_id', 'desc').limit(1).executeTakeFirst();
    return row?.run_id;
  }

  async shares(runId: string): Promise<Share[]> {
    const rows = await this.backend.db.selectFrom('dsar_sweep_shares').selectAll().where('run_id', '=', runId).orderBy('table_id').orderBy('position').execute();
    return rows.map(toShare);
  }

  async share(runId: string, shareId: string): Promise<Share | undefined> {
    const row = await this.backend.db.selectFrom('dsar_sweep_shares').selectAll().where('run_id', '=', runId).where('share_id', '=', shareId).executeTakeFirst();
    return row && toShare(row);
  }

  /**
   * Waiting shares whose tables waited for are all done, turned `queued` here: each returned to exactly one caller
   * (the conditional update), which enqueues it.
   */
  async release(runId: string): Promise<Share[]> {
    return this.backend.exclusive(`sweep-run:${runId}`, async (db: Kysely<StateDatabase>) => {
      const all = (await db.selectFrom('dsar_sweep_shares').selectAll().where('run_id', '=', runId).execute()).map(toShare);
      const undone = new Set(all.filter((s) => s.status !== 'done').map((s) => s.tableId));
      const ready = all.filter((s) => s.status === 'waiting' && s.afterTables.every((t) => !undone.has(t)));
      for (const s of ready) {
        await db.updateTable('dsar_sweep_shares').set({ status: 'queued', updated_at: this.now() }).where('run_id', '=', runId).where('share_id', '=', s.shareId).execute();
      }
      return ready.map((s) => ({ ...s, status: 'queued' as const }));
    });
  }

  /**
   * A worker takes the share: when queued or failed, or running with no heartbeat for `leaseMs` by the database's
   * clock (its owner died). One claim wins; false when the share is done or another live worker has it.
   */
  async claim(runId: string, shareId: string, owner: string, leaseMs: number): Promise<boolean> {
    const stale = this.backend.clockText(leaseMs);
    const r = await this.backend.db
      .updateTable('dsar_sweep_shares')
      .set((eb) => ({ status: 'running', owner, attempts: eb('attempts', '+', 1), started_at: this.now(), updated_at: this.now(), error: null }))
      .where('run_id', '=', runId)
      .where('share_id', '=', shareId)
      .where((eb) => eb.or([eb('status', 'in', ['queued', 'failed']), eb.and([eb('status', '=', 'running'), eb('updated_at', '<', stale)])]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Shares of any run not done or failed: what workers still have to do. */
  async unfinished(): Promise<number> {
    const row = await this.backend.db.selectFrom('dsar_sweep_shares').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['waiting', 'queued', 'running']).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The owner's heartbeat, with its rows done so far. */
  async progress(runId: string, shareId: string, rowsDone: number): Promise<void> {
    await this.backend.relaxed((db) =>
      db.updateTable('dsar_sweep_shares').set({ rows_done: rowsDone, updated_at: this.now() }).where('run_id', '=', runId).where('share_id', '=', shareId).execute(),
    );
  }

  /** The share stopped before its end (its lease's time ran out): queued again, with what is left. */
  async requeue(runId: string, shareId: string, rowsDone: number, rowsLeft: number | undefined): Promise<void> {
    await this.backend.db
      .updateTable('dsar_sweep_shares')
      .set({ status: 'queued', rows_done: rowsDone, rows_left: rowsLeft ?? null, updated_at: this.now() })
      .where('run_id', '=', runId)
      .where('share_id', '=', shareId)
      .execute();
  }

  async finish(runId: string, shareId: string, rowsDone: number): Promise<void> {
    await this.backend.db
      .updateTable('dsar_sweep_shares')
      .set({ status: 'done', rows_done: rowsDone, rows_left: 0, updated_at: this.now(), finished_at: this.now() })
      .where('run_id', '=', runId)
      .where('share_id', '=', shareId)
      .execute();
  }

  /** The share failed and the queue will hand it out again: queued, with its error shown until then. */
  async retrying(runId: string, shareId: string, error: string): Promise<void> {
    await this.backend.db
      .updateTable('dsar_sweep_shares')
      .set({ status: 'queued', error, updated_at: this.now() })
      .where('run_id', '=', runId)
      .where('share_id', '=', shareId)
      .execute();
  }

  /**
   * The share failed for the last time. The shares waiting for its table will never be released (a parent is not
   * deleted while its children's rows may remain): they fail with it, so the run ends.
   */
  async fail(runId: string, shareId: string, error: string): Promise<void> {
    await this.backend.exclusive(`sweep-run:${runId}`, async (db: Kysely<StateDatabase>) => {
      const failed = await db.updateTable('dsar_sweep_shares').set({ status: 'failed', error, updated_at: this.now() }).where('run_id', '=', runId).where('share_id', '=', shareId).returning('table_id').executeTakeFirst();
      if (!failed) return;
      // Transitively: a table waiting for a table that waits for the failed one fails too.
      const blocked = new Set([failed.table_id]);
      const waiting = (await db.selectFrom('dsar_sweep_shares').selectAll().where('run_id', '=', runId).where('status', '=', 'waiting').execute()).map(toShare);
      for (let grew = true; grew; ) {
        grew = false;
        for (const w of waiting) {
          if (!blocked.has(w.tableId) && w.afterTables.some((t) => blocked.has(t))) {
            blocked.add(w.tableId);
            grew = true;
          }
        }
      }
      for (const w of waiting.filter((x) => blocked.has(x.tableId) && x.tableId !== failed.table_id)) {
        const why = `not swept: it waits for ${w.afterTables.filter((t) => blocked.has(t)).join(', ')}, which failed`;
        await db.updateTable('dsar_sweep_shares').set({ status: 'failed', error: why, updated_at: this.now() }).where('run_id', '=', runId).where('share_id', '=', w.shareId).execute();
      }
    });
  }

  /** Runs with shares still to do (waiting, queued or running), oldest first, with the tables each sweeps. */
  async openRuns(db: Kysely<StateDatabase> = this.backend.db): Promise<Array<{ runId: string; tables: string[] }>> {
    const rows = await db
      .selectFrom('dsar_sweep_shares')
      .select(['run_id', 'table_id'])
      .distinct()
      .where('run_id', 'in', (eb) => eb.selectFrom('dsar_sweep_shares').select('run_id').where('status', 'in', ['waiting', 'queued', 'running']))
      .orderBy('run_id')
      .orderBy('table_id')
      .execute();
    const runs = new Map<string, string[]>();
    for (const r of rows) runs.set(r.run_id, [...(runs.get(r.run_id) ?? []), r.table_id]);
    const created = new Map((await db.selectFrom('dsar_sweep_runs').select(['run_id', 'created_at']).where('run_id', 'in', [...runs.keys(), '']).execute()).map((r) => [r.run_id, r.created_at]));
    return [...runs].map(([runId, tables]) => ({ runId, tables })).sort((a, b) => (created.get(a.runId) ?? '').localeCompare(created.get(b.runId) ?? ''));
  }
}
