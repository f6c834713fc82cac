// Versioned schema of the state store, applied by Kysely's Migrator: pending migrations run in one transaction
// under a cross-process lock, so two processes opening a fresh store at once migrate it once, and a failed
// migration leaves nothing half-done. Append new migrations; never edit a shipped one.
import { Migrator, type Kysely, type Migration } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { StateBackend } from './backend.ts';

export const SUBJECT_KEY = 'subject_key';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('dsar_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      // The per-installation key that turns identities into subject hashes; made once, inside this transaction.
      await db.insertInto('dsar_meta').values({ key: SUBJECT_KEY, value: randomBytes(32).toString('hex') }).execute();

      await db.schema
        .createTable('dsar_ledger')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('ticket', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('subject_hash', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('row_counts', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('received_on', 'text')
        .addColumn('law', 'text')
        .addColumn('due_on', 'text')
        // Unique: two entries naming the same predecessor would be a fork of the chain.
        .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dsar_ledger_ticket').on('dsar_ledger').columns(['ticket', 'id']).execute();

      await db.schema
        .createTable('dsar_holds')
        .addColumn('subject_hash', 'text', (c) => c.primaryKey())
        .addColumn('identity_type', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('dsar_optouts')
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('identity_type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dsar_optouts_pk', ['scope', 'subject_hash'])
        .execute();

      await db.schema
        .createTable('dsar_checkpoints')
        .addColumn('run_key', 'text', (c) => c.primaryKey())
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('saved_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('dsar_run_steps')
        .addColumn('run_key', 'text', (c) => c.notNull())
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dsar_run_steps_pk', ['run_key', 'step_id'])
        .execute();

      await db.schema
        .createTable('dsar_job_runs')
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('tick', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        // One row per (job, tick): the unique key is what makes a claim win for exactly one replica.
        .addPrimaryKeyConstraint('dsar_job_runs_pk', ['job', 'tick'])
        .execute();
      await db.schema.createIndex('dsar_job_runs_running').on('dsar_job_runs').columns(['status', 'lease_until']).execute();
    },
  },
  // The sweep resolves holds to rows, which needs the held identity: kept sealed beside its hash.
  '0002_hold_identity': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('dsar_holds').addColumn('identity_sealed', 'text').execute();
    },
  },
  // Differentially private releases: what each spent from its budget group, hash-chained.
  '0003_dp_releases': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('dsar_dp_releases')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('budget_group', 'text', (c) => c.notNull())
        .addColumn('extract', 'text', (c) => c.notNull())
        .addColumn('released_at', 'text', (c) => c.notNull())
        .addColumn('mechanism', 'text', (c) => c.notNull())
        .addColumn('charge', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dsar_dp_releases_group').on('dsar_dp_releases').columns(['budget_group', 'released_at']).execute();
    },
  },
  // Distributed sweeps: each run's shares (a table, or one key range of a big table), their order and progress.
  '0004_sweep_shares': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('dsar_sweep_runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dsar_sweep_shares')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('share_id', 'text', (c) => c.notNull())
        .addColumn('table_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('after_tables', 'text', (c) => c.notNull())
        .addColumn('sealed_range', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_left', 'integer')
        .addColumn('started_at', 'text')
        .addColumn('updated_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('dsar_sweep_shares_pk', ['run_id', 'share_id'])
        .execute();
    },
  },
};

const MIGRATIONS_TABLE = 'dsar_migrations';

/**
 * How a backend lets the migrator in. PostgreSQL hands it the pool: the Migrator takes its advisory lock and runs
 * in a transaction of its own. SQLite hands it the connection of an exclusive section (BEGIN IMMEDIATE, waited for
 * without blocking the event loop), inside which the Migrator must not begin a transaction: SQLite's own
 * adapter takes no lock, and its deferred BEGIN fails at once with SQLITE_BUSY when two processes upgrade together.
 */
export type MigrationAccess = <T>(run: (db: Kysely<any>, opts: { ownTransaction: boolean }) => Promise<T>) => Promise<T>;

/** Names of the applied migrations, or undefined before the first migration made the table. */
async function appliedMigrations(db: Kysely<any>): Promise<Set<string> | undefined> {
  try {
    return new Set((await db.selectFrom(MIGRATIONS_TABLE).select('name').execute()).map((r) => r.name as string));
  } catch {
    return undefined;
  }
}

/** Stores made before the Migrator kept the time a migration ran in `applied_at`; Kysely's column is `timestamp`. */
async function adoptEarlierTable(db: Kysely<any>, schema?: string): Promise<void> {
  const table = (await db.introspection.getTables()).find((t) => t.name === MIGRATIONS_TABLE && (!schema || t.schema === schema));
  if (table?.columns.some((c) => c.name === 'applied_at')) await db.schema.alterTable(MIGRATIONS_TABLE).renameColumn('applied_at', 'timestamp').execute();
}

/**
 * Brings the schema to the latest version; a no-op when it is already there. Returns the names it applied.
 * `schema`: where the state's tables are (PostgreSQL's current schema), so that another installation's tables in
 * another schema of the same database are not taken for these.
 */
export async function migrateToLatest(backend: Pick<StateBackend, 'exclusive' | 'db'>, access: MigrationAccess, schema?: string): Promise<string[]> {
  // Fast path without the lock (and without DDL, which a least-privileged state user may not be granted).
  const seen = await appliedMigrations(backend.db);
  if (seen && Object.keys(migrations).every((name) => seen.has(name))) return [];
  if (seen) await backend.exclusive(MIGRATIONS_TABLE, (db) => adoptEarlierTable(db, schema));
  const results = await access(async (db, { ownTransaction }) => {
    const run = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: MIGRATIONS_TABLE,
      migrationLockTableName: `${MIGRATIONS_TABLE}_lock`,
      ...(schema ? { migrationTableSchema: schema } : {}),
      disableTransactions: !ownTransaction,
      // Kysely orders applied migrations by their recorded time, which is each machine's clock; the names are the
      // order (pending ones still run in name order).
      allowUnorderedMigrations: true,
    }).migrateToLatest();
    // The Migrator returns its error: thrown here, inside the caller's exclusive section, so that rolls back too.
    if (run.error) throw run.error;
    return run.results ?? [];
  });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
