// Runs the real CLI (`node bin/dsar.js`) as a child process, the way an operator or cron does, and can SIGKILL it
// when a condition the test polls becomes true (a checkpoint count, a delay): a kill -9 at a chosen point.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/dsar.js');

export interface DsarRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the process, ms. */
  ms: number;
}

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Polled every `pollMs`; when it returns true, the process gets SIGKILL. */
  killWhen?: () => boolean;
  pollMs?: number;
  /** Called once the process has started (for triggers measured from the start). */
  onSpawn?: () => void;
  /** Kills the process after this long regardless (a hang is a failure, not a stuck suite). */
  timeoutMs?: number;
}

export function runDsar(args: string[], o: SpawnOptions): Promise<DsarRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    o.onSpawn?.();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const poll =
      o.killWhen &&
      setInterval(() => {
        if (o.killWhen!()) {
          clearInterval(poll);
          kill();
        }
      }, o.pollMs ?? 10);
    const timeout = setTimeout(() => {
      stderr += '\n[test] timed out: killed\n';
      kill();
    }, o.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      clearTimeout(timeout);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The lines of stderr that are not pino JSON logs: what the CLI says to a person. */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
}

/** An expected failure: exit 1, not killed, and nowhere a stack trace or an internal error. */
export function expectCleanFailure(run: DsarRun): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.signal).toBeNull();
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.stdout).not.toMatch(/\n\s+at /);
}
