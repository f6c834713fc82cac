// State in PostgreSQL (`state.url`): a small pg pool; cross-process writes serialize on advisory transaction locks.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrls } from '../errors.ts';
import type { StateBackend } from './backend.ts';
import { migrateToLatest } from './migrations.ts';
import type { StateDatabase } from './schema.ts';

/** How long a refused run lock is tried again, and how often. */
const HOLD_PATIENCE_MS = 2000;
const HOLD_RETRY_MS = 100;

export function openPostgresBackend(url: string): StateBackend {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client that loses its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  const db = new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    shared: true,
    clockText: (agoMs = 0) =>
      sql<string>`to_char((clock_timestamp() - ${`${Math.round(agoMs)} milliseconds`}::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    location: redactUrls(url),
    db,
    exclusive(lockName, work) {
      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${lockName}, 0))`.execute(trx);
        return work(trx);
      });
    },
    relaxed(work) {
      return db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      });
    },
    // A session advisory lock on a connection kept for the run: the server drops it when that session ends. A
    // holder killed a moment ago may still have its session for a few milliseconds (the server notices the closed
    // socket when it next reads): a refused lock is tried again for a while before it counts as held.
    async hold(name) {
      const client = await pool.connect();
      try {
        for (let waited = 0; ; waited += HOLD_RETRY_MS) {
          const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 1)) as ok', [`run:${name}`]);
          if (rows[0].ok) break;
          if (waited >= HOLD_PATIENCE_MS) {
            client.release();
            return { held: true };
          }
          await new Promise((resolve) => setTimeout(resolve, HOLD_RETRY_MS));
        }
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      return {
        held: false,
        async release() {
          // Closing the session drops the lock whatever happens to the unlock.
          client.release(true);
        },
      };
    },
    async migrate() {
      const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
      await migrateToLatest(this, (run) => run(db, { ownTransaction: true }), rows[0]?.schema ?? undefined);
    },
    close: () => db.destroy(),
  };
}
