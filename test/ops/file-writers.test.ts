// One writer of a files system at a time: an erasure and a sweep of one CSV never rewrite it at once (the later
// rename would bring erased rows back). The second waits for the first, then refuses with exit 1.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { RefusedError } from '../../src/errors.ts';
import { holdFilesSystems } from '../../src/ops/file-writers.ts';
import { openStateStore, type StateStore } from '../../src/state/store.ts';

let dir: string;
let store: StateStore;
const csv = () => readFileSync(path.join(dir, 'crm', 'people.csv'), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-filelock-'));
  mkdirSync(path.join(dir, 'crm'));
  writeFileSync(path.join(dir, 'crm', 'people.csv'), 'id,email,name,seen_at\n1,ann@example.org,Ann,2020-01-01\n2,ben@example.org,Ben,2026-01-01\n');
  process.env.FILELOCK_KEY = 'file-lock-test-key';
  writeFileSync(
    path.join(dir, 'datamap.yaml'),
    `version: 1
secrets: { hmac_key: env:FILELOCK_KEY }
systems:
  crm: { kind: files, path: crm, format: csv }
retention:
  seen: { keep: 1y, after: seen_at, then: delete }
tables:
  crm.people:
    key: id
    identify: { email: email }
    retention: seen
    fields:
      name: { category: identity.name, mask: redact }
`,
  );
  store = await openStateStore({ dir });
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function dsar(...argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await main(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', ...argv], { stdout: (s) => void (stdout += s), stderr: () => {} });
  return { code, stdout };
}

describe('writers of one files system', () => {
  test('a second holder waits, then refuses; once the first lets go it gets the files', async () => {
    const first = await holdFilesSystems(store, ['crm']);
    const started = Date.now();
    await expect(holdFilesSystems(store, ['crm'], 300)).rejects.toThrow(RefusedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await first.release();
    const second = await holdFilesSystems(store, ['crm'], 300);
    await second.release();
  });

  test('an erasure waits for a writer holding the CSV, then erases once it has let go', async () => {
    const sweeping = await holdFilesSystems(store, ['crm']);
    setTimeout(() => void sweeping.release(), 1_000);
    const started = Date.now();
    const r = await dsar('erase', 'ann@example.org', '--ticket', 'LOCK-1');

    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(csv()).toBe('id,email,name,seen_at\n2,ben@example.org,Ben,2026-01-01\n');
  });

  test('a sweep whose CSV another writer keeps past the wait fails that table with exit 1 and leaves the file', async () => {
    writeFileSync(path.join(dir, 'crm', 'people.csv'), 'id,email,name,seen_at\n1,ann@example.org,Ann,2020-01-01\n2,ben@example.org,Ben,2026-01-01\n');
    const erasing = await holdFilesSystems(store, ['crm']);
    try {
      const r = await dsar('--json', 'sweep', '--as-of', '2026-06-01');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).failures).toEqual([expect.stringMatching(/^crm.people: files system crm: another dsar process has been rewriting these files for 10 s; nothing was written to them/)]);
      expect(csv()).toContain('1,ann@example.org,Ann,2020-01-01');
    } finally {
      await erasing.release();
    }
  }, 30_000);
});
