// Crash safety of `dsar erase`: kill -9 at random points (fast-check, fixed seed), run the same command again until
// it finishes, and the end state is row for row that of an uninterrupted run on a fresh copy, in PostgreSQL,
// MariaDB, SQLite and CSV alike; after every kill the CSV is whole; the ledger holds one request for the ticket.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { checkCsvState, tempFilesIn } from './support/csv-integrity.ts';
import { runDsar, type DsarRun } from './support/dsar-process.ts';
import { ADA, MEMBERS_CSV, createEraseWorld, uninterruptedRun, membersFile, type EraseWorld, type Snapshot } from './support/erase-world.ts';
import { doneSteps } from './support/state-probe.ts';

const TICKET = 'CRASH-1';
const RUN_KEY = `erase:${TICKET}`;
const ERASE = ['--json', 'erase', ADA, '--ticket', TICKET];
/** 2 rows a step and a pause after each: some 25 steps over every system, each a place to be killed in. */
const SLOW = ['--step-rows', '2', '--pause-ms', '40'];

let world: EraseWorld;
let reference: Snapshot;
let referenceDir: string;
let referenceCounts: Record<string, number>;
let finalCsv: string;
let totalSteps: number;
let planEntries: number;

beforeAll(async () => {
  world = await createEraseWorld('crash');
  const { dir, run, snapshot } = await uninterruptedRun(world, ['--datamap', 'datamap.yaml', ...ERASE]);
  referenceDir = dir;
  const doc = JSON.parse(run.stdout);
  planEntries = doc.plan.steps.length;
  totalSteps = doc.plan.steps.reduce((n: number, s: { rows: number }) => n + Math.ceil(s.rows / 2), 0);
  reference = snapshot;
  finalCsv = readFileSync(membersFile(dir), 'utf8');
  referenceCounts = await completedCounts(dir);
});

/** The row counts of the ticket's `completed` ledger entries. */
async function completedCounts(dir: string): Promise<Record<string, number>> {
  const store = await openStateStore({ dir });
  try {
    const completed = (await store.ledger.forTicket(TICKET)).filter((e) => e.event === 'completed');
    expect(completed).toHaveLength(1);
    return completed[0].rowCounts;
  } finally {
    await store.close();
  }
}

async function events(dir: string): Promise<string[]> {
  const store = await openStateStore({ dir });
  try {
    return (await store.ledger.forTicket(TICKET)).map((e) => `${e.event} ${e.outcome}`);
  } finally {
    await store.close();
  }
}

afterAll(async () => {
  await world?.dispose();
});

// First: it runs on the reference run's own copy, before another test resets the SQL databases.
test('an erase run again after it finished only verifies again: one completion in the ledger', async () => {
  const again = await runDsar(['--datamap', 'datamap.yaml', ...ERASE], { cwd: referenceDir, env: world.env() });
  const doc = JSON.parse(again.stdout);

  expect(again.code, again.stderr).toBe(0);
  expect([doc.resumed, doc.done, doc.verification.residue]).toEqual([false, [], []]);
  expect(await events(referenceDir)).toEqual(['started in-progress', 'completed ok', 'verified ok', 'verified ok']);
  expect(await world.snapshot(referenceDir)).toEqual(reference);
}, 60_000);

test('an erase killed after its last step, before it recorded completion, records it on the next run with every row counted', async () => {
  const dir = await world.freshCopy();
  const args = ['--datamap', 'datamap.yaml', ...ERASE];
  // One step per plan entry, and a long pause after each: the kill lands in the pause after the last step.
  const killed = await runDsar([...args, '--pause-ms', '700'], {
    cwd: dir,
    env: world.env(),
    killWhen: () => doneSteps(dir, RUN_KEY) >= 1 + planEntries,
  });
  const again = await runDsar(args, { cwd: dir, env: world.env() });

  expect(killed.signal).toBe('SIGKILL');
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).resumed).toBe(true);
  expect(await events(dir)).toEqual(['started in-progress', 'resumed in-progress', 'completed ok', 'verified ok']);
  expect(await completedCounts(dir)).toEqual(referenceCounts);
  expect(await world.snapshot(dir)).toEqual(reference);
}, 60_000);

test('an erase killed while it rewrites the CSV leaves the old file whole; the next run clears the temp file and finishes', async () => {
  const dir = await world.freshCopy();
  const mailchimp = path.join(dir, 'mailchimp');
  const args = ['--datamap', 'datamap.yaml', ...ERASE];
  const killed = await runDsar([...args, ...SLOW], { cwd: dir, env: world.env(), pollMs: 2, killWhen: () => tempFilesIn(mailchimp).length > 0 });
  const leftBehind = tempFilesIn(mailchimp);
  const csvWhenKilled = readFileSync(membersFile(dir), 'utf8');
  const again = await runDsar(args, { cwd: dir, env: world.env() });

  expect(killed.signal).toBe('SIGKILL');
  expect(leftBehind).toHaveLength(1); // killed inside the rewrite, before its rename
  expect(csvWhenKilled).toBe(MEMBERS_CSV); // the first rewrite never landed: the file is the old one, byte for byte
  expect(again.code, again.stderr).toBe(0);
  expect(tempFilesIn(mailchimp)).toEqual([]);
  expect(await world.snapshot(dir)).toEqual(reference);
}, 60_000);

/**
 * Where a run is killed: a delay after the process starts (startup, traversal, planning), a delay after its k-th new
 * checkpoint (inside or between steps, a step's commit and its checkpoint included), or a delay after its last step
 * (recording completion, verifying).
 */
type KillPoint = { after: 'start'; ms: number } | { after: 'checkpoint'; k: number; ms: number } | { after: 'last step'; ms: number };

function killPoint(): fc.Arbitrary<KillPoint> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.record({ after: fc.constant('start' as const), ms: fc.integer({ min: 0, max: 5000 }) }) },
    { weight: 4, arbitrary: fc.record({ after: fc.constant('checkpoint' as const), k: fc.integer({ min: 1, max: totalSteps }), ms: fc.integer({ min: 0, max: 60 }) }) },
    { weight: 1, arbitrary: fc.record({ after: fc.constant('last step' as const), ms: fc.integer({ min: 0, max: 400 }) }) },
  );
}

function killTrigger(dir: string, p: KillPoint): { start(): void; when(): boolean } {
  let target = 0;
  let since: number | undefined;
  return {
    start() {
      if (p.after === 'start') since = Date.now();
      else if (p.after === 'checkpoint') target = Math.max(0, doneSteps(dir, RUN_KEY)) + p.k;
      else target = 1 + totalSteps; // the plan and every step of it
    },
    when() {
      if (since === undefined && doneSteps(dir, RUN_KEY) >= target) since = Date.now();
      return since !== undefined && Date.now() - since >= p.ms;
    },
  };
}

const stats = { runs: 0, spawns: 0, spawnMs: 0, kills: 0, killedBeforePlan: 0, killedMidway: 0, killedAfterSteps: 0, csvBetweenRewrites: 0, csvInsideRewrite: 0 };

test('an erase killed at random points and run again ends exactly like an uninterrupted run, in every system', async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.array(killPoint(), { minLength: 1, maxLength: 2 }), async (kills) => {
      stats.runs++;
      const dir = await world.freshCopy();
      const args = ['--datamap', 'datamap.yaml', ...ERASE];
      let last: DsarRun | undefined;
      for (const p of kills) {
        const trigger = killTrigger(dir, p);
        last = await runDsar([...args, ...SLOW], { cwd: dir, env: world.env(), onSpawn: trigger.start, killWhen: trigger.when });
        stats.spawns++;
        stats.spawnMs += last.ms;
        if (last.signal !== 'SIGKILL') break; // it finished before the kill point
        stats.kills++;
        const done = doneSteps(dir, RUN_KEY);
        if (done <= 0) stats.killedBeforePlan++;
        else if (done <= totalSteps) stats.killedMidway++;
        else stats.killedAfterSteps++;
        // After every kill the CSV is the old file or a new one: every record whole, old or final.
        const csv = checkCsvState(readFileSync(membersFile(dir), 'utf8'), MEMBERS_CSV, finalCsv, 'member_id');
        expect(csv.problems).toEqual([]);
        if (csv.finished > 0 && csv.finished < 6) stats.csvBetweenRewrites++;
        if (tempFilesIn(path.join(dir, 'mailchimp')).length) stats.csvInsideRewrite++;
      }
      if (last?.signal === 'SIGKILL') {
        last = await runDsar([...args, '--step-rows', '2'], { cwd: dir, env: world.env() });
        stats.spawns++;
        stats.spawnMs += last.ms;
      }
      expect(last?.code, last?.stderr).toBe(0);
      expect(await world.snapshot(dir)).toEqual(reference);
      expect(tempFilesIn(path.join(dir, 'mailchimp'))).toEqual([]);

      const store = await openStateStore({ dir });
      try {
        const requests = (await store.ledger.listRequests()).filter((r) => r.ticket === TICKET);
        const events = (await store.ledger.forTicket(TICKET)).map((e) => `${e.event} ${e.outcome}`);
        expect(requests.map((r) => [r.kind, r.status, r.open])).toEqual([['erase', 'ok', false]]);
        // One erasure, completed and verified once, however many times it was started.
        expect(events.filter((e) => e.startsWith('completed'))).toEqual(['completed ok']);
        // A kill after the verification but before the exit makes the next run verify again, nothing more.
        const after = events.slice(events.indexOf('completed ok') + 1);
        expect(after.length).toBeGreaterThan(0);
        expect(after.filter((e) => e !== 'verified ok')).toEqual([]);
        expect((await store.ledger.verify()).ok).toBe(true);
      } finally {
        await store.close();
      }
    }),
    { seed: 20_240_611, numRuns: Number(process.env.DSAR_CRASH_RUNS ?? 3), endOnFailure: true },
  );
  console.info(`crash-erase: ${JSON.stringify(stats)} in ${Math.round((Date.now() - started) / 1000)} s`);
  // The property exercised kills in the middle of the work, the CSV's included, not only before or after it.
  expect(stats.killedMidway).toBeGreaterThanOrEqual(2);
}, 240_000);
