// State in an embedded SQLite file (`<dir>/.dsar/state.db`, directory 0700, file 0600 whatever the umask).
// Cross-process writes serialize with BEGIN IMMEDIATE, which takes SQLite's write lock before the first read.
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { StateBackend } from './backend.ts';
import { migrateToLatest } from './migrations.ts';
import type { StateDatabase } from './schema.ts';
import { isSqliteBusy } from '../../connectors/engine-errors.ts';

export const STATE_DIR = '.dsar';
export const STATE_FILE = 'state.db';

/** How long a statement waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;
/** How long an exclusive section waits for the write lock, polling without blocking the event loop. */
const LOCK_WAIT_MS = 15_000;

/** Path of the embedded state file for a working directory. */
export function sqliteStatePath(dir: string): string {
  return path.join(path.resolve(dir), STATE_DIR, STATE_FILE);
}

function createPrivateFile(file: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // mkdir's mode is masked by the umask; chmod is not
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

function inodeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.ino;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * BEGIN IMMEDIATE without better-sqlite3's busy wait, which would block the whole thread (and the scheduler's
 * heartbeats with it) while another process holds the lock: try, and on SQLITE_BUSY yield and try again.
 */
async function beginImmediate(conn: Kysely<StateDatabase>): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  await sql.raw('pragma busy_timeout = 0').execute(conn);
  try {
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (err) {
        if (!isSqliteBusy(err) || Date.now() >= deadline) throw err;
        await sleep(wait + Math.random() * wait);
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`).execute(conn);
  }
}

function openFile(file: string): StateBackend {
  createPrivateFile(file);
  const database = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  // WAL lets the scheduler and a CLI command read while the other writes.
  database.pragma('journal_mode = WAL');
  // Every commit reaches the disk before it returns (the ledger is a record); relaxed() lifts this for one write.
  database.pragma('synchronous = FULL');
  const db = new Kysely<StateDatabase>({ dialect: new SqliteDialect({ database }) });
  return {
    // One machine's file: its clock is the machine's.
    shared: false,
    clockText: (agoMs = 0) => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${agoMs / 1000} seconds`})`,
    location: file,
    db,
    exclusive(_lockName, work) {
      // SQLite has one writer at a time: the immediate write lock is the whole-database lock.
      return db.connection().execute(async (conn) => {
        await beginImmediate(conn);
        try {
          const result = await work(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          // SQLite may already have rolled back (e.g. on SQLITE_FULL); the original error is the one to report.
          await sql`rollback`.execute(conn).catch(() => {});
          throw err;
        }
      });
    },
    relaxed(work) {
      // One connection: holding it keeps any other write of this process from committing under the relaxed setting.
      return db.connection().execute(async (conn) => {
        await sql.raw('pragma synchronous = NORMAL').execute(conn);
        try {
          return await work(conn);
        } finally {
          await sql.raw('pragma synchronous = FULL').execute(conn);
        }
      });
    },
    // An exclusive transaction on a lock file of its own beside the state: SQLite's file lock, which the operating
    // system drops with the process. The state itself stays free for other processes' reads and writes. The holder
    // removes the file before it unlocks, so that a file per ticket does not pile up; a run that locked a file
    // removed meanwhile (it opened it just before) sees another file at the path, or none, and tries again.
    async hold(name) {
      const lockFile = path.join(path.dirname(file), `run-${createHash('sha256').update(name).digest('hex').slice(0, 16)}.lock`);
      for (let attempt = 0; attempt < 5; attempt++) {
        createPrivateFile(lockFile);
        const opened = inodeOf(lockFile);
        const lock = new Database(lockFile, { timeout: 0 });
        try {
          lock.exec('begin exclusive');
        } catch (err) {
          lock.close();
          if (isSqliteBusy(err)) return { held: true };
          throw err;
        }
        if (opened !== undefined && inodeOf(lockFile) === opened) {
          return {
            held: false,
            async release() {
              rmSync(lockFile, { force: true });
              lock.close(); // rolls the empty transaction back and unlocks
            },
          };
        }
        lock.close();
      }
      throw new Error(`cannot lock ${lockFile}: another process keeps replacing it`);
    },
    async migrate() {
      await migrateToLatest(this, (run) => this.exclusive('dsar_migrations', (conn) => run(conn, { ownTransaction: false })));
    },
    close: () => db.destroy(),
  };
}

// One connection per file per process: two connections in one thread would wait on each other's locks
// synchronously and deadlock, so stores opened on the same file in one process share it.
const openFiles = new Map<string, { backend: StateBackend; users: number }>();

export function openSqliteBackend(dir: string): StateBackend {
  const file = sqliteStatePath(dir);
  let entry = openFiles.get(file);
  if (!entry) {
    entry = { backend: openFile(file), users: 0 };
    openFiles.set(file, entry);
  }
  entry.users++;
  const shared = entry;
  let closed = false;
  return {
    ...shared.backend,
    async close() {
      if (closed) return;
      closed = true;
      if (--shared.users > 0) return;
      openFiles.delete(file);
      await shared.backend.close();
    },
  };
}
