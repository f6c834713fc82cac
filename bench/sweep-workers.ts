// Part of `npm run bench -- sweep` (issue 19): what the replication-lag check costs, and what a second worker gains.
//
// Lag check: a PostgreSQL primary with a streaming standby started here (test/helpers/replicas.ts), 2,000,000
// events, the SQL-masks anonymize sweep with `replicas: [standby]` and without, alternating, best of two each
// (no lag: the standby keeps up). Goal: the check costs <= 5%.
// Workers: two systems (two PostgreSQL databases of 2,000,000 events each), a PostgreSQL state store, the same sweep
// distributed (`sweep --distribute --range-rows 500000`: 5 shares a table) and run by one `dsar worker`, then by
// two; wall time from the distribution to the last worker's exit. Both workers share this machine's cores with the
// database, so the gain is bounded by them.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execPostgres } from '../test/helpers/databases.ts';
import { startPostgresPair } from '../test/helpers/replicas.ts';
import { buildPostgres, DATASET_END, FULL } from './dataset.ts';
import { fmt } from './measure.ts';
import { postgresServer } from './servers.ts';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(HERE, '..', 'bin', 'dsar.js');
const HMAC_KEY = 'bench-hmac-key';
const BATCH = 5000;

const FIELDS = `email: { category: contact.email, mask: redact }
      ip: { category: online.ip, mask: null }
      user_agent: { category: online.device, mask: null }
      created_at: { category: usage.activity, mask: keep }`;

/** events_src kept aside once; events restored from it before each measurement. */
async function prepare(url: string, rows: number): Promise<void> {
  await buildPostgres(url, { users: FULL.users, events: rows });
  await execPostgres(url, `DROP TABLE IF EXISTS events_src; ALTER TABLE events RENAME TO events_src; ALTER INDEX events_pkey RENAME TO events_src_pkey;
    DROP INDEX events_user_id; DROP INDEX events_created_at`);
}

async function restore(url: string): Promise<void> {
  await execPostgres(url, `DROP TABLE IF EXISTS events;
    CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, email varchar(120), ip varchar(45),
      user_agent varchar(200), created_at timestamptz NOT NULL, payload text);
    INSERT INTO events SELECT * FROM events_src;
    CREATE INDEX events_created_at ON events (created_at)`);
  await execPostgres(url, 'VACUUM ANALYZE events');
  await execPostgres(url, 'CHECKPOINT');
}

function mapWith(systems: Record<string, string>, extra = ''): string {
  const sys = Object.entries(systems).map(([name, env]) => `  ${name}: { kind: postgres, url: env:${env}${extra} }`).join('\n');
  const tables = Object.keys(systems)
    .map((name) => `  ${name}.events:\n    key: id\n    retention: events-2y\n    fields:\n      ${FIELDS}`)
    .join('\n');
  return `version: 1\nsecrets:\n  hmac_key: env:DSAR_BENCH_HMAC\nsystems:\n${sys}\nretention:\n  events-2y: { keep: 2y, after: created_at, then: anonymize }\ntables:\n${tables}\n`;
}

async function childSweep(datamap: string, env: NodeJS.ProcessEnv): Promise<number> {
  const child = path.join(HERE, 'sweep-child.ts');
  const args = JSON.stringify({ datamap, asOf: DATASET_END.toISOString(), batchSize: BATCH });
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, args], { env: { ...process.env, ...env, DSAR_BENCH_HMAC: HMAC_KEY }, maxBuffer: 1 << 20 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number }).ms;
}

export async function lagCheckCost(rows: number): Promise<void> {
  console.log(`\n### replication lag check (PostgreSQL primary + streaming standby started here, ${fmt(rows)} events, anonymize)`);
  const pair = await startPostgresPair();
  try {
    await prepare(pair.primaryUrl, rows);
    const env = { DSAR_BENCH_URL: pair.primaryUrl, DSAR_BENCH_REPLICA: pair.replicaUrl };
    const plain = mapWith({ bench: 'DSAR_BENCH_URL' });
    const watched = mapWith({ bench: 'DSAR_BENCH_URL' }, ', replicas: [env:DSAR_BENCH_REPLICA]');
    let without = Infinity;
    let withLag = Infinity;
    for (let i = 0; i < 2; i++) {
      await restore(pair.primaryUrl);
      await pair.caughtUp();
      without = Math.min(without, await childSweep(plain, env));
      await restore(pair.primaryUrl);
      await pair.caughtUp();
      withLag = Math.min(withLag, await childSweep(watched, env));
    }
    const cost = withLag / without - 1;
    console.log(
      `lag check (every 10 batches)              without ${fmt(without)} ms   with the standby watched ${fmt(withLag)} ms   ` +
        `cost ${(cost * 100).toFixed(1)}% (goal <= 5%) ${cost <= 0.05 ? 'OK' : 'ABOVE GOAL'}`,
    );
  } finally {
    await pair.stop();
  }
}

async function dsar(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [BIN, '--datamap', 'datamap.yaml', ...args], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  return stdout;
}

async function workersRun(n: number, dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await dsar(['--json', 'sweep', '--distribute', '--as-of', DATASET_END.toISOString(), '--batch-size', String(BATCH), '--range-rows', '500000'], dir, env);
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        const w = spawn(process.execPath, [BIN, '--datamap', 'datamap.yaml', '--log-level', 'warn', 'worker', '--exit-when-idle'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
      }),
    ),
  );
  return performance.now() - t0;
}

export async function workerScaling(rows: number): Promise<void> {
  console.log(`\n### workers (two PostgreSQL systems of ${fmt(rows)} events each, anonymize, shares of 500,000 rows)`);
  const a = postgresServer('dsar_bench_worker_a');
  const b = postgresServer('dsar_bench_worker_b');
  const state = postgresServer('dsar_bench_worker_state');
  await Promise.all([a.ensureDatabase(), b.ensureDatabase(), state.ensureDatabase()]);
  await Promise.all([prepare(a.url, rows), prepare(b.url, rows)]);
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-bench-workers-'));
  writeFileSync(path.join(dir, 'datamap.yaml'), mapWith({ a: 'DSAR_BENCH_A', b: 'DSAR_BENCH_B' }).replace('secrets:', 'state: { url: env:DSAR_BENCH_STATE }\nsecrets:'));
  const env = { DSAR_BENCH_A: a.url, DSAR_BENCH_B: b.url, DSAR_BENCH_STATE: state.url, DSAR_BENCH_HMAC: HMAC_KEY };
  try {
    const ms: Record<number, number> = {};
    for (const n of [1, 2]) {
      await Promise.all([restore(a.url), restore(b.url)]);
      ms[n] = await workersRun(n, dir, env);
    }
    console.log(
      `one worker ${fmt(ms[1])} ms   two workers ${fmt(ms[2])} ms   speed-up ${(ms[1] / ms[2]).toFixed(2)}x ` +
        `(${fmt((rows * 2 * 1000) / ms[2] / 2)} events/s per system with two)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
