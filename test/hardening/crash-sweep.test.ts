// Crash safety of `dsar sweep`: kill -9 at random points (fast-check, fixed seed), run the same sweep again until it
// finishes, and the end state is row for row that of an uninterrupted sweep on a fresh copy, in PostgreSQL, MariaDB,
// SQLite and CSV alike (a trigger counts updates: nothing is masked twice); after every kill the CSV is whole.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { checkCsvState, tempFilesIn } from './support/csv-integrity.ts';
import { runDsar, type DsarRun } from './support/dsar-process.ts';
import { checkpointText } from './support/state-probe.ts';
import { AS_OF, MEMBERS_CSV, createSweepWorld, uninterruptedRun, membersFile, type Snapshot, type SweepWorld } from './support/sweep-world.ts';

const SWEEP = ['--datamap', 'datamap.yaml', '--json', 'sweep', '--as-of', AS_OF, '--batch-size', '100'];
/** Some 50 checkpointed batches with a pause after each: places to be killed in. */

let world: SweepWorld;
let reference: Snapshot;
let finalCsv: string;

beforeAll(async () => {
  world = await createSweepWorld('csweep');
  const { dir, snapshot } = await uninterruptedRun(world, SWEEP);
  reference = snapshot;
  finalCsv = readFileSync(membersFile(dir), 'utf8');
});

afterAll(async () => {
  await world?.dispose();
});

/** The sweep entries of the ledger (sweeps carry no ticket: read from the chain itself), and whether the chain holds. */
async function sweepLedger(dir: string): Promise<{ outcomes: string[]; ok: boolean }> {
  const db = new Database(path.join(dir, '.dsar', 'state.db'), { readonly: true });
  const rows = db.prepare(`SELECT event, outcome FROM dsar_ledger WHERE kind = 'sweep' ORDER BY id`).all() as Array<{ event: string; outcome: string }>;
  db.close();
  const store = await openStateStore({ dir });
  try {
    return { outcomes: rows.map((r) => `${r.event} ${r.outcome}`), ok: (await store.ledger.verify()).ok };
  } finally {
    await store.close();
  }
}

test('a sweep killed while it rewrites the CSV leaves the old file whole; the next sweep clears the temp file and finishes', async () => {
  const dir = await world.freshCopy();
  const mailchimp = path.join(dir, 'mailchimp');
  const killed = await runDsar(SWEEP, { cwd: dir, env: world.env(), pollMs: 2, killWhen: () => tempFilesIn(mailchimp).length > 0 });
  const leftBehind = tempFilesIn(mailchimp);
  const csvWhenKilled = readFileSync(membersFile(dir), 'utf8');
  const again = await runDsar(SWEEP, { cwd: dir, env: world.env() });

  expect(killed.signal).toBe('SIGKILL');
  expect(leftBehind).toHaveLength(1); // killed inside the rewrite, before its rename
  expect(csvWhenKilled).toBe(MEMBERS_CSV);
  expect(again.code, again.stderr).toBe(0);
  expect(tempFilesIn(mailchimp)).toEqual([]);
  expect(await world.snapshot(dir)).toEqual(reference);
}, 60_000);

/** Where a run is killed: a delay after the process starts, or a delay after the k-th checkpoint it saves. */
type KillPoint = { after: 'start'; ms: number } | { after: 'checkpoint'; k: number; ms: number };

function killPoint(): fc.Arbitrary<KillPoint> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.record({ after: fc.constant('start' as const), ms: fc.integer({ min: 0, max: 6000 }) }) },
    { weight: 3, arbitrary: fc.record({ after: fc.constant('checkpoint' as const), k: fc.integer({ min: 1, max: 50 }), ms: fc.integer({ min: 0, max: 30 }) }) },
  );
}

/** Counts checkpoint saves by watching the checkpoint table change (every batch of an SQL table saves one). */
function killTrigger(dir: string, p: KillPoint): { start(): void; when(): boolean } {
  let last = '';
  let saves = 0;
  let since: number | undefined;
  return {
    start() {
      last = checkpointText(dir);
      if (p.after === 'start') since = Date.now();
    },
    when() {
      if (since === undefined && p.after === 'checkpoint') {
        const now = checkpointText(dir);
        if (now !== last && now !== '') saves++;
        last = now;
        if (saves >= p.k) since = Date.now();
      }
      return since !== undefined && Date.now() - since >= p.ms;
    },
  };
}

const stats = { runs: 0, spawns: 0, spawnMs: 0, kills: 0, killedWithCheckpoint: 0 };

test('a sweep killed at random points and run again ends exactly like an uninterrupted sweep, in every system', async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.array(killPoint(), { minLength: 1, maxLength: 2 }), async (kills) => {
      stats.runs++;
      const dir = await world.freshCopy();
      let last: DsarRun | undefined;
      for (const p of kills) {
        const trigger = killTrigger(dir, p);
        last = await runDsar([...SWEEP, '--pause-ms', '10'], { cwd: dir, env: world.env(), pollMs: 3, onSpawn: trigger.start, killWhen: trigger.when });
        stats.spawns++;
        stats.spawnMs += last.ms;
        if (last.signal !== 'SIGKILL') break; // it finished before the kill point
        stats.kills++;
        if (checkpointText(dir) !== '') stats.killedWithCheckpoint++;
        const csv = checkCsvState(readFileSync(membersFile(dir), 'utf8'), MEMBERS_CSV, finalCsv, 'member_id');
        expect(csv.problems).toEqual([]);
      }
      if (last?.signal === 'SIGKILL') {
        last = await runDsar(SWEEP, { cwd: dir, env: world.env() });
        stats.spawns++;
        stats.spawnMs += last.ms;
      }
      expect(last?.code, last?.stderr).toBe(0);
      expect(await world.snapshot(dir)).toEqual(reference);
      expect(tempFilesIn(path.join(dir, 'mailchimp'))).toEqual([]);
      const ledger = await sweepLedger(dir);
      expect(ledger.ok).toBe(true);
      expect(ledger.outcomes.length).toBeGreaterThan(0);
      expect(ledger.outcomes.filter((o) => o !== 'completed ok')).toEqual([]);
    }),
    { seed: 20_240_612, numRuns: Number(process.env.DSAR_CRASH_RUNS ?? 3), endOnFailure: true },
  );
  console.info(`crash-sweep: ${JSON.stringify(stats)} in ${Math.round((Date.now() - started) / 1000)} s`);
  expect(stats.killedWithCheckpoint).toBeGreaterThanOrEqual(2);
}, 240_000);
