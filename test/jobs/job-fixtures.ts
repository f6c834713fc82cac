// Jobs for scheduler tests: a batch job stand-in (fixtures/batch-job.mjs) run through the real runner, and
// readers for what it did.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobDef } from '../../src/datamap/types.ts';
import { dsarRunner, type JobRunner } from '../../jobs/runner.ts';
import type { SchedulerEvent } from '../../jobs/scheduler.ts';

export const BATCH_JOB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'batch-job.mjs');

export function batchJob(
  name: string,
  cron: string,
  dir: string,
  opts: { batches?: number; batchMs?: number; exit?: number; catchUp?: boolean; ignoreTerm?: boolean } = {},
): JobDef {
  const run = [`work --dir "${dir}"`, `--batches ${opts.batches ?? 1}`, `--batch-ms ${opts.batchMs ?? 10}`, `--exit ${opts.exit ?? 0}`];
  if (opts.ignoreTerm) run.push('--ignore-term');
  return { name, run: run.join(' '), cron, catchUp: opts.catchUp ?? false, loc: { file: 'datamap.yaml', line: 1, column: 1, path: `jobs.${name}` } };
}

/** Runs the stand-in instead of bin/dsar.js, with the same spawn, arguments and signals. */
export function batchRunner(): JobRunner {
  return dsarRunner({ datamap: 'datamap.yaml', bin: BATCH_JOB, stdio: 'ignore' });
}

export interface Step {
  tick: string;
  step: 'start' | 'batch' | 'stopped' | 'done';
  n: number;
  pid: number;
}

/** What the batch job did, in order. */
export function steps(dir: string): Step[] {
  const file = path.join(dir, 'log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [tick, step, n, pid] = l.split(' ');
      return { tick, step: step as Step['step'], n: Number(n), pid: Number(pid) };
    });
}

export function collect(): { events: SchedulerEvent[]; onEvent: (e: SchedulerEvent) => void } {
  const events: SchedulerEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
