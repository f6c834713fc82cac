// kill -9 in the middle of a sweep, then `dsar sweep` again: the result equals an uninterrupted sweep's, row for
// row. Two identical PostgreSQL databases: one swept by a process that is killed after its first checkpoint and
// then swept again, the other swept once without interruption.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPostgresDatabase, execPostgres, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { sweepFixture, tableOf, type SweepFixture } from './sweep-fixture.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'dsar.js');
// 50,000 events an hour apart from 2020-01-01: at 2026-06-15 with keep 3y, the first ~30,000 have expired.
const DATA = `create table events (id integer primary key, email varchar(120), note text, created_at timestamptz not null);
insert into events select g, 'user' || g || '@example.org', 'note ' || g, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour'
  from generate_series(1, 50000) g`;

interface Side {
  db: TestDatabase;
  f: SweepFixture;
}
let killed: Side;
let straight: Side;

async function side(name: string): Promise<Side> {
  const db = await createPostgresDatabase(`resume_${name}`);
  await execPostgres(db.url, DATA);
  const f = sweepFixture(`resume-${name}`);
  process.env[f.env.url] = db.url;
  f.writeDatamap(`version: 1
secrets: { hmac_key: env:${f.env.key} }
systems:
  app: { kind: postgres, url: env:${f.env.url} }
retention:
  events-3y: { keep: 3y, after: created_at, then: anonymize }
tables:
  app.events:
    key: id
    retention: events-3y
    fields:
      email: { category: contact.email, mask: hash }
      note:  { category: support.notes, mask: redact }
`);
  return { db, f };
}

beforeAll(async () => {
  [killed, straight] = await Promise.all([side('killed'), side('straight')]);
});
afterAll(async () => {
  for (const s of [killed, straight]) {
    s?.f.dispose();
    await s?.db.drop();
  }
});

/** The checkpoint the running sweep saved, read from its state file as another process would. */
function checkpoint(dir: string): string | undefined {
  const file = path.join(dir, '.dsar', 'state.db');
  if (!existsSync(file)) return undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("select data from dsar_checkpoints where run_key = 'sweep:app.events'").get() as { data: string } | undefined;
      return row?.data;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // not created yet
  }
}

test('a sweep killed with SIGKILL after a checkpoint, run again, ends exactly as an uninterrupted sweep', async () => {
  const { f } = killed;
  const child = spawn(process.execPath, [BIN, '--datamap', f.datamap, '--log-level', 'silent', 'sweep', '--as-of', '2026-06-15', '--batch-size', '500', '--pause-ms', '30'], {
    env: process.env,
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 60_000;
  let saved: string | undefined;
  while (!(saved = checkpoint(f.dir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(saved).toBeDefined();
  const [partial] = await queryPostgres<{ n: string }>(killed.db.url, `select count(*) as n from events where note = '[REDACTED]'`);
  expect(Number(partial.n)).toBeGreaterThan(0);
  expect(Number(partial.n)).toBeLessThan(29_000);

  const resumed = await f.sweep('--as-of', '2026-06-15', '--batch-size', '500');
  const uninterrupted = await straight.f.sweep('--as-of', '2026-06-15', '--batch-size', '500');

  expect(tableOf(resumed, 'app.events').resumed).toBe(true);
  expect(tableOf(uninterrupted, 'app.events').anonymized).toBe(tableOf(uninterrupted, 'app.events').expired);
  const all = (s: Side) => queryPostgres(s.db.url, 'select id, email, note, created_at from events order by id');
  const [a, b] = await Promise.all([all(killed), all(straight)]);
  expect(a.length).toBe(50_000);
  expect(a).toEqual(b);
  expect(checkpoint(f.dir)).toBeUndefined(); // the finished sweep leaves no checkpoint behind
}, 120_000);
