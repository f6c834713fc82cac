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

test('a key that is not unique in the data: the erasure refuses to change more rows than it planned, the file as it was', async () => {
  const root = path.join(dir, 'dupkey');
  mkdirSync(path.join(root, 'crm'), { recursive: true });
  const rows = 'id,email,name\n1,ann@example.org,Ann\n2,ben@example.org,Ben\n3,ben@example.org,Another Ben\n';
  writeFileSync(path.join(root, 'crm', 'people.csv'), rows);
  // Keyed by name, found by id: Ben's row and another person's share the key "ben@example.org".
  const map = path.join(root, 'datamap.yaml');
  writeFileSync(map, `version: 1\nsecrets: { hmac_key: env:LINKS_KEY }\nidentities: { email: lowercase-trim, account: none }\nsystems:\n  crm: { kind: files, path: crm, format: csv }\ntables:\n  crm.people: { key: email, identify: { account: id } }\n`);
  let stdout = '';
  const code = await main(['--datamap', map, '--log-level', 'silent', 'erase', '2', '--by', 'account', '--ticket', 'DUP-1'], { stdout: (s) => void (stdout += s), stderr: () => {} });

  expect(code).toBe(1);
  expect(stdout).toContain('where 1 were planned: its key (email) is not unique');
  expect(readFileSync(path.join(root, 'crm', 'people.csv'), 'utf8')).toBe(rows);
});
