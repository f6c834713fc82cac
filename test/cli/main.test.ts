// The CLI surface: typed errors become one-line messages and exit codes; every command has --help.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'dsar-cli-'));
const broken = path.join(dir, 'broken.yaml');
// test/fixtures/datamaps/cli-broken.yaml: five mistakes, at 5:18 (keep: 3 years), 9:5 (on_erse), 10:16 (retention:
// shortt), 12:26 (contakt.email) and 13:46 (mask: scramble).
writeFileSync(broken, datamapFixture('cli-broken'));

describe('dsar CLI', () => {
  it('lists every problem of a broken data map with file:line:column and exits 2 without a stack trace', async () => {
    const r = await run(['--datamap', broken, 'datamap', 'validate']);
    expect(r.code).toBe(2);
    const located = r.stderr.split('\n').filter((l) => l.includes(`${broken}:`));
    expect(located.map((l) => l.slice(l.indexOf(broken) + broken.length + 1).split(':').slice(0, 2).join(':'))).toEqual([
      '5:18',
      '9:5',
      '10:16',
      '12:26',
      '13:46',
    ]);
    expect(r.stderr).toContain('did you mean `on_erase`');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the example data map validates', async () => {
    const r = await run(['--datamap', path.resolve('datamap.yaml'), 'datamap', 'validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('an unknown flag is a one-line error with exit 2', async () => {
    const r = await run(['--datamap', path.resolve('datamap.yaml'), 'datamap', 'validate', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['dsar: Unknown argument: bogus']);
  });

  it('a missing data map file is exit 2 naming the file', async () => {
    const r = await run(['--datamap', path.join(dir, 'nope.yaml'), 'datamap', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--json gives one JSON document on stdout, also for errors', async () => {
    const r = await run(['--datamap', broken, '--json', 'datamap', 'validate']);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.exitCode).toBe(2);
    expect(doc.issues).toHaveLength(5);
  });

  it.each([
    ['export'],
    ['erase'],
    ['sweep'],
    ['extract'],
    ['scan'],
    ['datamap', 'validate'],
    ['datamap', 'docs'],
    ['hold'],
    ['optout'],
    ['requests'],
    ['schedule'],
    ['jobs'],
    ['run-job'],
    ['demo'],
  ])('dsar %s --help describes the command and exits 0', async (...cmd) => {
    const r = await run([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dsar ${cmd.join(' ')}`);
  });
});
