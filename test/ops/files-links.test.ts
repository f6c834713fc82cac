// A CSV that is a symlink (`subscribers.csv -> archive/export-2026-12-06.csv`): erase rewrites the file the link
// names and keeps the link; a link to a file outside the system's directory is refused, nothing written.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';

let dir: string;
const ROWS = 'email,name\nann@example.org,Ann\nben@example.org,Ben\n';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-links-'));
  process.env.LINKS_KEY = 'links-test-key';
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function world(name: string, target: (sys: string) => string): { sys: string; map: string; real: string } {
  const root = path.join(dir, name);
  const sys = path.join(root, 'mailchimp');
  mkdirSync(path.join(sys, 'archive'), { recursive: true });
  const real = target(sys);
  mkdirSync(path.dirname(real), { recursive: true });
  writeFileSync(real, ROWS);
  symlinkSync(real, path.join(sys, 'subscribers.csv'));
  const map = path.join(root, 'datamap.yaml');
  writeFileSync(map, `version: 1\nsecrets: { hmac_key: env:LINKS_KEY }\nsystems:\n  mailchimp: { kind: files, path: mailchimp, format: csv }\ntables:\n  mailchimp.subscribers: { key: email, identify: { email: email } }\n`);
  return { sys, map, real };
}

async function erase(map: string, ticket: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await main(['--datamap', map, '--log-level', 'silent', 'erase', 'ann@example.org', '--ticket', ticket], { stdout: (s) => void (stdout += s), stderr: () => {} });
  return { code, stdout };
}

test('erase rewrites the file the link names, and the link stays a link to it', async () => {
  const w = world('inside', (sys) => path.join(sys, 'archive', 'export-2026-12-06.csv'));
  const r = await erase(w.map, 'LINK-1');

  expect(r.code).toBe(0);
  expect(readFileSync(w.real, 'utf8')).toBe('email,name\nben@example.org,Ben\n');
  const link = path.join(w.sys, 'subscribers.csv');
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readlinkSync(link)).toBe(w.real);
  expect(r.stdout).toContain('verification: no value of the subject remains');
});

test('a link to a file outside the system’s directory is refused: exit 1, the file and the link as they were', async () => {
  const w = world('outside', (sys) => path.join(path.dirname(sys), 'elsewhere', 'export.csv'));
  const r = await erase(w.map, 'LINK-2');

  expect(r.code).toBe(1);
  expect(r.stdout).toContain("subscribers.csv is a link to a file outside the system's directory");
  expect(readFileSync(w.real, 'utf8')).toBe(ROWS);
  expect(lstatSync(path.join(w.sys, 'subscribers.csv')).isSymbolicLink()).toBe(true);
});
