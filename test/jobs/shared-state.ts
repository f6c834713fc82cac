// Replica tests' common ground: one PostgreSQL state database per file (kept apart from job-fixtures.ts, which the
// replica child process imports outside vitest).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Scheduler } from '../../jobs/scheduler.ts';
import { openStateStore, type StateStore } from '../../src/state/store.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/databases.ts';

export interface SharedState {
  /** The PostgreSQL state database every replica of the file shares. */
  url: string;
  /** A fresh directory for each test, where the batch job writes its steps. */
  dir: string;
  /** Stores opened by openStore, in order; closed after each test. */
  stores: StateStore[];
  /** Schedulers to stop after each test (before the stores close). */
  schedulers: Scheduler[];
  /** Run after the schedulers stop and before the stores close (a database clock's stop). */
  cleanups: Array<() => void>;
  openStore(): Promise<StateStore>;
}

/**
 * For a file of replica tests: one PostgreSQL state database for all of them, a fresh directory for each test,
 * and after each test every scheduler stopped (given `stopMs`), every store closed, the directory removed.
 */
export function sharedStateDatabase(prefix: string, opts: { stopMs: number }): SharedState {
  let database: TestDatabase;
  const shared: SharedState = {
    url: '',
    dir: '',
    stores: [],
    schedulers: [],
    cleanups: [],
    async openStore() {
      const store = await openStateStore({ url: shared.url });
      shared.stores.push(store);
      return store;
    },
  };
  beforeAll(async () => {
    database = await createPostgresDatabase(prefix);
    shared.url = database.url;
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(() => {
    shared.dir = mkdtempSync(path.join(tmpdir(), `dsar-${prefix}-`));
  });
  afterEach(async () => {
    await Promise.all(shared.schedulers.splice(0).map((s) => s.stop(opts.stopMs)));
    for (const cleanup of shared.cleanups.splice(0)) cleanup();
    await Promise.all(shared.stores.splice(0).map((s) => s.close()));
    rmSync(shared.dir, { recursive: true, force: true });
  });
  return shared;
}
