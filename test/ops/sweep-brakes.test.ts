// The brakes on a sweep, on a SQLite system with a fake clock (work takes no time on it; only the brakes' sleeps
// move it): a window's end and --max-runtime stop the run after the batch in flight, the checkpoint stays and the
// next run resumes; --max-rate and --pause-ms space the batches; bad values are refused with exit 2.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, expect, test } from 'vitest';
import { loadDataMap } from '../../src/datamap/load.ts';
import { silentLogger } from '../../src/log.ts';
import type { Clock } from '../../src/ops/sweep-brakes.ts';
import { brakeSettings, type SweepArgs } from '../../src/cli/handlers/sweep.ts';
import { runSweep } from '../../src/ops/sweep.ts';
import type { SweepResult } from '../../src/ops/sweep-summary.ts';
import { openStateFor } from '../../src/state/for-map.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { withSqliteFile } from '../helpers/sqlite-file.ts';
import { sweepFixtureDuring } from './sweep-fixture.ts';

const ROWS = 1000;
const EXPIRED = 800; // ids 1..800 are old
const f = sweepFixtureDuring('brakes');
const file = () => path.join(f.dir, 'app.db');

const map = (timezone = 'UTC') => datamapFixture('sweep-brakes', { key: f.env.key, timezone });

beforeEach(() => {
  rmSync(path.join(f.dir, '.dsar'), { recursive: true, force: true }); // no checkpoint from the test before
  withSqliteFile(file(), (db) =>
    db.exec(`drop table if exists events; create table events (id integer primary key, note text, seen_at text);
      with recursive g(n) as (select 1 union all select n + 1 from g where n < ${ROWS})
      insert into events select n, 'e' || n, case when n <= ${EXPIRED} then '2020-01-01 00:00:00' else '2026-06-01 00:00:00' end from g`),
  );
});

/** A clock that stands still but for the brakes' own sleeps, which it records. */
function fakeClock(startIso: string): Clock & { slept: number[]; at(): string } {
  let now = Date.parse(startIso);
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    at: () => new Date(now).toISOString(),
  };
}

const rowsLeft = () => withSqliteFile(file(), (db) => db.prepare('select count(*) from events').pluck().get() as number);

async function sweep(args: Partial<SweepArgs>, clock: Clock, timezone = 'UTC', dryRun = false): Promise<SweepResult> {
  f.writeDatamap(map(timezone));
  const m = loadDataMap(f.datamap);
  const store = await openStateFor(m);
  try {
    return await runSweep(
      {
        map: m,
        hmacKey: Buffer.from('sweep-test-hmac-key'),
        asOf: new Date('2026-06-15T00:00:00Z'),
        selection: {},
        batchSize: 100,
        dryRun,
        log: silentLogger,
        brakes: brakeSettings(args, m.timezone),
        clock,
      },
      store,
    );
  } finally {
    await store.close();
  }
}

test("the window's end stops the sweep after the batch in flight, its checkpoint kept; the next night's run resumes and finishes", async () => {
  const night1 = fakeClock('2026-06-15T04:59:58Z');
  const first = await sweep({ window: '01:00-05:00', pauseMs: 500 }, night1);

  // Batches start at 0, 0.5, 1, 1.5 s; at 2 s the window has ended.
  expect(first.ok).toBe(true);
  expect(first.stopped).toEqual({ reason: 'window', rowsLeft: EXPIRED - 400, tablesLeft: ['app.events'] });
  expect(first.tables[0]).toMatchObject({ deleted: 400, batches: 4, stopped: 'window', rowsLeft: EXPIRED - 400 });
  expect(first.brakes).toMatchObject({ window: '01:00-05:00', timeZone: 'UTC', deadline: '2026-06-15T05:00:00.000Z', pauseMs: 500 });
  expect(rowsLeft()).toBe(ROWS - 400);

  const night2 = fakeClock('2026-06-16T01:00:00Z');
  const second = await sweep({ window: '01:00-05:00' }, night2);

  expect(second.stopped).toBeUndefined();
  expect(second.tables[0]).toMatchObject({ resumed: true, deleted: EXPIRED - 400 });
  expect(rowsLeft()).toBe(ROWS - EXPIRED);
});

test("the window is read in the data map's timezone", async () => {
  // 04:59:59 in Berlin (summer time, UTC+2) is 02:59:59 UTC.
  const clock = fakeClock('2026-06-15T02:59:59Z');
  const r = await sweep({ window: '01:00-05:00', pauseMs: 600 }, clock, 'Europe/Berlin');

  expect(r.brakes.deadline).toBe('2026-06-15T03:00:00.000Z');
  expect(r.tables[0]).toMatchObject({ deleted: 200, batches: 2, stopped: 'window' });
});

test('started outside its window the sweep does nothing and says so (exit 0); a dry run counts anyway', async () => {
  const clock = fakeClock('2026-06-15T12:00:00Z');
  const r = await sweep({ window: '01:00-05:00' }, clock);
  const dry = await sweep({ window: '01:00-05:00' }, clock, 'UTC', true);

  expect(r).toMatchObject({ ok: true, outsideWindow: true, tables: [] });
  expect(rowsLeft()).toBe(ROWS);
  expect(dry).toMatchObject({ ok: true, dryRun: true, outsideWindow: true });
  expect(dry.tables[0]).toMatchObject({ table: 'app.events', expired: EXPIRED, deleted: EXPIRED });
});

test('a window across midnight contains the hours on both sides of it', async () => {
  const late = await sweep({ window: '22:00-04:00', pauseMs: 1000 }, fakeClock('2026-06-15T03:59:58Z'));
  expect(late.tables[0]).toMatchObject({ deleted: 200, stopped: 'window' });
  expect(late.brakes.deadline).toBe('2026-06-15T04:00:00.000Z');

  const early = await sweep({ window: '22:00-04:00' }, fakeClock('2026-06-15T22:00:00Z'));
  expect(early.brakes.deadline).toBe('2026-06-16T04:00:00.000Z');
  expect(early.stopped).toBeUndefined();
  expect(rowsLeft()).toBe(ROWS - EXPIRED);
});

test('--max-runtime stops the run as the window does', async () => {
  const r = await sweep({ maxRuntime: '1s', pauseMs: 300 }, fakeClock('2026-06-15T10:00:00Z'));

  // Batches start at 0, 0.3, 0.6, 0.9 s.
  expect(r.stopped).toEqual({ reason: 'max-runtime', rowsLeft: EXPIRED - 400, tablesLeft: ['app.events'] });
  expect(r.brakes).toMatchObject({ maxRuntime: '1s', deadline: '2026-06-15T10:00:01.000Z' });
});

test('--max-rate spaces the batches so that rows per second never pass it', async () => {
  const clock = fakeClock('2026-06-15T10:00:00Z');
  const r = await sweep({ maxRate: 200 }, clock);

  // 100 rows a batch at 200 rows/s: each batch after one that deleted waits half a second (the last two delete none).
  expect(r.tables[0]).toMatchObject({ deleted: EXPIRED, batches: 10 });
  expect(clock.slept).toEqual(Array(8).fill(500));
  expect(r.brakes.maxRate).toBe(200);
});

test('--pause-ms waits after every batch', async () => {
  const clock = fakeClock('2026-06-15T10:00:00Z');
  const r = await sweep({ pauseMs: 25 }, clock);

  expect(r.tables[0]).toMatchObject({ deleted: EXPIRED, batches: 10 });
  expect(clock.slept).toEqual(Array(10).fill(25));
});

test('a dry run shows the brakes and applies none', async () => {
  const clock = fakeClock('2026-06-15T04:59:59Z');
  const r = await sweep({ window: '01:00-05:00', maxRate: 10, pauseMs: 1000, maxRuntime: '2h' }, clock, 'UTC', true);

  expect(r.brakes).toEqual({ maxRuntime: '2h', window: '01:00-05:00', timeZone: 'UTC', deadline: '2026-06-15T05:00:00.000Z', maxRate: 10, pauseMs: 1000, replicas: [] });
  expect(clock.slept).toEqual([]);
  expect(r.tables[0]).toMatchObject({ expired: EXPIRED, deleted: EXPIRED });
  expect(rowsLeft()).toBe(ROWS);
});

test('bad brake values are refused with exit 2 before anything runs', async () => {
  f.writeDatamap(map());
  const runtime = await f.dsar('sweep', '--max-runtime', '2x');
  const window = await f.dsar('sweep', '--window', '25:00-01:00');
  const rate = await f.dsar('sweep', '--max-rate', '0');
  const every = await f.dsar('sweep', '--lag-check-every', '1.5');

  expect([runtime.code, window.code, rate.code, every.code]).toEqual([2, 2, 2, 2]);
  expect(runtime.stderr).toBe("dsar: --max-runtime: expected a span such as 2h, 90m or 30s, got '2x'\n");
  expect(window.stderr).toBe("dsar: --window: expected times as HH:MM or HH:MM:SS (24-hour), such as \"01:00-05:00\", got '25:00-01:00'\n");
  expect(rate.stderr).toBe("dsar: --max-rate must be a number of rows per second above 0, got '0'\n");
  expect(every.stderr).toBe("dsar: --lag-check-every must be a whole number of batches above 0, got '1.5'\n");
  expect(rowsLeft()).toBe(ROWS);
});

test('a real window ending two seconds from now stops a real run, which then says so (exit 0)', async () => {
  f.writeDatamap(map());
  const now = new Date();
  const hhmmss = (d: Date) => d.toISOString().slice(11, 19);
  const window = `${hhmmss(new Date(now.getTime() - 60_000))}-${hhmmss(new Date(now.getTime() + 2000))}`;

  const r = await f.dsar('sweep', '--as-of', '2026-06-15', '--batch-size', '10', '--pause-ms', '100', '--window', window);

  expect(r.code).toBe(0);
  const stopped = r.stdout.split('\n').find((l) => l.startsWith('stopped '));
  expect(stopped).toMatch(/^stopped at the window's end, [\d,]+ row\(s\) left \(app\.events\); the next run resumes from the checkpoints$/);
  const left = Number(stopped!.match(/end, ([\d,]+) row/)![1].replace(/,/g, ''));
  expect(rowsLeft()).toBe(ROWS - EXPIRED + left);
  expect(left).toBeGreaterThan(0);
});
