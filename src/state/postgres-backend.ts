// State in PostgreSQL (`state.url`): a small pg pool; cross-process writes serialize on advisory transaction locks.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrls } from '../errors.ts';
import type { StateBackend } from './backend.ts';
import { migrateToLatest } from './migrations.ts';
import type { StateDatabase } from './schema.ts';

export function openPostgresBackend(url: string): StateBackend {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client that loses its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  const db = new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
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
    async migrate() {
      await migrateToLatest(this);
    },
    close: () => db.destroy(),
  };
}
