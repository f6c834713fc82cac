// A sweep job's `window:` reaches the sweep as --window: the sweep itself stops at the window's end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { dsarRunner } from '../../jobs/runner.ts';

const PRINT_ARGV = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'print-argv.mjs');

test("a sweep job with a window runs `sweep ... --window <window>`", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-job-window-'));
  try {
    const argvFile = path.join(dir, 'argv.json');
    const runner = dsarRunner({ datamap: path.join(dir, 'datamap.yaml'), bin: PRINT_ARGV, stdio: 'ignore', env: { ...process.env, ARGV_FILE: argvFile } });
    const job = { name: 'nightly', run: 'sweep --batch-size 500', cron: '0 1 * * *', catchUp: false, window: '01:00-05:00', loc: { file: 'datamap.yaml', line: 1, column: 1, path: 'jobs.nightly' } };

    const exit = await runner.start(job, new Date('2026-06-15T01:00:00Z')).exited;

    expect(exit.code).toBe(0);
    expect(JSON.parse(readFileSync(argvFile, 'utf8'))).toEqual(['--datamap', path.join(dir, 'datamap.yaml'), 'sweep', '--batch-size', '500', '--window', '01:00-05:00']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
