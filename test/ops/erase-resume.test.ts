// A `dsar erase` killed with SIGKILL in the middle, then started again with the same ticket, ends in the same state
// as a run that was never interrupted: nothing lost, nothing done twice (the customers trigger counts updates).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { MARY, brokenReferences, createShop, findAnywhere, type Shop } from '../fixtures/erase/shop.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dsar.js');
/** Mary gets 30 more orders: with 2 rows per step the run has some 25 steps, each followed by a pause. */
const EXTRA_ORDERS = 30;

let killed: Shop;
let reference: Shop;

beforeAll(async () => {
  [killed, reference] = await Promise.all([createShop('ekill', { extraMaryOrders: EXTRA_ORDERS }), createShop('eref', { extraMaryOrders: EXTRA_ORDERS })]);
});

afterAll(async () => {
  await Promise.all([killed?.dispose(), reference?.dispose()]);
});

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(shop: Shop, args: string[], env: NodeJS.ProcessEnv = {}, killWhen?: () => boolean): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--datamap', shop.datamap, ...args], { env: { ...shop.processEnv(), ...env }, cwd: shop.dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killWhen &&
      setInterval(() => {
        if (killWhen()) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 25);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Erasure steps the state store has marked done for the ticket (the plan itself not counted). */
function stepsDone(shop: Shop, ticket: string): number {
  try {
    const db = new Database(path.join(shop.dir, '.dsar', 'state.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare(`SELECT count(*) AS n FROM dsar_run_steps WHERE run_key = ? AND step_id NOT LIKE 'plan:%'`).get(`erase:${ticket}`) as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

test('an erase killed after its first checkpoint and run again ends exactly like an uninterrupted one', async () => {
  const first = await runCli(killed, ['erase', MARY, '--ticket', 'K-1', '--step-rows', '2', '--pause-ms', '150'], {}, () => stepsDone(killed, 'K-1') >= 1);
  const doneWhenKilled = stepsDone(killed, 'K-1');
  const second = await runCli(killed, ['erase', MARY, '--ticket', 'K-1', '--step-rows', '2']);
  const uninterrupted = await runCli(reference, ['erase', MARY, '--ticket', 'K-1']);

  expect(first.signal).toBe('SIGKILL');
  expect(doneWhenKilled).toBeGreaterThanOrEqual(1);
  expect(doneWhenKilled).toBeLessThan(20);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('erase K-1 (resumed)');
  expect(uninterrupted.code).toBe(0);
  expect(await killed.snapshot()).toEqual(await reference.snapshot());
  // The trigger counts updates: Mary's row was updated once, not once per run.
  expect((await killed.snapshot())['app.customers'].find((c) => c.id === 1)!.revision).toBe(1);
  expect(await findAnywhere(killed, [MARY, 'Mary Smith', '1 Shared Street', '2 Mary Lane', 'ch_mary_500'])).toEqual([]);
  expect(await brokenReferences(killed)).toEqual([]);
  // The logs of both runs carry the subject's keyed hash, never her email.
  expect((first.stderr + second.stderr).toLowerCase()).not.toContain(MARY);
}, 180_000);

test('the ledger shows the interrupted start, the resumption, completion and verification', async () => {
  const store = await openStateStore({ dir: killed.dir });
  const entries = await store.ledger.forTicket('K-1');
  await store.close();

  expect(entries.map((e) => `${e.event} ${e.outcome}`)).toEqual(['started in-progress', 'resumed in-progress', 'completed ok', 'verified ok']);
  expect(entries[2].rowCounts['app.orders:delete']).toBe(2 + EXTRA_ORDERS);
});

test('steps whose work committed but whose checkpoints were lost are redone without changing anything', async () => {
  const finished = await reference.snapshot();
  // What a kill between a step's commit and its checkpoint leaves behind, for every step at once.
  const db = new Database(path.join(reference.dir, '.dsar', 'state.db'));
  db.prepare(`DELETE FROM dsar_run_steps WHERE run_key = 'erase:K-1' AND step_id NOT LIKE 'plan:%'`).run();
  db.close();

  const again = await runCli(reference, ['--json', 'erase', MARY, '--ticket', 'K-1']);
  const doc = JSON.parse(again.stdout);

  expect(again.code).toBe(0);
  expect(doc.resumed).toBe(true);
  expect(doc.done.map((d: { changed: number }) => d.changed)).toEqual(doc.done.map(() => 0));
  expect(doc.verification.residue).toEqual([]);
  // No hash of a hash, no second fake, no second trigger run.
  expect(await reference.snapshot()).toEqual(finished);
}, 120_000);

test('--step-rows above 1,000 or --pause-ms below 0 is bad input: exit 2, naming the flag', async () => {
  const rows = await runCli(reference, ['erase', MARY, '--ticket', 'K-9', '--step-rows', '5000']);
  const pause = await runCli(reference, ['erase', MARY, '--ticket', 'K-9', '--pause-ms', '-5']);

  expect([rows.code, rows.stderr]).toEqual([2, "dsar: --step-rows must be a whole number from 1 to 1000, got '5000'\n"]);
  expect([pause.code, pause.stderr]).toEqual([2, "dsar: --pause-ms must be a whole number of milliseconds, got '-5'\n"]);
});
