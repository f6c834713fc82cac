// Start-up of the installed CLI: `dsar --version` and `dsar --help` beside a bare `node -e 0`, run alternately in
// one run, median of 5 each (issue 17: within 3x). Builds first, so the figure is the compiled CLI's.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'dsar.js');
const RUNS = 5;

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const cases = { baseline: ['-e', '0'], version: [BIN, '--version'], help: [BIN, '--help'] };
  const times: Record<string, number[]> = { baseline: [], version: [], help: [] };
  timed(cases.version); // warm the file cache once
  for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(cases)) times[name].push(timed(args));
  const base = median(times.baseline);
  console.log(`node -e 0        ${base.toFixed(0)} ms (median of ${RUNS})`);
  for (const name of ['version', 'help'] as const) {
    const ms = median(times[name]);
    console.log(`dsar --${name.padEnd(8)} ${ms.toFixed(0)} ms  ${(ms / base).toFixed(2)}x node -e 0 (goal <= 3x)`);
  }
}
