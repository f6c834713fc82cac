// Hostile command lines: random commands, flags (repeated, misspelt, valueless) and hostile values against the demo's
// systems. Whatever is typed, dsar exits 0, 1 or 2 and prints no stack trace; exit 70 would be a bug.
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { demoFixture, removeDir, runCli, tempDir, type DemoFixture } from './helpers.ts';

const RUNS = Number(process.env.DSAR_FUZZ_RUNS ?? 100);

let fx: DemoFixture;
const savedEnv = { ...process.env };

beforeAll(() => {
  process.env.DSAR_HMAC_KEY = 'hardening-argv-key';
  delete process.env.DSAR_STATE_DIR;
  delete process.env.DSAR_STATE_URL;
  fx = demoFixture(tempDir('argv'), 30);
});

afterAll(() => {
  process.env = savedEnv;
  removeDir(fx?.dir);
});

// `schedule` runs until stopped, `run-job` starts a child process and `demo` rebuilds everything: not fuzzed here.
const COMMANDS = [
  ['export'], ['erase'], ['sweep'], ['extract'], ['scan'], ['datamap', 'validate'], ['datamap', 'docs'], ['datamap'],
  ['hold', 'add'], ['hold', 'remove'], ['hold', 'list'], ['hold'], ['optout'], ['requests'], ['requests', 'verify'],
  ['jobs', 'list'], ['jobs', 'history'], ['nonsense'], [],
];
const FLAGS = [
  '--ticket', '--by', '--out', '--received', '--law', '--force', '--dry-run', '--child', '--reason', '--scope', '--system',
  '--table', '--as-of', '--batch-size', '--sample', '--full', '--sarif', '--open', '--limit', '--live', '--json',
  '--log-level', '--datamap', '--help', '--version', '--no-dry-run', '--bogus', '-h', '--', '--ticket=', '--batch-size=0',
];
const VALUES = [
  'mary.smith@example.org', 'john.doe@example.org', 'phone', 'email', 'nope', 'T-1', 'T-2', '../x', '%', '_', '',
  ' ', '\u0000', 'a\nb', '-1', '0', '1e308', 'NaN', 'Infinity', '2020-02-30', '2999-01-01', '1970-01-01', 'gdpr', 'ccpa',
  'marketing', 'sharing', 'app', 'app.users', 'users', 'billing', 'mailchimp', 'signups-by-region',
  'users-by-plan-and-region', 'nightly-sweep', 'trace', 'silent', 'true', 'false', 'x'.repeat(10_000), '/dev/null',
];

const token = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FLAGS) }, { weight: 3, arbitrary: fc.constantFrom(...VALUES) }, fc.string({ unit: 'binary', maxLength: 8 }));

test('any command line: exit 0, 1 or 2, no stack trace', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 8 }), async (command, rest) => {
      const argv = ['--datamap', fx.map, '--log-level', 'silent', ...command, ...rest];
      const cwd = process.cwd(); // relative --out and --sarif paths land in the fixture's directory
      process.chdir(fx.dir);
      let r;
      try {
        r = await runCli(argv);
      } finally {
        process.chdir(cwd);
      }
      const context = `argv ${JSON.stringify(argv.slice(4))}\nexit ${r.code}\n${r.stderr.slice(0, 3000)}`;
      expect([0, 1, 2], context).toContain(r.code);
      expect(r.stderr, context).not.toMatch(/internal error|^\s+at /m);
    }),
    { numRuns: RUNS, seed: Number(process.env.DSAR_FUZZ_SEED ?? 1014) },
  );
});

test('the fixture is still a valid setup afterwards (the fuzz ran against real systems)', async () => {
  const r = await runCli(['--datamap', fx.map, '--log-level', 'silent', 'datamap', 'validate', '--live']);
  expect(r.code).toBe(0);
  expect(path.isAbsolute(fx.map)).toBe(true);
});
