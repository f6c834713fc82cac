// `npm run bench -- sweep`: `dsar sweep` against a hand-written keyset loop on the same restored data, for
// PostgreSQL and MariaDB, deleting and anonymizing (masks SQL can write; hash/fake masks computed in Node).
//
// Data: bench/dataset.ts (events: 2,000,000 rows, created_at uniform over 4 years ending 2026-11-01, in id order).
// Both sides judge expiry at 2026-11-01 with keep 2y: the first half of the table (~1,000,000 rows) has expired.
// Before every measurement the table is restored from a pristine copy (events_src) and analyzed.
// The raw loop is what an SRE would write by hand: per batch `SELECT max(id) FROM (SELECT id ... WHERE id > :last
// ORDER BY id LIMIT 5000)` then `UPDATE|DELETE ... WHERE id > :last AND id <= :hi AND created_at < :cutoff`,
// autocommit, no checkpoint; for hash/fake its UPDATE computes keyed SHA-256 digests in SQL (the email shaped as
// dsar's, `<64 hex>@erased.invalid`, the IP cut to its /24, the user agent a digest). `dsar sweep` runs through runSweep, the function the CLI calls, in a fresh process (bench/sweep-child.ts) so that its peak RSS is its own.
//
// Flags: --rows=N (events; default 2,000,000), --postgres / --mysql (only one engine), --only=delete|anonymize (a
// scenario's name prefix), --repeat=N (raw and dsar alternate N times each; the fastest of each is printed),
// --keep-data (skip the rebuild when events_src exists); --only=lag / --only=workers: the parts of bench/sweep-workers.ts. URLs: DSAR_BENCH_PG_URL, DSAR_BENCH_MYSQL_URL (default: the local servers,
// database dsar_bench_sweep, created when missing).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { buildMysql, buildPostgres, DATASET_END, FULL } from './dataset.ts';
import { fmt, ratioLine } from './measure.ts';
import { mysqlServer, postgresServer, type BenchServer } from './servers.ts';
import { lagCheckCost, workerScaling } from './sweep-workers.ts';

const execFileAsync = promisify(execFile);

const BATCH = 5000;
const HMAC_KEY = 'bench-hmac-key';
const CUTOFF = new Date('2024-11-01T00:00:00Z'); // DATASET_END - 2y

type Scenario = 'delete' | 'anonymize (SQL masks)' | 'anonymize (hash/fake)';
const SCENARIOS: Array<{ name: Scenario; goal: number }> = [
  { name: 'delete', goal: 0.9 },
  { name: 'anonymize (SQL masks)', goal: 0.9 },
  { name: 'anonymize (hash/fake)', goal: 0.5 },
];

/** The one database-specific part of each side: how to restore, and the raw loop's statements. */
interface Engine {
  name: string;
  kind: 'postgres' | 'mysql';
  url: string;
  build(rows: number): Promise<void>;
  hasSource(): Promise<boolean>;
  restore(): Promise<void>;
  /** Runs `sql` with positional params; returns rows and affected rows. */
  connect(): Promise<{ query(sql: string, params: unknown[]): Promise<{ rows: any[]; affected: number }>; end(): Promise<void> }>;
  raw: Record<Scenario, string>;
  placeholder(i: number): string;
}

interface Measured {
  rows: number;
  ms: number;
  longestBatchMs: number;
  peakRssMb: number;
}

export async function run(flags: string[]): Promise<void> {
  const rows = Number(flags.find((f) => f.startsWith('--rows='))?.slice('--rows='.length) ?? FULL.events);
  const keep = flags.includes('--keep-data');
  const repeat = Math.max(1, Number(flags.find((f) => f.startsWith('--repeat='))?.slice('--repeat='.length) ?? 1));
  const engines = [postgresEngine(), mysqlEngine()].filter((e) => !(flags.includes('--postgres') || flags.includes('--mysql')) || flags.includes(`--${e.kind}`));
  console.log(`events: ${fmt(rows)} rows, ~half expired (created_at before ${CUTOFF.toISOString().slice(0, 10)}); batches of ${fmt(BATCH)}; best of ${repeat}`);

  for (const engine of engines) {
    console.log(`\n### ${engine.name}`);
    if (!keep || !(await engine.hasSource())) {
      const t0 = performance.now();
      await engine.build(rows);
      console.log(`data set built in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    }
    const only = flags.find((f) => f.startsWith('--only='))?.slice('--only='.length);
    for (const s of SCENARIOS.filter((x) => !only || x.name.startsWith(only))) {
      let raw: Measured | undefined;
      let tool: Measured | undefined;
      for (let i = 0; i < repeat; i++) {
        await engine.restore();
        raw = fastest(raw, await rawLoop(engine, s.name));
        await engine.restore();
        tool = fastest(tool, await dsarSweep(engine, s.name));
      }
      if (!raw || !tool) continue;
      if (raw.rows !== tool.rows) console.log(`!! rows differ: raw ${raw.rows}, dsar ${tool.rows}`);
      console.log(ratioLine(`${engine.name} ${s.name}`, (raw.rows * 1000) / raw.ms, (tool.rows * 1000) / tool.ms, s.goal));
      console.log(
        `${''.padEnd(34)} rows ${fmt(tool.rows)}   raw ${(raw.ms / 1000).toFixed(1)}s, dsar ${(tool.ms / 1000).toFixed(1)}s   ` +
          `longest batch raw ${fmt(raw.longestBatchMs)} ms, dsar ${fmt(tool.longestBatchMs)} ms (goal < 1,000)   peak RSS dsar ${fmt(tool.peakRssMb)} MB (goal < 200)`,
      );
    }
  }
  const only = flags.find((f) => f.startsWith('--only='))?.slice('--only='.length);
  if (!flags.includes('--mysql') && (!only || only === 'lag')) await lagCheckCost(rows);
  if (!flags.includes('--mysql') && (!only || only === 'workers')) await workerScaling(rows);
}

/** The faster of two runs of one side (the other load on a shared machine only ever slows a run down). */
function fastest(a: Measured | undefined, b: Measured): Measured {
  return !a || b.ms < a.ms ? b : a;
}

async function rawLoop(engine: Engine, scenario: Scenario): Promise<Measured> {
  const c = await engine.connect();
  try {
    const p = (i: number) => engine.placeholder(i);
    const next = `SELECT max(id) AS hi FROM (SELECT id FROM events WHERE id > ${p(1)} ORDER BY id LIMIT ${BATCH}) s`;
    let last: unknown = 0;
    let changed = 0;
    let longest = 0;
    const t0 = performance.now();
    for (;;) {
      const b0 = performance.now();
      const { rows } = await c.query(next, [last]);
      const hi = rows[0]?.hi;
      if (hi === null || hi === undefined) break;
      changed += (await c.query(engine.raw[scenario], [last, hi, CUTOFF])).affected;
      longest = Math.max(longest, performance.now() - b0);
      last = hi;
    }
    return { rows: changed, ms: performance.now() - t0, longestBatchMs: longest, peakRssMb: 0 };
  } finally {
    await c.end();
  }
}

/** `dsar sweep` in a fresh process (bench/sweep-child.ts), so that its peak RSS is its own. */
async function dsarSweep(engine: Engine, scenario: Scenario): Promise<Measured> {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sweep-child.ts');
  const args = JSON.stringify({ datamap: datamapFor(engine.kind, scenario), asOf: DATASET_END.toISOString(), batchSize: BATCH });
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, args], {
    env: { ...process.env, DSAR_BENCH_URL: engine.url, DSAR_BENCH_HMAC: HMAC_KEY },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
}

function datamapFor(kind: 'postgres' | 'mysql', scenario: Scenario): string {
  const then = scenario === 'delete' ? 'delete' : 'anonymize';
  const fields =
    scenario === 'anonymize (hash/fake)'
      ? `email: { category: contact.email, mask: hash }
      ip: { category: online.ip, mask: generalize }
      user_agent: { category: online.device, mask: fake }`
      : `email: { category: contact.email, mask: redact }
      ip: { category: online.ip, mask: null }
      user_agent: { category: online.device, mask: null }`;
  return `version: 1
secrets:
  hmac_key: env:DSAR_BENCH_HMAC
systems:
  bench: { kind: ${kind}, url: env:DSAR_BENCH_URL }
retention:
  events-2y: { keep: 2y, after: created_at, then: ${then} }
tables:
  bench.events:
    key: id
    retention: events-2y
    fields:
      ${fields}
      created_at: { category: usage.activity, mask: keep }
`;
}

const DB = 'dsar_bench_sweep';

/** Builds the data set with `rows` events and sets its events aside as events_src (`aside`: the engine's statements). */
async function buildSource(server: BenchServer<unknown>, build: typeof buildPostgres, rows: number, aside: string): Promise<void> {
  await server.ensureDatabase();
  await server.exec('DROP TABLE IF EXISTS events_src');
  await build(server.url, { users: FULL.users, events: rows });
  await server.exec(aside);
}

function postgresEngine(): Engine {
  const server = postgresServer(DB);
  return {
    ...server,
    build: (rows) =>
      buildSource(server, buildPostgres, rows, `ALTER TABLE events RENAME TO events_src; ALTER INDEX events_pkey RENAME TO events_src_pkey;
        DROP INDEX events_user_id; DROP INDEX events_created_at;`),
    async hasSource() {
      try {
        return Boolean((await server.exec(`SELECT to_regclass('events_src') AS t`)).rows[0].t);
      } catch {
        return false;
      }
    },
    async restore() {
      await server.exec(`DROP TABLE IF EXISTS events;
        CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, email varchar(120), ip varchar(45),
          user_agent varchar(200), created_at timestamptz NOT NULL, payload text);
        INSERT INTO events SELECT * FROM events_src;
        CREATE INDEX events_user_id ON events (user_id); CREATE INDEX events_created_at ON events (created_at);`);
      await server.exec('VACUUM ANALYZE events');
      await server.exec('CHECKPOINT');
    },
    async connect() {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      return {
        query: async (sql, params) => {
          const r = await c.query(sql, params);
          return { rows: r.rows, affected: r.rowCount ?? 0 };
        },
        end: () => c.end(),
      };
    },
    placeholder: (i) => `$${i}`,
    raw: {
      delete: 'DELETE FROM events WHERE id > $1 AND id <= $2 AND created_at < $3',
      'anonymize (SQL masks)': `UPDATE events SET email = '[REDACTED]', ip = NULL, user_agent = NULL WHERE id > $1 AND id <= $2 AND created_at < $3`,
      'anonymize (hash/fake)': `UPDATE events SET email = encode(sha256(convert_to('${HMAC_KEY}' || email, 'UTF8')), 'hex') || '@erased.invalid',
        ip = regexp_replace(ip, '\\.[0-9]+$', '.0'), user_agent = encode(sha256(convert_to('${HMAC_KEY}' || user_agent, 'UTF8')), 'hex')
        WHERE id > $1 AND id <= $2 AND created_at < $3`,
    },
  };
}

function mysqlEngine(): Engine {
  const server = mysqlServer(DB);
  return {
    ...server,
    build: (rows) => buildSource(server, buildMysql, rows, 'RENAME TABLE events TO events_src'),
    async hasSource() {
      try {
        const rows = (await server.exec(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = database() AND table_name = 'events_src'`)) as Array<{ n: number }>;
        return Number(rows[0].n) > 0;
      } catch {
        return false;
      }
    },
    async restore() {
      await server.exec(`DROP TABLE IF EXISTS events; CREATE TABLE events LIKE events_src; INSERT INTO events SELECT * FROM events_src; ANALYZE TABLE events;`);
    },
    async connect() {
      const c = await mysql.createConnection({ uri: server.url, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
      return {
        query: async (sql, params) => {
          const [r] = (await c.query(sql, params)) as any;
          return Array.isArray(r) ? { rows: r, affected: 0 } : { rows: [], affected: r.affectedRows };
        },
        end: () => c.end(),
      };
    },
    placeholder: () => '?',
    raw: {
      delete: 'DELETE FROM events WHERE id > ? AND id <= ? AND created_at < ?',
      'anonymize (SQL masks)': `UPDATE events SET email = '[REDACTED]', ip = NULL, user_agent = NULL WHERE id > ? AND id <= ? AND created_at < ?`,
      'anonymize (hash/fake)': `UPDATE events SET email = concat(sha2(concat('${HMAC_KEY}', email), 256), '@erased.invalid'),
        ip = concat(substring_index(ip, '.', 3), '.0'), user_agent = sha2(concat('${HMAC_KEY}', user_agent), 256)
        WHERE id > ? AND id <= ? AND created_at < ?`,
    },
  };
}
