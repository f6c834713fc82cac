// Both state backends for the same tests: a fresh SQLite directory or a fresh PostgreSQL database per call,
// plus raw SQL access that goes around the store (to tamper with the ledger as an attacker would).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openStateStore, type StateStore } from '../../src/state/store.ts';
import { createPostgresDatabase, execPostgres, queryPostgres } from '../helpers/databases.ts';
import { withSqliteFile } from '../helpers/sqlite-file.ts';
import { STATE_KEY } from '../helpers/state-key.ts';

export interface StateFixture {
  /** Options that open this fixture's store. */
  options: { url?: string; dir?: string; hmacKey: Buffer };
  open(): Promise<StateStore>;
  /** Runs SQL directly against the state database, bypassing the store. */
  exec(sqlText: string): Promise<void>;
  query<T = Record<string, unknown>>(sqlText: string): Promise<T[]>;
  /** Empties every state table but keeps the schema and the subject key: a fresh store, quickly. */
  reset(): Promise<void>;
  /** Closes every store opened here and removes the database. */
  dispose(): Promise<void>;
}

const RESET_SQL = ['dsar_ledger', 'dsar_holds', 'dsar_optouts', 'dsar_checkpoints', 'dsar_run_steps', 'dsar_job_runs', 'dsar_dp_releases']
  .map((t) => `delete from ${t};`)
  .concat("delete from dsar_meta where key not in ('subject_key', 'subject_key_sealed');")
  .join('\n');

export type BackendName = 'sqlite' | 'postgres';
export const BACKENDS: BackendName[] = ['sqlite', 'postgres'];

export async function stateFixture(backend: BackendName): Promise<StateFixture> {
  const opened: StateStore[] = [];
  const track = async (options: { url?: string; dir?: string }) => {
    const store = await openStateStore({ ...options, hmacKey: STATE_KEY });
    opened.push(store);
    return store;
  };
  const closeAll = () => Promise.all(opened.splice(0).map((s) => s.close()));
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dsar-state-'));
    const file = path.join(dir, '.dsar', 'state.db');
    const withFile = <T>(work: (db: Database.Database) => T): T => withSqliteFile(file, work);
    return {
      options: { dir, hmacKey: STATE_KEY },
      open: () => track({ dir }),
      exec: async (sqlText) => void withFile((db) => db.exec(sqlText)),
      query: async <T>(sqlText: string) => withFile((db) => db.prepare(sqlText).all() as T[]),
      reset: async () => void withFile((db) => db.exec(RESET_SQL)),
      async dispose() {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPostgresDatabase('state');
  return {
    options: { url: database.url, hmacKey: STATE_KEY },
    open: () => track({ url: database.url }),
    exec: (sqlText) => execPostgres(database.url, sqlText),
    query: <T>(sqlText: string) => queryPostgres<T>(database.url, sqlText),
    reset: () => execPostgres(database.url, RESET_SQL),
    async dispose() {
      await closeAll();
      await database.drop();
    },
  };
}

/**
 * For the tests of one describe.each(BACKENDS) block: a store on `backend`, opened once for the block and emptied
 * before each test; `use` is given it (and its fixture) once it is open.
 */
export function emptyStoreForEachTest(backend: BackendName, use: (opened: { fixture: StateFixture; store: StateStore }) => void): void {
  let fixture: StateFixture | undefined;
  beforeAll(async () => {
    fixture = await stateFixture(backend);
    use({ fixture, store: await fixture.open() });
  });
  afterAll(() => fixture?.dispose());
  beforeEach(() => fixture!.reset());
}
