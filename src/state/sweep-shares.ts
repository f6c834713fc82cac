// Distributed sweeps in the state store: a run's shares (a whole table, or one key range of a big one), which
// tables each waits for, and who is doing what. Times come from the database's clock (never a worker's own).
import { sql, type Kysely } from 'kysely';
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
    return this.backend.kind === 'postgres'
      ? sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
  }

  /** Records a run and its shares, every one `waiting`. */
  async createRun(runId: string, settings: unknown, shares: readonly NewShare[]): Promise<void> {
    await this.backend.db.transaction().execute(async (tx) => {
      await tx.insertInto('dsar_sweep_runs').values({ run_id: runId, created_at: new Date().toISOString(), settings: canonicalJson(settings) }).execute();
      for (let i = 0; i < shares.length; i += 500) {
        await tx
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
    });
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
    const stale = this.backend.kind === 'postgres'
      ? sql<string>`to_char((clock_timestamp() - ${`${Math.round(leaseMs)} milliseconds`}::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${leaseMs / 1000} seconds`})`;
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

  async fail(runId: string, shareId: string, error: string): Promise<void> {
    await this.backend.db
      .updateTable('dsar_sweep_shares')
      .set({ status: 'failed', error, updated_at: this.now() })
      .where('run_id', '=', runId)
      .where('share_id', '=', shareId)
      .execute();
  }
}
