// `dsar scan --write-map`: what the scan finds undeclared is merged into the map (as `datamap init --merge`
// does), the user's text kept, and the map still loads and validates live.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';

let dir: string;
// A map with the user's own comments (`# our key`, `# reviewed`), which the merge must keep: one table, app.users.
const MAP = datamapFixture('scan-write-map');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-write-map-'));
  const db = new Database(path.join(dir, 'app.db'));
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, phone TEXT);
    CREATE TABLE visits (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), ip TEXT);`);
  const users = db.prepare('INSERT INTO users VALUES (?, ?, ?)');
  const visits = db.prepare('INSERT INTO visits VALUES (?, ?, ?)');
  for (let i = 1; i <= 20; i++) users.run(i, `u${i}@example.com`, `+1 415 555 01${String(i).padStart(2, '0')}`);
  for (let i = 1; i <= 40; i++) visits.run(i, 1 + (i % 20), `10.0.0.${i}`);
  db.close();
  writeFileSync(path.join(dir, 'datamap.yaml'), MAP);
  process.env.WRITE_MAP_KEY = 'write-map-key';
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function dsar(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', path.join(dir, 'datamap.yaml'), '--log-level', 'error', ...argv], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

test('scan --write-map merges the undeclared column and table into the map, keeping what was written', async () => {
  const r = await dsar(['scan', '--write-map']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1); // the scan found undeclared personal data: that is still its finding
  expect(r.stdout).toContain(`Merged into ${path.join(dir, 'datamap.yaml')}: 1 new table(s), 1 new field(s).`);
  const merged = readFileSync(path.join(dir, 'datamap.yaml'), 'utf8');
  expect(merged.startsWith(MAP)).toBe(true);
  expect(merged.slice(MAP.length)).toBe(
    [
      '      phone: { category: contact.phone, mask: null }  # high: 0.99, 20 of 20 sampled values are phone numbers',
      '',
      '  # columns: id, user_id, ip',
      '  app.visits:',
      '    key: id  # high: primary key',
      '    on_erase: anonymize  # personal fields masked, the row kept: choose delete where nothing must be kept',
      '    links:',
      '      - { column: user_id, references: app.users.id }  # high: foreign key visits_fk0',
      '    fields:',
      '      ip: { category: online.ip, mask: generalize }  # high: 0.99, 40 of 40 sampled values are IP addresses',
      '',
    ].join('\n'),
  );
  const again = await dsar(['scan']);
  expect(again.code).toBe(0);
  const live = await dsar(['datamap', 'validate', '--live']);
  expect(live.code).toBe(0);
});
