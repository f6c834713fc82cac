// A CSV export of 200,000 rows: `validate --live` checks its key over every row (it once spread the counts into
// Math.max and overflowed the call stack), and `datamap init` keys it by its id column, read whole.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadDataMap } from '../../src/datamap/load.ts';

const ROWS = 200_000;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-big-csv-'));
  mkdirSync(path.join(dir, 'crm'));
  const lines = ['id,email,status'];
  for (let i = 1; i <= ROWS; i++) lines.push(`${i},m${i}@example.com,${i % 3 ? 'active' : 'gone'}`);
  writeFileSync(path.join(dir, 'crm', 'members.csv'), lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('init keys a 200,000-row file by its id, and validate --live checks that key over every row', async () => {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) };
  const map = path.join(dir, 'datamap.yaml');
  expect(await main(['--datamap', map, '--log-level', 'error', 'datamap', 'init', '--system', `crm=files:${path.join(dir, 'crm')}`], io)).toBe(0);
  expect(stderr).toBe('');
  expect(loadDataMap(map).tables['crm.members'].key).toEqual(['id']);
  expect(await main(['--datamap', map, '--log-level', 'error', '--json', 'datamap', 'validate', '--live'], io)).toBe(0);
  const doc = JSON.parse(stdout.slice(stdout.indexOf('{')));
  expect([doc.errors, doc.unreachable]).toEqual([[], []]);
}, 120_000);
