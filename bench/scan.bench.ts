// `npm run bench -- scan`: discovery on the bench data set (2 tables, 2.2M rows), on the same data set ten times
// smaller, and on 50 generated small tables: wall time, queries issued, rows read. Sampling should make the time
// independent of table size (goal: the 10x data set takes about as long) and keep 50 tables under 10 s. The
// baseline is what reading the tables costs without sampling: one count(*) per table, a full scan of each.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildPostgres, FULL, type DatasetSize } from './dataset.ts';
import { fmt, peakRssMb, timed } from './measure.ts';
import { createPostgresDatabase, type TestDatabase } from '../test/helpers/databases.ts';
import { parseDataMap } from '../src/datamap/load.ts';
import { silentLogger } from '../src/log.ts';
import { runScan } from '../src/ops/scan.ts';
import type { ScanReport } from '../src/scan/report.ts';

// The data set's map (bench/dataset.ts's users and events); its system reads its URL from BENCH_SCAN_URL.
const DATASET_MAP = readFileSync(new URL('../test/fixtures/datamaps/bench-scan.yaml', import.meta.url), 'utf8');

const TABLES = 50;
const ROWS_PER_TABLE = 5_000;

/** 50 tables of ten columns each, some personal (undeclared on purpose), generated in the database. */
async function buildManyTables(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let t = 1; t <= TABLES; t++) {
      const name = `t${String(t).padStart(2, '0')}`;
      await c.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, email text, full_name text, phone text, notes text,
        amount numeric(10,2), created_at timestamptz, ip text, zip text, ref text)`);
      await c.query(
        `INSERT INTO ${name} SELECT g, 'p' || g || '@example.com', 'Person ' || g, '+1 415 555 ' || lpad((g % 10000)::text, 4, '0'),
           CASE WHEN g % 50 = 0 THEN 'call ' || g ELSE NULL END, g * 0.5, now() - g * interval '1 minute',
           '10.' || (g % 250) || '.0.' || (g % 200), lpad((g % 99999)::text, 5, '0'), md5(g::text)
         FROM generate_series(1, ${ROWS_PER_TABLE}) g`,
      );
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

/** The full-scan baseline: count(*) of every table, sequentially. */
async function countEverything(url: string): Promise<{ ms: number; rows: number; queries: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`)).rows.map((r) => r.relname as string);
    const { value: rows, ms } = await timed(async () => {
      let n = 0;
      for (const t of tables) n += Number((await c.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0].n);
      return n;
    });
    return { ms, rows, queries: tables.length };
  } finally {
    await c.end();
  }
}

interface Measured {
  report: ScanReport;
  ms: number;
  /** CPU time of this process (detection, driver parsing): what the wall time would be on an idle machine, roughly. */
  cpuMs: number;
}

/** Scans the database at `url` (one data set at a time: the map names it by BENCH_SCAN_URL). */
async function scan(url: string, dir: string): Promise<Measured> {
  process.env.BENCH_SCAN_URL = url;
  const map = parseDataMap(DATASET_MAP, path.join(dir, 'datamap.yaml'), dir);
  await runScan(map, {}, silentLogger); // warm-up: catalogs and buffers
  const cpu = process.cpuUsage();
  const { value: report, ms } = await timed(() => runScan(map, {}, silentLogger));
  const used = process.cpuUsage(cpu);
  return { report, ms, cpuMs: (used.user + used.system) / 1000 };
}

function line(label: string, r: Measured, baseline: { ms: number; rows: number; queries: number }): string {
  const t = r.report.totals;
  return (
    `${label.padEnd(34)} ${fmt(t.tables).padStart(3)} tables  scan ${(r.ms / 1000).toFixed(2)} s (cpu ${(r.cpuMs / 1000).toFixed(2)} s), ${fmt(t.queries)} queries, ${fmt(t.rowsRead)} rows read` +
    `   |  full count(*) ${(baseline.ms / 1000).toFixed(2)} s over ${fmt(baseline.rows)} rows`
  );
}

export async function run(flags: string[]): Promise<void> {
  const small = flags.includes('--small');
  const big: DatasetSize = small ? { users: 20_000, events: 200_000 } : FULL;
  const tenth: DatasetSize = { users: big.users / 10, events: big.events / 10 };
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-bench-scan-'));
  const dbs: TestDatabase[] = [];
  try {
    const [large, smaller, many] = await Promise.all([createPostgresDatabase('bench_scan'), createPostgresDatabase('bench_scan_tenth'), createPostgresDatabase('bench_scan_many')]);
    dbs.push(large, smaller, many);
    console.log(`building ${fmt(big.users)} users + ${fmt(big.events)} events, the same ten times smaller, and ${TABLES} tables of ${fmt(ROWS_PER_TABLE)} rows...`);
    await Promise.all([buildPostgres(large.url, big), buildPostgres(smaller.url, tenth), buildManyTables(many.url)]);

    const results = {
      large: await scan(large.url, dir),
      smaller: await scan(smaller.url, dir),
      many: await scan(many.url, dir),
    };
    const baselines = { large: await countEverything(large.url), smaller: await countEverything(smaller.url), many: await countEverything(many.url) };
    console.log('\nsample of 1,000 rows per table (default), after a warm-up run');
    console.log(line(`bench data set (${fmt(big.users + big.events)} rows)`, results.large, baselines.large));
    console.log(line(`ten times smaller (${fmt(tenth.users + tenth.events)} rows)`, results.smaller, baselines.smaller));
    console.log(line(`${TABLES} tables x ${fmt(ROWS_PER_TABLE)} rows`, results.many, baselines.many));
    const ratio = results.large.ms / results.smaller.ms;
    console.log(`\nsize independence: 10x the rows takes ${ratio.toFixed(2)}x the time (goal: about 1x) ${ratio < 2 ? 'OK' : 'ABOVE GOAL'}`);
    console.log(`50 tables: ${(results.many.ms / 1000).toFixed(2)} s (goal < 10 s) ${results.many.ms < 10_000 ? 'OK' : 'ABOVE GOAL'}`);
    console.log(`findings on the 50 tables: ${results.many.report.undeclared.length} undeclared columns, ${results.many.report.cards.length} card columns`);
    console.log(`peak RSS ${(await peakRssMb()).toFixed(0)} MB`);
  } finally {
    delete process.env.BENCH_SCAN_URL;
    await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}
