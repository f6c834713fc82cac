// Real replication for tests: a PostgreSQL primary with a streaming standby, and a MariaDB primary with a replica,
// started from the installed server binaries in a temporary directory on free ports, and removed afterwards.
//
// Own servers rather than the machine's: a replica needs a primary that grants replication connections
// (PostgreSQL) or writes a binary log (MariaDB), which the machine's servers need not do (here: neither), and a test
// must not reconfigure them. Starting both takes about 3 s.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface ReplicatedPair {
  primaryUrl: string;
  replicaUrl: string;
  /** Stops replaying (PostgreSQL pg_wal_replay_pause, MariaDB STOP REPLICA SQL_THREAD): the replica falls behind. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has applied everything the primary has written. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/** Why this machine cannot start such servers, or undefined when it can. */
export function replicationUnavailable(kind: 'postgres' | 'mysql'): string | undefined {
  if (kind === 'postgres') return pgBinDir() ? undefined : 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql';
  return existsSync(MARIADBD) && existsSync(INSTALL_DB) ? undefined : `no ${MARIADBD} and ${INSTALL_DB}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms${last ? ` (${last instanceof Error ? last.message : String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A statement run on its own connection to `url`, its rows returned. */
type Query = <T>(url: string, text: string) => Promise<T[]>;

/** How an engine pauses and resumes a replica's replay, and tells whether it has applied all of the primary's log. */
interface ReplaySql {
  pause: string;
  resume: string;
  /** On the primary: where its log ends, as `at`. */
  position: string;
  /** On the replica: whether it has applied the log up to `at`, as a true `ok`. */
  reached(at: string): string;
}

function replicatedPair(servers: { primaryUrl: string; replicaUrl: string; on: Query; stop(): Promise<void> }, replay: ReplaySql): ReplicatedPair {
  const { primaryUrl, replicaUrl, on, stop } = servers;
  return {
    primaryUrl,
    replicaUrl,
    pauseReplay: async () => void (await on(replicaUrl, replay.pause)),
    resumeReplay: async () => void (await on(replicaUrl, replay.resume)),
    async caughtUp() {
      const [{ at }] = await on<{ at: string }>(primaryUrl, replay.position);
      await until('the replica applies what the primary wrote', async () => ((await on<{ ok: unknown }>(replicaUrl, replay.reached(at)))[0].ok ? true : undefined));
    },
    stop,
  };
}

// ---------------------------------------------------------------- PostgreSQL

function pgBinDir(): string | undefined {
  if (process.env.DSAR_TEST_PG_BINDIR) return process.env.DSAR_TEST_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root, the servers run as the postgres user. */
function asServerUser(bin: string, args: string[]): void {
  const asRoot = userInfo().uid === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startPostgresPair(): Promise<ReplicatedPair> {
  const bin = pgBinDir();
  if (!bin) throw new Error(replicationUnavailable('postgres'));
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-pg-replica-'));
  if (userInfo().uid === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const [p1, p2] = [await freePort(), await freePort()];
  const options = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c wal_receiver_status_interval=1s`;
  const primary = path.join(dir, 'primary');
  const standby = path.join(dir, 'standby');
  const started: string[] = [];
  const stop = async () => {
    for (const d of started.reverse()) {
      try {
        asServerUser(path.join(bin, 'pg_ctl'), ['-D', d, '-m', 'immediate', 'stop']);
      } catch {
        // already down
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asServerUser(path.join(bin, 'initdb'), ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    asServerUser(path.join(bin, 'pg_ctl'), ['-D', primary, '-l', path.join(dir, 'primary.log'), '-w', 'start', '-o', options(p1)]);
    started.push(primary);
    asServerUser(path.join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(p1), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream']);
    asServerUser(path.join(bin, 'pg_ctl'), ['-D', standby, '-l', path.join(dir, 'standby.log'), '-w', 'start', '-o', options(p2)]);
    started.push(standby);
  } catch (err) {
    await stop();
    throw err;
  }
  const primaryUrl = `postgres://postgres@127.0.0.1:${p1}/postgres`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${p2}/postgres`;
  const on = async <T>(url: string, text: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(text)).rows as T[];
    } finally {
      await c.end();
    }
  };
  await until('the standby streams', async () => ((await on(primaryUrl, `select 1 from pg_stat_replication where state = 'streaming'`)).length ? true : undefined));
  return replicatedPair({ primaryUrl, replicaUrl, on, stop }, PG_REPLAY);
}

const PG_REPLAY: ReplaySql = {
  pause: 'select pg_wal_replay_pause()',
  resume: 'select pg_wal_replay_resume()',
  position: 'select pg_current_wal_lsn()::text as at',
  reached: (lsn) => `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as ok`,
};

// ---------------------------------------------------------------- MariaDB

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

export async function startMariadbPair(): Promise<ReplicatedPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-mariadb-replica-'));
  const [p1, p2] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const server = (name: string, port: number, id: number, extra: string[]) => {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${path.join(dir, name)}`,
        `--port=${port}`,
        `--socket=${path.join(dir, `${name}.sock`)}`,
        `--pid-file=${path.join(dir, `${name}.pid`)}`,
        `--log-error=${path.join(dir, `${name}.err`)}`,
        '--bind-address=127.0.0.1',
        `--server-id=${id}`,
        '--innodb-buffer-pool-size=32M',
        ...(userInfo().uid === 0 ? ['--user=root'] : []),
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
  };
  const primaryUrl = `mysql://root@127.0.0.1:${p1}/mysql`;
  const replicaUrl = `mysql://root@127.0.0.1:${p2}/mysql`;
  const on = async <T>(url: string, text: string): Promise<T[]> => {
    const c = await mysql.createConnection({ uri: url, multipleStatements: true });
    try {
      return (await c.query(text))[0] as T[];
    } finally {
      await c.end();
    }
  };
  try {
    execFileSync(INSTALL_DB, ['--no-defaults', `--datadir=${path.join(dir, 'primary')}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(userInfo().uid === 0 ? ['--user=root'] : [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cpSync(path.join(dir, 'primary'), path.join(dir, 'replica'), { recursive: true });
    server('primary', p1, 1, [`--log-bin=${path.join(dir, 'primary', 'bin')}`, '--binlog-format=ROW']);
    server('replica', p2, 2, ['--read-only=1']);
    await until('the MariaDB primary starts', async () => ((await on(primaryUrl, 'select 1')).length ? true : undefined));
    await until('the MariaDB replica starts', async () => ((await on(replicaUrl, 'select 1')).length ? true : undefined));
    await on(replicaUrl, `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${p1}, MASTER_USER='root', MASTER_USE_GTID=slave_pos; START REPLICA`);
    await until('the MariaDB replica replicates', async () => {
      const [s] = await on<Record<string, unknown>>(replicaUrl, 'SHOW REPLICA STATUS');
      return s?.Slave_IO_Running === 'Yes' && s?.Slave_SQL_Running === 'Yes' ? true : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return replicatedPair({ primaryUrl, replicaUrl, on, stop }, MARIADB_REPLAY);
}

const MARIADB_REPLAY: ReplaySql = {
  pause: 'STOP REPLICA SQL_THREAD',
  resume: 'START REPLICA SQL_THREAD',
  position: 'select @@gtid_binlog_pos as at',
  // 0 once applied, -1 when the second it waits runs out.
  reached: (gtid) => `select master_gtid_wait('${gtid}', 1) = 0 as ok`,
};
