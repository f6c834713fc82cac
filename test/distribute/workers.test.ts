// Distributed sweeps: `dsar sweep --distribute` on a PostgreSQL state store, three `dsar worker` processes on one
// machine, one of them killed with SIGKILL in the middle of a key range. The other workers finish its range from
// its checkpoint; the database ends exactly as after one uninterrupted single-process sweep (nothing lost, nothing
// masked twice), parents after their children.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPostgresDatabase, execPostgres, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { BIN, runDsar } from '../hardening/support/dsar-process.ts';

const AS_OF = '2026-06-15';
const FIXTURE = `create table users (id integer primary key, email text not null, last_seen timestamptz not null);
  create table sessions (id integer primary key, user_id integer not null references users (id), created_at timestamptz not null);
  create table events (id integer primary key, user_id integer, ip text, created_at timestamptz not null);
  insert into users select g, 'user' || g || '@example.org', case when g % 2 = 0 then timestamptz '2020-01-01' else timestamptz '2026-06-01' end from generate_series(1, 300) g;
  insert into sessions select g, 1 + g % 300, case when g % 3 <> 0 then timestamptz '2020-01-01' else timestamptz '2026-06-01' end from generate_series(1, 600) g;
  insert into events select g, 1 + g % 300, '10.0.' || (g % 250) || '.' || (g % 200), case when g % 4 <> 0 then timestamptz '2020-01-01' else timestamptz '2026-06-01' end from generate_series(1, 20000) g;
  analyze`;

/** Users, their sessions and their events, each kept a year after last use. */
const MAP = readFileSync(new URL('../fixtures/datamaps/distributed-sweep.yaml', import.meta.url), 'utf8');

let state: TestDatabase;
let reference: TestDatabase;
let distributed: TestDatabase;
let dir: string;
const workers: ChildProcess[] = [];
const apps: TestDatabase[] = [];

/** Another copy of the application database, for one test. */
async function freshApp(): Promise<string> {
  const app = await createPostgresDatabase('dist_app');
  apps.push(app);
  await execPostgres(app.url, FIXTURE);
  return app.url;
}

const SWEEP = ['--datamap', 'datamap.yaml', '--json', 'sweep', '--distribute', '--as-of', AS_OF, '--batch-size', '500'];

/** `dsar sweep --distribute --wait` as a process: its exit code and JSON document once it ends. */
function startWaiting(appUrl: string): Promise<{ code: number | null; result: Record<string, any> }> {
  const child = spawn(process.execPath, [BIN, ...SWEEP, '--wait'], { cwd: dir, env: env(appUrl), stdio: ['ignore', 'pipe', 'inherit'] });
  workers.push(child);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, result: stdout ? JSON.parse(stdout) : {} })));
}

/** The open run's shares, once it is recorded. */
async function sharesQueued(): Promise<ShareRow[]> {
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    // The state store is created by the first dsar command to open it.
    const open = await queryPostgres<ShareRow>(state.url, `select share_id, status, owner, attempts from dsar_sweep_shares where status in ('waiting', 'queued', 'running')`).catch(() => []);
    if (open.length) return open;
  }
  return [];
}

const dump = async (url: string) => ({
  users: await queryPostgres(url, 'select id, email from users order by id'),
  sessions: await queryPostgres(url, 'select id, user_id from sessions order by id'),
  events: await queryPostgres(url, 'select id, ip from events order by id'),
});

beforeAll(async () => {
  [state, reference, distributed] = await Promise.all([createPostgresDatabase('dist_state'), createPostgresDatabase('dist_ref'), createPostgresDatabase('dist_app')]);
  await Promise.all([execPostgres(reference.url, FIXTURE), execPostgres(distributed.url, FIXTURE)]);
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-distribute-'));
  writeFileSync(path.join(dir, 'datamap.yaml'), MAP + 'state: { url: env:DIST_STATE_URL }\n');
  writeFileSync(path.join(dir, 'local.yaml'), MAP);
}, 60_000);
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await Promise.all([state, reference, distributed, ...apps].map((d) => d?.drop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = (appUrl: string) => ({ ...process.env, DIST_HMAC: 'distribute-test-hmac-key', DIST_APP_URL: appUrl, DIST_STATE_URL: state.url });

function startWorker(appUrl = distributed.url): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, '--datamap', 'datamap.yaml', '--json', 'worker', '--exit-when-idle'], { cwd: dir, env: env(appUrl), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  workers.push(child);
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), stderr: () => stderr };
}

interface ShareRow {
  share_id: string;
  status: string;
  owner: string | null;
  attempts: number;
}

test('three workers, one killed with SIGKILL mid-range: every share done once, the database as after one uninterrupted sweep', async () => {
  const single = await runDsar(['--datamap', 'local.yaml', '--json', 'sweep', '--as-of', AS_OF, '--batch-size', '200'], { cwd: dir, env: env(reference.url) });
  expect(single.code).toBe(0);

  const queued = await runDsar(['--datamap', 'datamap.yaml', '--json', 'sweep', '--distribute', '--as-of', AS_OF, '--batch-size', '200', '--range-rows', '4000', '--lease', '4s', '--pause-ms', '100'], {
    cwd: dir,
    env: env(distributed.url),
  });
  expect(queued.code).toBe(0);
  const plan = JSON.parse(queued.stdout);
  const byShare = (a: { share: string }, b: { share: string }) => a.share.localeCompare(b.share);
  expect([...plan.shares].sort(byShare)).toEqual([
    { share: 'app.sessions', table: 'app.sessions', waitsFor: [] },
    { share: 'app.events#1', table: 'app.events', waitsFor: [] },
    { share: 'app.events#2', table: 'app.events', waitsFor: [] },
    { share: 'app.events#3', table: 'app.events', waitsFor: [] },
    { share: 'app.events#4', table: 'app.events', waitsFor: [] },
    { share: 'app.events#5', table: 'app.events', waitsFor: [] },
    { share: 'app.events#6', table: 'app.events', waitsFor: [] },
    { share: 'app.users', table: 'app.users', waitsFor: ['app.events', 'app.sessions'] },
  ].sort(byShare));
  expect(plan.queued).toBe(7);

  const three = [startWorker(), startWorker(), startWorker()];
  // The victim: a worker in the middle of a key range of events.
  let victim: ShareRow | undefined;
  const deadline = Date.now() + 30_000;
  while (!victim && Date.now() < deadline) {
    const rows = await queryPostgres<ShareRow>(state.url, `select share_id, status, owner, attempts from dsar_sweep_shares where status = 'running' and share_id like 'app.events#%'`);
    victim = rows[0];
    if (!victim) await new Promise((r) => setTimeout(r, 20));
  }
  expect(victim).toBeDefined();
  await new Promise((r) => setTimeout(r, 600)); // some of its batches land
  const pid = Number(victim!.owner!.split(':').at(-1));
  const killed = three.find((w) => w.child.pid === pid)!;
  killed.child.kill('SIGKILL');
  const others = three.filter((w) => w !== killed);
  const codes = await Promise.all(others.map((w) => w.exited));

  expect(codes).toEqual([0, 0]);
  expect(await dump(distributed.url)).toEqual(await dump(reference.url));
  const shares = await queryPostgres<ShareRow>(state.url, `select share_id, status, owner, attempts from dsar_sweep_shares order by share_id`);
  expect(shares.map((s) => s.status)).toEqual(Array(8).fill('done'));
  const taken = shares.find((s) => s.share_id === victim!.share_id)!;
  expect(taken.attempts).toBeGreaterThanOrEqual(2);
  expect(taken.owner).not.toBe(victim!.owner);

  const status = await runDsar(['--datamap', 'datamap.yaml', '--json', 'jobs', 'status'], { cwd: dir, env: env(distributed.url) });
  const s = JSON.parse(status.stdout);
  expect(s).toMatchObject({ runId: plan.runId, done: 8, left: 0, failed: 0 });
  expect(s.shares.find((x: { share: string }) => x.share === victim!.share_id)).toMatchObject({ status: 'done', rowsLeft: 0 });
}, 120_000);

test('without a PostgreSQL state store, --distribute and worker are refused with exit 2', async () => {
  const sweep = await runDsar(['--datamap', 'local.yaml', 'sweep', '--distribute'], { cwd: dir, env: env(distributed.url) });
  const worker = await runDsar(['--datamap', 'local.yaml', 'worker'], { cwd: dir, env: env(distributed.url) });

  expect([sweep.code, worker.code]).toEqual([2, 2]);
  expect(sweep.stderr).toBe('dsar: sweep --distribute needs a PostgreSQL state store that every worker reaches: set state.url (the data map has none)\n');
  expect(worker.stderr).toBe('dsar: dsar worker needs a PostgreSQL state store that every worker reaches: set state.url (the data map has none)\n');
});

test('sweep --distribute --wait ends when the workers are done (exit 0); run again meanwhile, it joins the open run and queues its shares again; an overlapping run is refused', async () => {
  const app = await freshApp();
  expect((await runDsar(['--datamap', 'local.yaml', 'sweep', '--as-of', AS_OF], { cwd: dir, env: env(reference.url) })).code).toBe(0); // the reference (again: idempotent)
  const waiting = startWaiting(app);
  expect((await sharesQueued()).length).toBe(3); // users, sessions, events: no worker yet

  // As if the command had died between recording the run and queueing its shares: none reached the queue.
  await execPostgres(state.url, "delete from dsar_queue.job where name = 'dsar-sweep-share'");
  const again = await runDsar(SWEEP, { cwd: dir, env: env(app) });
  const overlapping = await runDsar([...SWEEP, '--table', 'app.events'], { cwd: dir, env: env(app) });
  const [w1, w2] = [startWorker(app), startWorker(app)];
  const waited = await waiting;

  expect(again.code).toBe(0);
  const joined = JSON.parse(again.stdout);
  expect([joined.joined, joined.queued, joined.runId]).toEqual([true, 2, waited.result.runId]); // sessions and events queued again; users waits for them
  expect(overlapping.code).toBe(2);
  expect(overlapping.stderr).toBe(`dsar: distributed sweep ${joined.runId} still sweeps app.events: two runs never sweep one table at once; wait for it (dsar jobs status ${joined.runId}) or distribute other tables\n`);
  expect(waited.code).toBe(0);
  expect(waited.result.status).toMatchObject({ runId: joined.runId, done: 3, left: 0, failed: 0, finished: true });
  expect(await Promise.all([w1.exited, w2.exited])).toEqual([0, 0]);
  expect(await dump(app)).toEqual(await dump(reference.url));
}, 120_000);

test('a share that fails for the last time fails the tables waiting for it: users are not deleted, and --wait exits 1 naming why', async () => {
  const app = await freshApp();
  const waiting = startWaiting(app);
  await sharesQueued();
  // The events table is gone when the workers come: its share fails on every attempt.
  await execPostgres(app, 'alter table events rename to events_gone');
  const worker = startWorker(app);
  const waited = await waiting;
  await worker.exited;

  expect(waited.code).toBe(1);
  const shares = Object.fromEntries(waited.result.status.shares.map((s: { share: string; status: string; error: string | null; attempts: number }) => [s.share, s]));
  expect(shares['app.sessions']).toMatchObject({ status: 'done', error: null });
  expect(shares['app.events']).toMatchObject({ status: 'failed', attempts: 6 });
  expect(shares['app.users']).toMatchObject({ status: 'failed', attempts: 0, error: 'not swept: it waits for app.events, which failed' });
  expect(await queryPostgres(app, 'select count(*)::int as n from users')).toEqual([{ n: 300 }]);
}, 120_000);
