// `npm run bench -- export`: traversal of a subject with 10 events and one with 10,000 events on 200,000 users and
// 2,000,000 events, beside the raw indexed lookups that the same answer needs, in the same run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildPostgres, FULL } from './dataset.ts';
import { fmt, median, peakRssMb, timed } from './measure.ts';
import { createPostgresDatabase } from '../test/helpers/databases.ts';
import { parseDataMap } from '../src/datamap/load.ts';
import { planTraversal } from '../src/plan/traversal.ts';
import { traverse } from '../src/ops/traverse.ts';
import { openSystems } from '../src/ops/systems.ts';
import { main } from '../src/cli/main.ts';
import { silentLogger } from '../src/log.ts';

// The bench's data map: the users and their events of bench/dataset.ts, in one PostgreSQL system.
const MAP = readFileSync(new URL('../test/fixtures/datamaps/bench-export.yaml', import.meta.url), 'utf8');

const REPEAT = 20;

export async function run(flags: string[]): Promise<void> {
  const small = flags.includes('--small');
  const size = small ? { users: 20_000, events: 200_000 } : FULL;
  const db = await createPostgresDatabase('bench_export');
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-bench-export-'));
  try {
    console.log(`building ${fmt(size.users)} users and ${fmt(size.events)} events in PostgreSQL...`);
    await buildPostgres(db.url, size);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    // The heavy subject: 9,990 more events for user 1 (10,000 in all). An identity lookup normalizes in SQL, so
    // the identity column gets the matching expression index (what `validate --live` recommends).
    await c.query(`INSERT INTO events SELECT ${size.events} + g, 1, 'user1@example.com', '10.0.0.1', 'bench', now(), 'x' FROM generate_series(1, 9990) g`);
    await c.query(`CREATE INDEX users_email_norm ON users (lower(trim(email))); ANALYZE users; ANALYZE events;`);
    process.env.BENCH_EXPORT_URL = db.url;
    const mapFile = path.join(dir, 'datamap.yaml');
    writeFileSync(mapFile, MAP);
    const map = parseDataMap(MAP, mapFile, dir);
    const systems = await openSystems(map, silentLogger);

    const subjects = [
      { label: '10 events', email: 'user2@example.com' },
      { label: '10,000 events', email: 'user1@example.com' },
    ];
    console.log(`\nmedian of ${REPEAT} runs each, after a warm-up`);
    for (const s of subjects) {
      const raw = async () => {
        const u = await c.query('SELECT * FROM users WHERE lower(trim(email)) = $1', [s.email]);
        const e = await c.query('SELECT * FROM events WHERE user_id = ANY($1::bigint[])', [u.rows.map((r) => r.id)]);
        return u.rowCount! + e.rowCount!;
      };
      const tool = async () => {
        const data = await traverse(map, planTraversal(map, [{ type: 'email', value: s.email }]), systems.connectors, silentLogger);
        return { rows: [...data.tables.values()].reduce((a, t) => a + t.rows.length, 0), queries: data.queries };
      };
      await raw();
      await tool();
      const rawTimes: number[] = [];
      const toolTimes: number[] = [];
      let rows = 0;
      let queries = 0;
      for (let i = 0; i < REPEAT; i++) {
        rawTimes.push((await timed(raw)).ms);
        const t = await timed(tool);
        toolTimes.push(t.ms);
        rows = t.value.rows;
        queries = t.value.queries;
      }
      const r = median(rawTimes);
      const t = median(toolTimes);
      console.log(
        `${s.label.padEnd(14)} rows ${fmt(rows).padStart(6)}   raw 2 queries ${r.toFixed(1).padStart(7)} ms   dsar traversal ${queries} queries ${t.toFixed(1).padStart(7)} ms   overhead ${(t / r).toFixed(2)}x (goal < 2x) ${t / r < 2 ? 'OK' : 'ABOVE GOAL'}`,
      );
      const full = await timed(() =>
        main(['--datamap', mapFile, '--log-level', 'silent', '--json', 'export', s.email, '--ticket', `BENCH-${rows}`, '--out', path.join(dir, 'out'), '--force'], {
          stdout: () => {},
          stderr: () => {},
        }),
      );
      console.log(`${''.padEnd(14)} full export package (JSON, CSV, report.html, ledger) ${full.ms.toFixed(0)} ms`);
    }
    console.log(`peak RSS ${(await peakRssMb()).toFixed(0)} MB`);
    await systems.closeAll();
    await c.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

