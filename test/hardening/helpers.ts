// Shared by the hardening suites: the CLI run in-process with every byte it prints captured (its result on stdout,
// its one-line errors, and pino's logs, which go straight to file descriptor 2), and the demo's systems as a fixture.
import { spawn } from 'node:child_process';
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { generateDemoData, type DemoData } from '../../src/demo/generate.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dsar argv` in this process. Captures what main() is handed to print and also anything written to the
 * process's stdout/stderr or console meanwhile, including pino's synchronous writes to fd 2 (sonic-boom calls
 * fs.writeSync).
 */
export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const outWrite = process.stdout.write;
  const errWrite = process.stderr.write;
  const writeSync = fs.writeSync;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const savedConsole = consoleMethods.map((m) => console[m]);
  for (const m of consoleMethods) console[m] = (...args: unknown[]) => void ((m === 'log' || m === 'info' ? (stdout += args.join(' ') + '\n') : (stderr += args.join(' ') + '\n')));
  process.stdout.write = ((chunk: unknown) => ((stdout += text(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => ((stderr += text(chunk)), true)) as typeof process.stderr.write;
  fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 1 || fd === 2) {
      const s = text(data);
      if (fd === 1) stdout += s;
      else stderr += s;
      return Buffer.byteLength(s);
    }
    return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  try {
    const code = await main(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    fs.writeSync = writeSync;
    consoleMethods.forEach((m, i) => (console[m] = savedConsole[i]));
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `dsar-hard-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir` (absolute paths), depth first. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

/** Every directory under `dir`, `dir` included. */
export function dirsUnder(dir: string): string[] {
  return [dir, ...readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => dirsUnder(path.join(dir, e.name)))];
}

export function modeOf(p: string): number {
  return statSync(p).mode & 0o7777;
}

/** The example data map with its systems beside it (as `dsar demo` writes it). */
export function exampleMapText(): string {
  return readFileSync(path.join(ROOT, 'datamap.yaml'), 'utf8').replaceAll('.dsar-demo/', '');
}

export interface DemoFixture {
  dir: string;
  map: string;
  data: DemoData;
}

/** The demo's SQLite and CSV systems in `dir` with the example map, `extraMap` appended to it. */
export function demoFixture(dir: string, users: number, extraMap = (text: string) => text): DemoFixture {
  const data = generateDemoData(dir, users);
  const map = path.join(dir, 'datamap.yaml');
  writeFileSync(map, extraMap(exampleMapText()));
  return { dir, map, data };
}

/** Runs `node bin/dsar.js argv` as a real process (for commands that start children of their own, like run-job). */
export function runCliProcess(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'dsar.js'), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
