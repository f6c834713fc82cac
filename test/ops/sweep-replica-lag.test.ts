// Replication lag against real replicas (test/helpers/replicas.ts): a PostgreSQL standby whose replay is paused and
// a MariaDB replica whose SQL thread is stopped make the sweep wait between batches; when they catch up it goes on
// and finishes, with every expired row gone on the primary and, once applied, on the replica.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostgresDatabase, execMysql, execPostgres, queryMysql, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { replicationUnavailable, startMariadbPair, startPostgresPair, type ReplicatedPair } from '../helpers/replicas.ts';
import { sweepFixture, type SweepFixture } from './sweep-fixture.ts';

const ROWS = 6000;
const AS_OF = '2026-06-15';

interface Engine {
  name: string;
  kind: 'postgres' | 'mysql';
  start(): Promise<ReplicatedPair>;
  exec(url: string, text: string): Promise<void>;
  count(url: string): Promise<number>;
}

const ENGINES: Engine[] = [
  {
    name: 'PostgreSQL',
    kind: 'postgres',
    start: startPostgresPair,
    exec: execPostgres,
    count: async (url) => Number((await queryPostgres<{ n: string }>(url, 'select count(*) as n from events'))[0].n),
  },
  {
    name: 'MariaDB',
    kind: 'mysql',
    start: startMariadbPair,
    exec: execMysql,
    count: async (url) => Number((await queryMysql<{ n: number }>(url, 'select count(*) as n from events'))[0].n),
  },
];

const FIXTURE: Record<Engine['kind'], string> = {
  postgres: `create table events (id integer primary key, user_id integer not null, created_at timestamptz not null);
    insert into events select g, g % 97, case when g % 3 = 0 then timestamptz '2026-06-01' else timestamptz '2020-01-01' end from generate_series(1, ${ROWS}) g`,
  mysql: `set session max_recursive_iterations = 1000000;
    create table events (id integer primary key, user_id integer not null, created_at datetime not null);
    insert into events with recursive g(n) as (select 1 union all select n + 1 from g where n < ${ROWS})
      select n, n % 97, case when n % 3 = 0 then '2026-06-01' else '2020-01-01' end from g`,
};
const EXPIRED = ROWS - Math.floor(ROWS / 3);

function datamap(f: SweepFixture, kind: string, replicas: string, maxLag = '1s'): string {
  return `version: 1
secrets:
  hmac_key: env:${f.env.key}
systems:
  app: { kind: ${kind}, url: env:${f.env.url}, replicas: ${replicas}, max_lag: ${maxLag} }
retention:
  old-events: { keep: 1y, after: created_at, then: delete }
tables:
  app.events:
    key: id
    retention: old-events
    fields:
      user_id: { category: online.identifier, mask: keep }
`;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  const unavailable = replicationUnavailable(engine.kind);
  // Without the server binaries: skipped with the reason, except under CI (where it must run).
  describe.skipIf(unavailable !== undefined && !process.env.CI)(`${engine.name} replica (${unavailable ?? 'servers started by the test'})`, () => {
    let pair: ReplicatedPair;
    let f: SweepFixture;
    const replicaVar = () => `${f.env.url}_REPLICA`;

    beforeAll(async () => {
      pair = await engine.start();
      f = sweepFixture(`lag-${engine.kind}`);
      process.env[f.env.url] = pair.primaryUrl;
      process.env[replicaVar()] = pair.replicaUrl;
    }, 120_000);
    afterAll(async () => {
      await pair?.stop();
      f?.dispose();
    });

    test('a replica that stops applying mid-sweep pauses the sweep; once it catches up the sweep finishes, on both servers', async () => {
      await engine.exec(pair.primaryUrl, `drop table if exists events; ${FIXTURE[engine.kind]}`);
      await pair.caughtUp();
      f.writeDatamap(datamap(f, engine.kind, `[env:${replicaVar()}]`));

      const run = f.dsar('--json', 'sweep', '--as-of', AS_OF, '--batch-size', '100', '--pause-ms', '40', '--lag-check-every', '1');
      await waitFor('the first batches land', async () => (await engine.count(pair.primaryUrl)) < ROWS);
      await pair.pauseReplay();
      // PostgreSQL measures the lag from the last replayed commit, so it passes 1s about a second after the pause.
      await sleep(2500);
      const whilePaused = await engine.count(pair.primaryUrl);
      await sleep(1500);
      const later = await engine.count(pair.primaryUrl);
      await pair.resumeReplay();
      const r = await run;

      expect(later).toBe(whilePaused);
      expect(whilePaused).toBeGreaterThan(ROWS - EXPIRED);
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.tables[0]).toMatchObject({ table: 'app.events', deleted: EXPIRED });
      expect(result.lagPauses.length).toBeGreaterThanOrEqual(1);
      expect(result.lagPauses[0].system).toBe('app');
      expect(result.lagPauses[0].why[0]).toContain(`app replica 1 (env:${replicaVar()})`);
      expect(result.lagPauses.reduce((n: number, p: { waitedMs: number }) => n + p.waitedMs, 0)).toBeGreaterThanOrEqual(1500);
      expect(result.brakes.replicas).toEqual([{ system: 'app', replicas: `1 listed: env:${replicaVar()}`, maxLag: '1s' }]);
      expect(await engine.count(pair.primaryUrl)).toBe(ROWS - EXPIRED);
      await pair.caughtUp();
      expect(await engine.count(pair.replicaUrl)).toBe(ROWS - EXPIRED);
    }, 90_000);

    test('a replica within max_lag costs no pause', async () => {
      await engine.exec(pair.primaryUrl, `drop table if exists events; ${FIXTURE[engine.kind]}`);
      await pair.caughtUp();
      f.writeDatamap(datamap(f, engine.kind, `[env:${replicaVar()}]`, '30s'));

      const r = await f.dsar('--json', 'sweep', '--as-of', AS_OF, '--batch-size', '500');

      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.tables[0]).toMatchObject({ deleted: EXPIRED });
      expect(result.lagPauses).toEqual([]);
    }, 60_000);

    if (engine.kind === 'postgres') {
      test('replicas: discover finds the standby in pg_stat_replication and waits for its replay', async () => {
        await engine.exec(pair.primaryUrl, `drop table if exists events; ${FIXTURE[engine.kind]}`);
        await pair.caughtUp();
        f.writeDatamap(datamap(f, engine.kind, 'discover'));
        await pair.pauseReplay();
        await engine.exec(pair.primaryUrl, 'create table wal_waiting (x int)'); // WAL the paused standby has not applied
        await sleep(1500);

        const run = f.dsar('--json', 'sweep', '--as-of', AS_OF, '--batch-size', '1000', '--lag-check-every', '1');
        await sleep(2500);
        const whilePaused = await engine.count(pair.primaryUrl);
        await pair.resumeReplay();
        const r = await run;

        expect(whilePaused).toBe(ROWS);
        expect(r.code).toBe(0);
        const result = JSON.parse(r.stdout);
        expect(result.tables[0]).toMatchObject({ deleted: EXPIRED });
        expect(result.lagPauses[0].why[0]).toMatch(/^app replica walreceiver at 127\.0\.0\.1: \d+(\.\d)?s behind$/);
        expect(result.brakes.replicas).toEqual([{ system: 'app', replicas: 'discovered from the primary (pg_stat_replication)', maxLag: '1s' }]);
      }, 60_000);
    }
  });
}

describe('an unreachable replica', () => {
  let db: TestDatabase;
  let f: SweepFixture;
  beforeAll(async () => {
    db = await createPostgresDatabase('lag_down');
    await execPostgres(db.url, FIXTURE.postgres);
    f = sweepFixture('lag-down');
    process.env[f.env.url] = db.url;
    process.env[`${f.env.url}_REPLICA`] = 'postgres://postgres@127.0.0.1:1/postgres';
  });
  afterAll(async () => {
    await db?.drop();
    f?.dispose();
  });

  test('pauses the sweep rather than skip the check: nothing is swept, and --max-runtime ends the wait with exit 0 and the rows left', async () => {
    f.writeDatamap(datamap(f, 'postgres', `[env:${f.env.url}_REPLICA]`));

    const r = await f.dsar('--json', 'sweep', '--as-of', AS_OF, '--max-runtime', '2500ms');

    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.stopped).toEqual({ reason: 'max-runtime', rowsLeft: EXPIRED, tablesLeft: ['app.events'] });
    expect(result.tables[0]).toMatchObject({ table: 'app.events', deleted: 0, stopped: 'max-runtime', rowsLeft: EXPIRED });
    expect(result.lagPauses).toHaveLength(1);
    expect(result.lagPauses[0].why[0]).toMatch(new RegExp(`^app replica 1 \\(env:${f.env.url}_REPLICA\\): cannot connect to 127\\.0\\.0\\.1:1/postgres: connect ECONNREFUSED`));
    expect(Number((await queryPostgres<{ n: string }>(db.url, 'select count(*) as n from events'))[0].n)).toBe(ROWS);
  }, 30_000);

  test('the text output says why it waited and what is left', async () => {
    f.writeDatamap(datamap(f, 'postgres', `[env:${f.env.url}_REPLICA]`));

    const r = await f.dsar('sweep', '--as-of', AS_OF, '--max-runtime', '1500ms');

    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('brakes: max runtime 1.5s, stops by ' + lines.find((l) => l.startsWith('brakes: '))!.split('stops by ')[1]);
    expect(lines).toContain(`replicas of app: 1 listed: env:${f.env.url}_REPLICA; pauses while one is over 1s behind or cannot say (read every 10 batches)`);
    expect(lines.some((l) => l.startsWith("paused 1.") && l.includes("for app's replicas: app replica 1"))).toBe(true);
    expect(lines).toContain(`app.events: not reached: ${EXPIRED.toLocaleString('en-US')} expired row(s) left for the next run`);
    expect(lines).toContain(`stopped at --max-runtime, ${EXPIRED.toLocaleString('en-US')} row(s) left (app.events); the next run resumes from the checkpoints`);
  }, 30_000);
});
