// A deadlock between dsar's batch and an application's transaction, forced step by step on PostgreSQL and MariaDB,
// with dsar's side the one the database breaks off: through the connector the failure is a SystemError naming the
// table that is recognized as a lock conflict, and a batch retried on it goes through once the application commits.
import { afterAll, beforeAll, expect, test } from 'vitest';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createConnector } from '../../connectors/index.ts';
import type { SqlConnector } from '../../connectors/connector.ts';
import { SystemError } from '../../src/errors.ts';
import { retry, type RetryOptions } from '../../src/retry.ts';
import { LOCK_RETRY } from '../../src/ops/sweep-sql.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, queryMysql, queryPostgres, type TestDatabase } from '../helpers/databases.ts';

const engines = {
  postgres: { create: createPostgresDatabase, exec: execPostgres, query: queryPostgres },
  mysql: { create: createMysqlDatabase, exec: execMysql, query: queryMysql },
} as const;
type Engine = keyof typeof engines;

const dbs = new Map<Engine, TestDatabase>();
beforeAll(async () => {
  for (const engine of Object.keys(engines) as Engine[]) {
    const db = await engines[engine].create('lockretry');
    await engines[engine].exec(db.url, `CREATE TABLE t (id integer PRIMARY KEY, v varchar(20) NOT NULL)`);
    dbs.set(engine, db);
  }
});
afterAll(async () => {
  await Promise.all([...dbs.values()].map((d) => d.drop()));
});

/** The application's side: one connection, statements in order. */
async function appConnection(engine: Engine, url: string): Promise<{ run(text: string): Promise<void>; close(): Promise<void> }> {
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return { run: async (text) => void (await c.query(text)), close: () => c.end() };
  }
  const c = await mysql.createConnection(url);
  return { run: async (text) => void (await c.query(text)), close: () => c.end() };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * dsar's batch updates rows 1 then 2; the application, in one transaction, updates rows 3..22 (MariaDB breaks off
 * the lighter side), then row 2, then row 1. dsar's batch waits first, so PostgreSQL's deadlock check breaks it
 * off too. Returns what the batch threw on its first attempt, and how many attempts it took.
 */
async function deadlock(engine: Engine, retried: boolean): Promise<{ firstError: unknown; attempts: number; lockConflict: boolean }> {
  const db = dbs.get(engine)!;
  const values = Array.from({ length: 22 }, (_, i) => `(${i + 1}, 'start')`).join(', ');
  await engines[engine].exec(db.url, `DELETE FROM t; INSERT INTO t VALUES ${values}`);
  const dsar = createConnector({ system: 'db', kind: engine, url: db.url }) as SqlConnector;
  await dsar.connect();
  const app = await appConnection(engine, db.url);
  const dsarHoldsRow1 = deferred();
  const appHoldsRow2 = deferred();
  let attempts = 0;
  let firstError: unknown;
  const batch = () =>
    dsar.transaction(async (tx) => {
      attempts++;
      await tx.updateByKeys('t', ['id'], [{ key: [1], set: { v: `dsar ${attempts}` } }]);
      if (attempts === 1) {
        dsarHoldsRow1.resolve();
        await appHoldsRow2.promise;
      }
      await tx.updateByKeys('t', ['id'], [{ key: [2], set: { v: `dsar ${attempts}` } }]);
    });
  const application = (async () => {
    await app.run('BEGIN');
    await app.run(`UPDATE t SET v = 'app' WHERE id BETWEEN 3 AND 22`);
    await dsarHoldsRow1.promise;
    await app.run(`UPDATE t SET v = 'app' WHERE id = 2`);
    appHoldsRow2.resolve();
    await new Promise((r) => setTimeout(r, 150)); // dsar's batch is waiting for row 2 by now
    await app.run(`UPDATE t SET v = 'app' WHERE id = 1`);
    await app.run('COMMIT');
  })();
  try {
    const run = retried ? retry(batch, { attempts: 3, backoffMs: 10, retryable: (err) => dsar.isLockConflict(err), onRetry: (_n, err) => (firstError ??= err) }) : batch();
    await run.catch((err) => {
      firstError ??= err;
    });
    await application;
  } finally {
    await app.close();
    await dsar.close();
  }
  return { firstError, attempts, lockConflict: dsar.isLockConflict(firstError) };
}

test.each([['PostgreSQL', 'postgres'], ['MariaDB', 'mysql']] as const)("%s: a deadlock that breaks off dsar's batch is a SystemError naming the table, known as a lock conflict", async (_name, engine) => {
  const { firstError, attempts, lockConflict } = await deadlock(engine, false);

  expect(attempts).toBe(1);
  expect(firstError).toBeInstanceOf(SystemError);
  expect((firstError as SystemError).message).toMatch(/^db\.t: .*deadlock/i);
  expect(lockConflict).toBe(true);
  // The application's transaction went through; dsar's batch left nothing behind.
  const rows = await engines[engine].query<{ id: number; v: string }>(dbs.get(engine)!.url, 'SELECT id, v FROM t WHERE id <= 3 ORDER BY id');
  expect(rows.map((r) => [Number(r.id), r.v])).toEqual([[1, 'app'], [2, 'app'], [3, 'app']]);
}, 30_000);

test.each([['PostgreSQL', 'postgres'], ['MariaDB', 'mysql']] as const)('%s: the same batch retried on the lock conflict goes through after the application commits', async (_name, engine) => {
  const { attempts, lockConflict } = await deadlock(engine, true);

  expect(lockConflict).toBe(true);
  expect(attempts).toBe(2);
  const rows = await engines[engine].query<{ id: number; v: string }>(dbs.get(engine)!.url, 'SELECT id, v FROM t WHERE id <= 3 ORDER BY id');
  expect(rows.map((r) => [Number(r.id), r.v])).toEqual([[1, 'dsar 2'], [2, 'dsar 2'], [3, 'app']]);
}, 30_000);

/** A connector of the engine, never connected: telling a lock conflict needs no server. */
const judge = (kind: Engine) => createConnector({ system: 'db', kind, url: kind === 'postgres' ? 'postgres://127.0.0.1/none' : 'mysql://127.0.0.1/none' }) as SqlConnector;

test('each engine knows its own lock conflicts, and only those', () => {
  const [postgres, mariadb] = [judge('postgres'), judge('mysql')];
  const pgDeadlock = new SystemError('db', 't', 'deadlock detected', { code: '40P01' });
  const myDeadlock = new SystemError('db', 't', 'Deadlock found', { errno: 1213 });

  expect(['40P01', '40001', '55P03', '23505'].map((code) => postgres.isLockConflict(new SystemError('db', 't', 'x', { code })))).toEqual([true, true, true, false]);
  expect([1213, 1205, 1062].map((errno) => mariadb.isLockConflict(new SystemError('db', 't', 'x', { errno })))).toEqual([true, true, false]);
  expect([postgres.isLockConflict(myDeadlock), mariadb.isLockConflict(pgDeadlock)]).toEqual([false, false]);
});

/** `retry` on a statement that fails with `error` every time: what it threw in the end, and how often it tried. */
async function retriedFailure(error: SystemError, options: RetryOptions): Promise<{ err: Error; attempts: number }> {
  let attempts = 0;
  const err = await retry(async () => {
    attempts++;
    throw error;
  }, options).catch((e: Error) => e);
  return { err, attempts };
}

test('a statement that failed for another reason is not retried', async () => {
  const postgres = judge('postgres');
  const { err, attempts } = await retriedFailure(new SystemError('db', 't', 'duplicate key', { code: '23505' }), {
    ...LOCK_RETRY,
    retryable: (e) => postgres.isLockConflict(e),
  });

  expect(err).toBeInstanceOf(SystemError);
  expect(attempts).toBe(1);
});

test('a lock conflict that persists is retried a bounded number of times, then reported', async () => {
  const mariadb = judge('mysql');
  const { err, attempts } = await retriedFailure(new SystemError('db', 't', 'Lock wait timeout exceeded', { errno: 1205 }), {
    attempts: 3,
    backoffMs: 1,
    retryable: (e) => mariadb.isLockConflict(e),
  });

  expect(err.message).toBe('db.t: Lock wait timeout exceeded');
  expect(attempts).toBe(3);
});
