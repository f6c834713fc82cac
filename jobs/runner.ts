// Runs a job's command as a child process: `node bin/dsar.js --datamap <file> <run words>`.
//
// Spawned rather than called in-process through main(), because:
// - SIGTERM forwarding is the child's own, ordinary signal handling: the command finishes its batch and writes its
//   checkpoint exactly as when an operator stops it by hand; in-process it would need a cancellation path through
//   every command;
// - isolation: a job that crashes, leaks a connection pool, sets process.exitCode or grows its heap cannot take the
//   scheduler (and its heartbeats, hence its leases) down with it;
// - the run's exit code is the command's, exactly what `dsar <run>` returns from a shell or a crontab.
// The cost, a Node start of the compiled CLI (~0.3 s) per run, does not matter for jobs that run at most every few minutes.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/package-root.ts';
import type { JobDef } from '../src/datamap/types.ts';
import { commandWords } from './command-line.ts';

export interface JobExit {
  /** The exit code; 128 + the signal's number when a signal ended it. */
  code: number;
  signal: NodeJS.Signals | null;
}

export interface JobProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<JobExit>;
  /** Asks the command to stop after its current batch (SIGTERM). */
  terminate(): void;
  /** Ends it now (SIGKILL), when it did not stop in time. */
  kill(): void;
}

export interface JobRunner {
  /** Starts the job's command for the run of `tick` (the child sees it as DSAR_JOB and DSAR_JOB_TICK). */
  start(job: JobDef, tick: Date): JobProcess;
}

export interface DsarRunnerOptions {
  /** The data map the child reads (absolute, so the child's working directory does not matter). */
  datamap: string;
  logLevel?: string;
  /** The CLI entry to run; tests point it at a stand-in command. */
  bin?: string;
  /** 'inherit': the job's output goes where the scheduler's goes. */
  stdio?: 'inherit' | 'ignore';
  env?: NodeJS.ProcessEnv;
}

export const DSAR_BIN = path.join(packageRoot(), 'bin', 'dsar.js');

export function dsarRunner(opts: DsarRunnerOptions): JobRunner {
  return {
    start(job, tick) {
      const args = [opts.bin ?? DSAR_BIN, '--datamap', path.resolve(opts.datamap)];
      if (opts.logLevel) args.push('--log-level', opts.logLevel);
      args.push(...commandWords(job.run, job.name));
      // The window is the job's: the sweep stops at its end (and does nothing when started outside it).
      if (job.window) args.push('--window', job.window);
      const env = { ...(opts.env ?? process.env), DSAR_JOB: job.name, DSAR_JOB_TICK: tick.toISOString() };
      const child = spawn(process.execPath, args, { stdio: ['ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit'], env });
      const exited = new Promise<JobExit>((resolve) => {
        child.once('error', () => resolve({ code: 127, signal: null })); // could not start at all
        child.once('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), signal }));
      });
      const send = (signal: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      return { pid: child.pid, exited, terminate: () => send('SIGTERM'), kill: () => send('SIGKILL') };
    },
  };
}
