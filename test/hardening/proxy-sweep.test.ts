// Lost connections during `dsar sweep`: a TCP proxy between dsar and PostgreSQL / MariaDB cuts every connection in
// the middle of a table's batches. The sweep names the system and table, goes on with the others, exits 1 (not 70,
// no stack trace), and the next sweep resumes and finishes: the end state equals an uninterrupted sweep's.
// A system down from the start: every other system is still swept, exit 1, the system named in the summary.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectCleanFailure, runDsar } from './support/dsar-process.ts';
import { PROXIED_SYSTEMS, runWithCut, startProxies, type Proxies } from './support/proxied-world.ts';
import { checkpointText } from './support/state-probe.ts';
import { AS_OF, createSweepWorld, uninterruptedRun, type Snapshot, type SweepWorld } from './support/sweep-world.ts';

const SWEEP = ['--datamap', 'datamap.yaml', '--json', 'sweep', '--as-of', AS_OF, '--batch-size', '100'];

let world: SweepWorld;
let reference: Snapshot;
let referenceCounts: Record<string, number>;
let proxies: Proxies;

interface TableJson {
  table: string;
  anonymized: number;
  deleted: number;
  error?: string;
}

/** Rows changed per table by one sweep. */
function changed(doc: { tables: TableJson[] }): Record<string, number> {
  return Object.fromEntries(doc.tables.map((t) => [t.table, t.anonymized + t.deleted]));
}

/** The tables of `systems` in a snapshot. */
function only(s: Snapshot, systems: string[]): Snapshot {
  return Object.fromEntries(Object.entries(s).filter(([t]) => systems.includes(t.split('.')[0])));
}

beforeAll(async () => {
  world = await createSweepWorld('psweep');
  proxies = await startProxies(world);
  const { run, snapshot } = await uninterruptedRun(world, SWEEP);
  reference = snapshot;
  referenceCounts = changed(JSON.parse(run.stdout));
});

afterAll(async () => {
  await proxies?.close();
  await world?.dispose();
});

test.each([
  ['PostgreSQL', 'app.events', 'its 2nd statement after a checkpoint, then down for the rest of the run', 2, true],
  ['MariaDB', 'billing.logins', 'its next statement after a checkpoint, back at once', 1, false],
  ['MariaDB', 'billing.invoices', 'its 3rd statement after a checkpoint, back at once', 3, false],
] as const)('%s lost in %s at %s: the other tables go on, exit 1 naming the table; the next sweep finishes like an uninterrupted one', async (_engine, table, _at, packets, down) => {
  const dir = await world.freshCopy();
  const system = table.split('.')[0];
  const proxy = proxies.of(system);
  const cut = await runWithCut([...SWEEP, '--pause-ms', '10'], {
    cwd: dir,
    env: proxies.env(),
    proxy,
    armWhen: () => checkpointText(dir).includes(`sweep:${table}=`),
    packets,
    down,
  });
  const again = await runDsar(SWEEP, { cwd: dir, env: proxies.env() });

  expect(proxy.dropped).toBeGreaterThan(0);
  expectCleanFailure(cut);
  const doc = JSON.parse(cut.stdout);
  expect(doc.ok).toBe(false);
  expect(doc.failures).toContainEqual(expect.stringMatching(new RegExp(`^${table.replace('.', '\\.')}: `)));
  expect(doc.tables.find((t: TableJson) => t.table === table).error).toBeTruthy();
  // Every other system's tables were swept in full.
  const others = Object.keys(referenceCounts).filter((t) => !t.startsWith(`${system}.`));
  expect(others.map((t) => [t, changed(doc)[t]])).toEqual(others.map((t) => [t, referenceCounts[t]]));
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).tables.find((t: TableJson) => t.table === table).resumed).toBe(true);
  expect(await world.snapshot(dir)).toEqual(reference);
}, 90_000);

test.each(PROXIED_SYSTEMS)('%s down from the start: every other system is swept, exit 1, the system named; the next sweep finishes', async (_engine, system) => {
  const { dir, before, proxy, run } = await proxies.runWithSystemDown(system, SWEEP);
  const afterDown = await world.snapshot(dir);
  const again = await runDsar(SWEEP, { cwd: dir, env: proxies.env() });

  expectCleanFailure(run);
  const doc = JSON.parse(run.stdout);
  const down = Object.keys(referenceCounts).filter((t) => t.startsWith(`${system}.`));
  expect(doc.skipped.map((s: { table: string }) => s.table).sort()).toEqual(down.sort());
  expect(doc.failures).toEqual(down.map((t) => expect.stringMatching(new RegExp(`^${t.replace('.', '\\.')}: ${system}: cannot connect to 127\\.0\\.0\\.1:${proxy.port}/`))));
  const up = ['app', 'billing', 'crm', 'mailchimp'].filter((s) => s !== system);
  expect(only(afterDown, up)).toEqual(only(reference, up));
  expect(only(afterDown, [system])).toEqual(only(before, [system]));
  expect(again.code, again.stderr).toBe(0);
  expect(await world.snapshot(dir)).toEqual(reference);
}, 90_000);
