// Row-number keys (`key: _row`) are not stable: an erasure killed after its plan was stored, then a file that gains
// a row at the top (a re-export), must not delete by the stored row numbers, which now name other people's rows.
// The plan was made against another version of the file, so it is made again.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, test } from 'vitest';
import { runDsar } from './support/dsar-process.ts';
import { doneSteps } from './support/state-probe.ts';
import { removeDir, tempDir } from './helpers.ts';

const dir = tempDir('crash-rows');
afterAll(() => removeDir(dir));

test('killed after its first step, the file re-exported with a new first row: the rerun erases the subject, nobody else', async () => {
  const db = new Database(path.join(dir, 'app.db'));
  db.exec(`CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text);
    INSERT INTO users VALUES (1, 'ann@example.org', 'Ann'), (2, 'ben@example.org', 'Ben');`);
  db.close();
  mkdirSync(path.join(dir, 'crm'));
  const list = path.join(dir, 'crm', 'list.csv');
  writeFileSync(list, 'email,name\nann@example.org,Ann\nben@example.org,Ben\n');
  writeFileSync(
    path.join(dir, 'datamap.yaml'),
    `version: 1
secrets: { hmac_key: env:ROWS_KEY }
systems:
  app: { kind: sqlite, path: app.db }
  crm: { kind: files, path: crm, format: csv }
tables:
  crm.list: { key: _row, identify: { email: email } }
  app.users:
    key: id
    links: [{ column: email, references: crm.list.email }]
`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, ROWS_KEY: 'crash-rows-key' };
  delete env.DSAR_STATE_DIR;
  delete env.DSAR_STATE_URL;
  const args = ['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'silent', 'erase', 'ann@example.org', '--ticket', 'ROWS-1'];

  // app.users (the child) goes first; the kill comes in the pause after it, before the file is touched.
  const killed = await runDsar([...args, '--pause-ms', '4000'], { cwd: dir, env, pollMs: 5, killWhen: () => doneSteps(dir, 'erase:ROWS-1', 'g1:%') >= 1 });
  expect(killed.signal).toBe('SIGKILL');
  expect(readFileSync(list, 'utf8')).toBe('email,name\nann@example.org,Ann\nben@example.org,Ben\n');

  writeFileSync(list, 'email,name\ncy@example.org,Cy\nann@example.org,Ann\nben@example.org,Ben\n');
  const again = await runDsar(args, { cwd: dir, env });

  expect(again.code, again.stderr).toBe(0);
  expect(readFileSync(list, 'utf8')).toBe('email,name\ncy@example.org,Cy\nben@example.org,Ben\n');
}, 60_000);
