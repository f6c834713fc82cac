// A sweep's checkpoint holds the last key done; when the key is an email, it is sealed under a key derived from
// secrets.hmac_key, so that the state database never holds the address, and the next run still resumes from it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-ckseal-'));
  const db = new Database(path.join(dir, 'app.db'));
  db.exec(`CREATE TABLE subs (email text PRIMARY KEY, seen_at text);
    INSERT INTO subs VALUES ('a-first@example.org', '2020-01-01'), ('b-second@example.org', '2020-01-01'), ('c-third@example.org', '2020-01-01'), ('d-fourth@example.org', '2020-01-01');
    CREATE TRIGGER refuse BEFORE DELETE ON subs WHEN old.email LIKE 'c-%' BEGIN SELECT raise(abort, 'not now'); END;`);
  db.close();
  process.env.CKSEAL_KEY = 'checkpoint-seal-key';
  writeFileSync(
    path.join(dir, 'datamap.yaml'),
    `version: 1\nsecrets: { hmac_key: env:CKSEAL_KEY }\nsystems:\n  app: { kind: sqlite, path: app.db }\nretention:\n  r: { keep: 1y, after: seen_at, then: delete }\ntables:\n  app.subs: { key: email, identify: { email: email }, retention: r }\n`,
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sweep(): Promise<{ code: number; doc: any }> {
  let stdout = '';
  const code = await main(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', '--json', 'sweep', '--batch-size', '1', '--as-of', '2026-06-01'], {
    stdout: (s) => void (stdout += s),
    stderr: () => {},
  });
  return { code, doc: JSON.parse(stdout) };
}

test('a sweep stopped mid-way leaves no key of its table in the state database, and the next run resumes from it', async () => {
  const first = await sweep();
  expect(first.code).toBe(1);
  // a and b, and d when its batch was already in flight as c failed: every committed row is counted.
  const remaining = () => {
    const db = new Database(path.join(dir, 'app.db'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM subs').get() as { n: number }).n;
    db.close();
    return n;
  };
  expect(first.doc.tables[0].deleted).toBe(4 - remaining());

  const state = path.join(dir, '.dsar');
  const bytes = readdirSync(state).map((f) => readFileSync(path.join(state, f)).toString('latin1')).join('');
  expect(bytes).not.toContain('example.org');
  expect(bytes).not.toContain('second');

  const db = new Database(path.join(dir, 'app.db'));
  db.exec('DROP TRIGGER refuse');
  db.close();
  const again = await sweep();
  expect(again.code).toBe(0);
  expect(again.doc.tables[0]).toMatchObject({ resumed: true, deleted: 4 - first.doc.tables[0].deleted });
  expect(remaining()).toBe(0);
});
