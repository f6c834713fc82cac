// `dsar schedule` with a PostgreSQL state store: ticks come from pg-boss's cron, judged by the database's clock.
// Two replica processes, one whose clock is 45 s ahead, follow a job due every minute (pg-boss's resolution).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkMinuteCrons, jobQueue } from '../../jobs/pg-boss-ticks.ts';
import { DataMapError } from '../../src/errors.ts';
import { openStateStore, type StateStore } from '../../src/state/store.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/databases.ts';
import { batchJob, steps, waitFor } from './job-fixtures.ts';

const REPLICA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'replica.ts');

let database: TestDatabase;
let store: StateStore;
let dir: string;
const processes: ChildProcess[] = [];

beforeAll(async () => {
  database = await createPostgresDatabase('boss_ticks');
  store = await openStateStore({ url: database.url });
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-boss-ticks-'));
});
afterAll(async () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) process.kill(-p.pid!, 'SIGKILL');
  await store?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function startReplica(owner: string, job: ReturnType<typeof batchJob>, skewMs = 0): { ready: Promise<void>; events: Array<Record<string, unknown>> } {
  const config = { url: database.url, jobs: [job], leaseMs: 30_000, heartbeatMs: 1000, owner, skewMs, ticks: 'pg-boss' };
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA, JSON.stringify(config)], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  processes.push(child);
  const events: Array<Record<string, unknown>> = [];
  let buffered = '';
  const ready = new Promise<void>((resolve, reject) => {
    // A replica that dies before it is ready fails the test at once (its error is on stderr), not at the timeout.
    child.once('exit', (code, signal) => reject(new Error(`${owner} exited before it was ready (${signal ?? code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const event = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        events.push(event);
        if (event.type === 'ready') resolve();
      }
    });
  });
  return { ready, events };
}

test('two replicas, one 45 s ahead: each tick runs once, on one replica, at the minute by the database clock', async () => {
  const job = batchJob('minutely', '* * * * *', dir);
  const a = startReplica('replica-a', job);
  const b = startReplica('replica-b', job, 45_000);
  await Promise.all([a.ready, b.ready]);

  const run = await waitFor('a tick to run and finish', async () => (await store.jobRuns.history('minutely', 10)).find((r) => r.status === 'ok'), 100_000);
  await new Promise((r) => setTimeout(r, 3000)); // time for a second delivery of the same tick, were there one

  expect(Date.parse(run.tick) % 60_000).toBe(0); // a whole minute
  // Not early (a clock 45 s ahead firing by itself would start 45 s before the minute), and not more than a minute late.
  const startedAt = Date.parse(run.startedAt);
  expect(startedAt).toBeGreaterThanOrEqual(Date.parse(run.tick));
  expect(startedAt - Date.parse(run.tick)).toBeLessThan(65_000); // a replica started within a minute of a tick still fires it
  const starts = [...a.events, ...b.events].filter((e) => e.type === 'started' && e.tick === run.tick);
  expect(starts).toHaveLength(1);
  expect(steps(dir).filter((s) => s.step === 'start' && s.tick === run.tick)).toHaveLength(1);
  expect(['replica-a', 'replica-b']).toContain(run.owner);
}, 120_000);

test('a cron with a seconds field is refused with its location: pg-boss fires at most once a minute', () => {
  const job = { ...batchJob('fast', '*/5 * * * * *', dir), loc: { file: 'datamap.yaml', line: 12, column: 9, path: 'jobs.fast' } };
  expect(() => checkMinuteCrons([job])).toThrow(DataMapError);
  expect(() => checkMinuteCrons([job])).toThrow(/^datamap\.yaml:12:9: jobs\.fast\.cron: '\*\/5 \* \* \* \* \*' has a seconds field/);
});

test('job names become pg-boss queue names, distinct for distinct names', () => {
  expect(jobQueue('nightly-sweep')).toBe('dsar-job-nightly-sweep');
  expect(jobQueue('a.b')).not.toBe(jobQueue('a_b'));
  expect(jobQueue('a.b')).toMatch(/^[\w-]+$/);
});
