// Permissions: the export package is 0700/0600 and the state directory 0700 whatever the umask (the tests run with
// umask 0, the worst case); an export into a directory every user can write to (like /tmp) is refused without
// --force; a data file an erasure rewrites keeps its own mode.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoFixture, dirsUnder, filesUnder, modeOf, removeDir, runCli, tempDir, type DemoFixture } from './helpers.ts';

let fx: DemoFixture;
let umask: number;
const savedEnv = { ...process.env };

beforeAll(() => {
  umask = process.umask(0);
  process.env.DSAR_HMAC_KEY = 'hardening-permissions-key';
  delete process.env.DSAR_STATE_DIR;
  delete process.env.DSAR_STATE_URL;
  fx = demoFixture(tempDir('perms'), 40);
});

afterAll(() => {
  process.umask(umask);
  process.env = savedEnv;
  removeDir(fx?.dir);
});

const dsar = (...argv: string[]) => runCli(['--datamap', fx.map, '--log-level', 'silent', ...argv]);
const octal = (mode: number) => mode.toString(8).padStart(4, '0');
const modes = (paths: string[], root: string) => Object.fromEntries(paths.map((p) => [path.relative(root, p) || '.', octal(modeOf(p))]));

describe('with umask 0', () => {
  test('the export package: every directory 0700, every file 0600, and a missing --out is created 0700', async () => {
    const out = path.join(fx.dir, 'new', 'exports');
    const r = await dsar('export', fx.data.subjects.exportEmail, '--ticket', 'PERM-1', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pkg = path.join(out, 'PERM-1');
    const dirs = dirsUnder(pkg);
    const files = filesUnder(pkg);
    expect(files.length).toBeGreaterThan(5);
    expect(modes(dirs, pkg)).toEqual(Object.fromEntries(dirs.map((d) => [path.relative(pkg, d) || '.', '0700'])));
    expect(modes(files, pkg)).toEqual(Object.fromEntries(files.map((f) => [path.relative(pkg, f), '0600'])));
    expect(octal(modeOf(out))).toBe('0700');
    expect(octal(modeOf(path.join(fx.dir, 'new')))).toBe('0700');
  });

  test('the state directory is 0700 and every state file in it 0600 (WAL and shared memory included)', async () => {
    await dsar('hold', 'add', fx.data.subjects.heldEmail, '--reason', 'litigation');
    const state = path.join(fx.dir, '.dsar');
    expect(octal(modeOf(state))).toBe('0700');
    const files = readdirSync(state).map((f) => path.join(state, f));
    expect(files.map((f) => path.basename(f))).toContain('state.db');
    expect(modes(files, state)).toEqual(Object.fromEntries(files.map((f) => [path.basename(f), '0600'])));
  });

  test('a state directory set by DSAR_STATE_DIR is made 0700 too', async () => {
    const dir = path.join(fx.dir, 'elsewhere');
    process.env.DSAR_STATE_DIR = dir;
    try {
      expect((await dsar('requests')).code).toBe(0);
    } finally {
      delete process.env.DSAR_STATE_DIR;
    }
    expect(octal(modeOf(path.join(dir, '.dsar')))).toBe('0700');
    expect(octal(modeOf(path.join(dir, '.dsar', 'state.db')))).toBe('0600');
  });

  test('a CSV an erasure rewrites keeps its mode (0640 stays 0640, not the umask’s 0666)', async () => {
    const csv = path.join(fx.dir, 'exports', 'mailchimp', 'subscribers.csv');
    chmodSync(csv, 0o640);
    const before = statSync(csv).ino;
    const r = await dsar('erase', fx.data.subjects.eraseEmail, '--ticket', 'PERM-ERASE');
    expect(r.code).toBe(0);
    expect(statSync(csv).ino).not.toBe(before); // rewritten (atomically, as a new file)
    expect(octal(modeOf(csv))).toBe('0640');
  });
});

describe('an --out directory every user can write to', () => {
  test.each([
    ['like /tmp (1777, sticky)', 0o1777],
    ['0777 without the sticky bit', 0o777],
    ['0703 (others may write, not read)', 0o703],
  ])('%s: exit 2 with one line, nothing written, nothing recorded', async (_what, mode) => {
    const shared = path.join(fx.dir, `shared-${mode.toString(8)}`);
    mkdirSync(shared);
    chmodSync(shared, mode);
    const ticket = `WW-${mode.toString(8)}`;
    const r = await dsar('export', fx.data.subjects.exportEmail, '--ticket', ticket, '--out', shared);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`dsar: --out: ${shared} is writable by every user (mode ${mode.toString(8)}); export into a private directory, or pass --force\n`);
    expect(readdirSync(shared)).toEqual([]);
    const ledger = JSON.parse((await dsar('--json', 'requests')).stdout);
    expect(ledger.requests.map((q: { ticket: string }) => q.ticket)).not.toContain(ticket);
  });

  test('the real /tmp is refused too', async () => {
    expect(statSync('/tmp').mode & 0o002).toBe(0o002);
    const r = await dsar('export', fx.data.subjects.exportEmail, '--ticket', `WW-TMP-${process.pid}`, '--out', '/tmp');
    expect(r.code).toBe(2);
    expect(existsSync(`/tmp/WW-TMP-${process.pid}`)).toBe(false);
  });

  test('--force writes there anyway, and the package itself is still 0700/0600', async () => {
    const shared = path.join(fx.dir, 'shared-forced');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const r = await dsar('export', fx.data.subjects.exportEmail, '--ticket', 'WW-FORCED', '--out', shared, '--force');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pkg = path.join(shared, 'WW-FORCED');
    expect(octal(modeOf(pkg))).toBe('0700');
    for (const f of filesUnder(pkg)) expect(octal(modeOf(f))).toBe('0600');
  });

  test('a directory only its owner and group can write to (0775) is accepted', async () => {
    const team = path.join(fx.dir, 'team');
    mkdirSync(team);
    chmodSync(team, 0o775);
    const r = await dsar('export', fx.data.subjects.exportEmail, '--ticket', 'TEAM-1', '--out', team);
    expect(r.code).toBe(0);
    expect(octal(modeOf(path.join(team, 'TEAM-1')))).toBe('0700');
  });
});

describe('writers never follow a planted symlink', () => {
  test.each([
    ['scan --sarif', (target: string) => ['scan', '--sarif', target], (dir: string) => path.join(dir, 'report.sarif')],
    ['datamap docs --out', (target: string) => ['datamap', 'docs', '--out', path.dirname(target)], (dir: string) => path.join(dir, 'docs', 'index.html')],
  ])('%s replaces the link with its own file and leaves the link’s target as it was', async (_name, argv, targetIn) => {
    const dir = tempDir('symlink');
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'do not touch\n');
    const target = targetIn(dir);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(victim, target);

    const r = await dsar(...argv(target));

    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(lstatSync(target).isSymbolicLink()).toBe(false);
    expect(readFileSync(target, 'utf8').length).toBeGreaterThan(20);
  });
});
