// Lost connections during `dsar erase`: a TCP proxy between dsar and PostgreSQL / MariaDB cuts every connection in
// the middle of an erasure step. The run says which system and table failed, exits 1 (not 70, no stack trace), and
// the same command run again once the database is reachable finishes, ending exactly like an uninterrupted run.
// A system down from the start: nothing is erased anywhere (all or nothing), exit 1, the system named.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { expectCleanFailure, runDsar, type DsarRun } from './support/dsar-process.ts';
import { ADA, createEraseWorld, uninterruptedRun, type EraseWorld, type Snapshot } from './support/erase-world.ts';
import { PROXIED_SYSTEMS, runWithCut, startProxies, type Proxies } from './support/proxied-world.ts';
import { doneSteps } from './support/state-probe.ts';
import { startTcpProxy, targetOf, type TcpProxy } from './tcp-proxy.ts';

const TICKET = 'LOST-1';
const RUN_KEY = `erase:${TICKET}`;
const ERASE = ['--datamap', 'datamap.yaml', '--json', 'erase', ADA, '--ticket', TICKET];
const SLOW = ['--step-rows', '2', '--pause-ms', '40'];

let world: EraseWorld;
let reference: Snapshot;
let proxies: Proxies;

async function ledger(dir: string): Promise<{ events: string[]; ok: boolean }> {
  const store = await openStateStore({ dir });
  try {
    const events = (await store.ledger.forTicket(TICKET)).map((e) => `${e.event} ${e.outcome}`);
    return { events, ok: (await store.ledger.verify()).ok };
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  world = await createEraseWorld('perase');
  proxies = await startProxies(world);
  reference = (await uninterruptedRun(world, ERASE)).snapshot;
});

afterAll(async () => {
  await proxies?.close();
  await world?.dispose();
});

/**
 * Runs the erasure through the proxies; once `armAfter` steps of `table` are checkpointed, the proxy cuts every
 * connection after the next `packets` packets the tool sends (the middle of the next step's statements).
 */
async function eraseWithCut(dir: string, proxy: TcpProxy, table: string, packets: number, refuseAfterCut: boolean): Promise<DsarRun> {
  const run = await runWithCut([...ERASE, ...SLOW], {
    cwd: dir,
    env: proxies.env(),
    proxy,
    armWhen: () => doneSteps(dir, RUN_KEY, `%:${table}:%`) >= 1,
    packets,
    down: refuseAfterCut,
  });
  expect(proxy.dropped).toBeGreaterThan(0);
  return run;
}

test.each([
  // The cut after COMMIT was sent: the server may have committed what the tool saw fail; the next run redoes it harmlessly.
  ['PostgreSQL', "a step's COMMIT, then down for the rest of the run", 'app.orders', 3, true],
  ['MariaDB', "a step's BEGIN, back at once", 'billing.payments', 1, false],
  ['MariaDB', "a step's UPDATE, back at once", 'billing.payments', 3, false],
] as const)('%s lost at %s: exit 1 naming %s; run again, it finishes like an uninterrupted run', async (_engine, _at, table, packets, down) => {
  const dir = await world.freshCopy();
  const proxy = proxies.of(table.split('.')[0]);
  const cut = await eraseWithCut(dir, proxy, table, packets, down);
  const again = await runDsar(ERASE, { cwd: dir, env: proxies.env() });

  expectCleanFailure(cut);
  const doc = JSON.parse(cut.stdout);
  expect(doc.ok).toBe(false);
  // The system's remaining steps wait for the next run; the other systems went on.
  expect(doc.failures).toEqual([expect.stringMatching(new RegExp(`^${table.replace('.', '\\.')}: `))]);
  expect(doc.done.filter((d: { table: string; planned: number; changed: number }) => !d.table.startsWith(table.split('.')[0]) && d.changed !== d.planned)).toEqual([]);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).resumed).toBe(true);
  expect(await world.snapshot(dir)).toEqual(reference);
  const { events, ok } = await ledger(dir);
  expect(events).toEqual(['started in-progress', 'completed partial', 'verified partial', 'resumed in-progress', 'completed ok', 'verified ok']);
  expect(ok).toBe(true);
}, 90_000);

test.each(PROXIED_SYSTEMS)('%s down from the start: nothing is erased anywhere, exit 1, the system named', async (_engine, system) => {
  const { dir, before, proxy, run } = await proxies.runWithSystemDown(system, ERASE);

  expectCleanFailure(run);
  const doc = JSON.parse(run.stdout);
  expect(doc.error.message).toMatch(new RegExp(`^nothing was erased: ${system}: cannot connect to 127\\.0\\.0\\.1:${proxy.port}/dsar_`));
  expect(run.stderr).toContain(`dsar: nothing was erased: ${system}: cannot connect`);
  expect(await world.snapshot(dir)).toEqual(before);
  expect((await ledger(dir)).events).toEqual(['failed failed']);
}, 60_000);

test('a port with nothing listening: the same refusal, naming the system', async () => {
  const dir = await world.freshCopy();
  const before = await world.snapshot(dir);
  const gone = await startTcpProxy(targetOf(world.app.url));
  const url = gone.url(world.app.url);
  await gone.close();
  const run = await runDsar(ERASE, { cwd: dir, env: proxies.env({ CRASH_APP_URL: url }) });

  expectCleanFailure(run);
  expect(JSON.parse(run.stdout).error.message).toMatch(/^nothing was erased: app: cannot connect to 127\.0\.0\.1:\d+\/dsar_\w+: .*ECONNREFUSED/);
  expect(await world.snapshot(dir)).toEqual(before);
}, 60_000);
