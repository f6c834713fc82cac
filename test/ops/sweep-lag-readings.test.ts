// When the sweep reads its replicas' lag: before the first batch it waits for the answer; after that a reading is
// started every N batches and runs alongside them (its round trips do not hold batches up), acted on by the batch
// after it answered; a reading still unanswered when the next is due is waited for.
import { expect, test } from 'vitest';
import { SweepBrakes, type Clock } from '../../src/ops/sweep-brakes.ts';
import type { ReplicaReading, SystemReplicas } from '../../src/ops/replica-watch.ts';
import { silentLogger } from '../../src/log.ts';

/** Replicas whose every reading the test answers by hand. */
function scriptedReplicas() {
  const asked: Array<(lagMs: number) => void> = [];
  const replicas: SystemReplicas = {
    system: 'app',
    maxLagMs: 5000,
    describe: '1 listed',
    read: () => new Promise<ReplicaReading[]>((resolve) => asked.push((lagMs) => resolve([{ replica: 'app replica 1', status: { lagMs } }]))),
    close: async () => {},
  };
  return { replicas, asked };
}

/** Time passes only in sleeps, at once. */
function instantClock(): Clock {
  let now = Date.parse('2026-06-15T01:00:00Z');
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
};

function brakes(every: number) {
  const { replicas, asked } = scriptedReplicas();
  const b = new SweepBrakes({ timeZone: 'UTC', lagCheckEvery: every }, [replicas], instantClock(), silentLogger);
  return { b, asked };
}

/** Every 2 batches: the first reading answered (no lag), two batches run, the third started reading 2. */
async function atSecondReading() {
  const { b, asked } = brakes(2);
  const first = b.beforeBatch('app');
  asked[0](0);
  await first;
  await b.beforeBatch('app');
  await b.beforeBatch('app');
  return { b, asked };
}

test('the first batch waits for the reading; the next readings run alongside the batches', async () => {
  const { b, asked } = brakes(2);
  const first = b.beforeBatch('app');
  expect(await settled(first)).toBe(false);
  asked[0](0);
  expect(await first).toBe(true);

  expect(await b.beforeBatch('app')).toBe(true); // batch 2: no reading due
  const third = b.beforeBatch('app'); // batch 3: a reading is due, and started
  expect(await settled(third)).toBe(true);
  expect(asked).toHaveLength(2);
});

test('a reading that says a replica is behind pauses the batch after it answered, until the replica caught up', async () => {
  const { b, asked } = await atSecondReading(); // reading 2 started
  asked[1](12_000); // 12 s behind, answered while a batch runs
  await new Promise((r) => setImmediate(r));

  const next = b.beforeBatch('app');
  expect(await settled(next)).toBe(false); // waiting: reading 3 asked
  expect(asked).toHaveLength(3);
  asked[2](200);
  expect(await next).toBe(true);
  expect(b.lagPauses).toEqual([{ system: 'app', why: ['app replica 1: 12s behind'], waitedMs: 1000 }]);
});

test('a reading still unanswered when the next one is due is waited for: a slow replica is never skipped', async () => {
  const { b, asked } = await atSecondReading(); // reading 2 started, not answered
  expect(await b.beforeBatch('app')).toBe(true);

  const due = b.beforeBatch('app'); // the next reading is due: reading 2 is waited for
  expect(await settled(due)).toBe(false);
  asked[1](0);
  expect(await due).toBe(true);
  expect(asked).toHaveLength(2);
});
