// The scheduler's commands end to end: `dsar run-job`, `dsar jobs list|history`, and `dsar schedule` stopped by
// SIGTERM, with a real dsar command (`datamap validate`) as the job.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DSAR_BIN } from '../../jobs/runner.ts';
import { main } from '../../src/cli/main.ts';
import { openStateStore } from '../../src/state/store.ts';
import { waitFor } from './job-fixtures.ts';

let dir: string;
let datamap: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-jobs-cli-'));
  datamap = path.join(dir, 'datamap.yaml');
  writeFileSync(
    datamap,
    [
      'version: 1',
      'systems:',
      '  app: { kind: sqlite, path: ./app.db }',
      'tables: {}',
      'jobs:',
      '  check-map: { run: "datamap validate", cron: "* * * * * *" }',
      '  nightly-sweep: { run: "sweep", cron: "0 5 1 * *" }',
      '',
    ].join('\n'),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function dsar(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', datamap, '--log-level', 'silent', ...argv], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('dsar run-job', () => {
  test('runs the job once, records it like a scheduled run and exits with its exit code', async () => {
    const run = await dsar('run-job', 'check-map');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^check-map: started the run for \S+ \(manual, pid \d+\)\ncheck-map: run for \S+ ok \(exit 0, [\d.]+ s\)\n$/);

    const history = JSON.parse((await dsar('jobs', 'history', '--json')).stdout);
    expect(history.runs.map((r: any) => [r.job, r.outcome, r.attempts, r.detail.exitCode, r.detail.reason])).toEqual([['check-map', 'ok', 1, 0, 'manual']]);
  });

  test('an unknown job is bad input (exit 2) with a suggestion', async () => {
    const run = await dsar('run-job', 'chek-map');
    expect([run.code, run.stderr]).toEqual([2, "dsar: unknown job 'chek-map' (did you mean 'check-map'?); declared: check-map, nightly-sweep\n"]);
  });
});

describe('dsar jobs', () => {
  test('list shows each job with its cron, next run, and last run with its outcome', async () => {
    const store = await openStateStore({ dir });
    await store.jobRuns.claim('check-map', new Date('2025-01-01T03:00:00Z'), 'replica-a', 60_000);
    await store.jobRuns.finish('check-map', '2025-01-01T03:00:00.000Z', 'partial', { exitCode: 1 });
    await store.close();
    const { stdout } = await dsar('jobs', 'list');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^JOB\s+CRON\s+NEXT RUN\s+LAST RUN\s+OUTCOME$/);
    expect(lines[1]).toMatch(/^check-map\s+\* \* \* \* \* \* \(UTC\)\s+\S+Z\s+2025-01-01T03:00:00\.000Z\s+partial \(exit 1\)$/);
    expect(lines[2]).toMatch(/^nightly-sweep\s+0 5 1 \* \* \(UTC\)\s+\d{4}-\d\d-01T05:00:00\.000Z\s+never$/);

    const doc = JSON.parse((await dsar('jobs', 'list', '--json')).stdout);
    expect(doc.jobs.map((j: any) => [j.job, j.lastRun?.outcome ?? null])).toEqual([
      ['check-map', 'partial (exit 1)'],
      ['nightly-sweep', null],
    ]);
  });

  test('history of a job never declared nor run is bad input', async () => {
    expect((await dsar('jobs', 'history', 'nope')).code).toBe(2);
    expect((await dsar('jobs', 'history', 'nightly-sweep')).stdout).toBe('no runs recorded for nightly-sweep\n');
  });
});

describe('dsar schedule', () => {
  test('SIGTERM while a job runs: the job is stopped and handed over, and the scheduler exits 0 within 10 s', async () => {
    const child = spawn(process.execPath, [DSAR_BIN, '--datamap', datamap, '--log-level', 'warn', 'schedule'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', () => {});
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('a job to start', () => /check-map: started the run/.test(stdout), 30_000);
      const began = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(stdout).toMatch(/SIGTERM: stopping \(check-map finishing the current batch\)\n/);
      expect(stdout).toMatch(/check-map: stopped the run for \S+ after its current batch \(exit \d+\); left open for the next scheduler to resume\n/);
      expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/ stopped$/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
