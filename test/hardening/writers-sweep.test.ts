// Concurrent writers: a `dsar sweep` on PostgreSQL and on MariaDB while four application connections keep inserting
// and updating young rows in the very tables being swept (some in two-row transactions, higher key first: the
// opposite order of the sweep's keyset). The sweep finishes with no lock error, every expired row is swept, every
// young row is exactly what the writers last committed, and no writer statement waits longer than a batch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, test } from 'vitest';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, queryMysql, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { runDsar } from './support/dsar-process.ts';
import { runYoungWriter, type Engine, type WriterReport, type YoungRow } from './support/young-writer.ts';

const AS_OF = '2025-06-01';
/** keep 1y at AS_OF: rows created before this are expired. */
const CUTOFF = '2024-06-01 00:00:00';
const ROWS = 6000;
const TABLES = ['events', 'notes', 'sessions'];
const BATCH = 200;
/** Far above one batch of 200 rows (a few ms to tens of ms), far below a lock wait timeout. */
const MAX_WAIT_MS = 2000;

const dirs: string[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Even ids 2..2*ROWS; row g is young when g % 3 === 0. */
function initialRows(): Array<{ id: number; email: string; note: string; createdAt: string; young: boolean }> {
  return Array.from({ length: ROWS }, (_, i) => {
    const g = i + 1;
    const young = g % 3 === 0;
    const at = young ? new Date(Date.UTC(2025, 0, 1) + g * 60_000) : new Date(Date.UTC(2019, 0, 1) + g * 3_600_000);
    return { id: g * 2, email: `user${g}@example.org`, note: `note ${g}`, createdAt: at.toISOString().slice(0, 19).replace('T', ' '), young };
  });
}

async function createTables(engine: Engine, url: string): Promise<void> {
  const type = engine === 'postgres' ? 'timestamptz' : 'datetime';
  const rows = initialRows();
  for (const t of TABLES) {
    const ddl = `CREATE TABLE ${t} (id integer PRIMARY KEY, email varchar(120), note varchar(200), created_at ${type} NOT NULL)`;
    const inserts: string[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000).map((r) => `(${r.id}, '${r.email}', '${r.note}', '${r.createdAt}${engine === 'postgres' ? '+00' : ''}')`);
      inserts.push(`INSERT INTO ${t} VALUES ${part.join(', ')}`);
    }
    const text = [ddl, ...inserts].join(';\n');
    await (engine === 'postgres' ? execPostgres(url, text) : execMysql(url, text));
  }
}

function datamap(kind: string): string {
  return `version: 1
secrets:
  hmac_key: env:WRITERS_HMAC_KEY
systems:
  db: { kind: ${kind}, url: env:WRITERS_DB_URL }
retention:
  one-year: { keep: 1y, after: created_at, then: anonymize }
  one-year-delete: { keep: 1y, after: created_at, then: delete }
tables:
  db.events:
    key: id
    retention: one-year
    fields:
      email: { category: contact.email, mask: hash }
      note: { category: support.notes, mask: redact }
  db.notes:
    key: id
    retention: one-year
    fields:
      email: { category: contact.email, mask: "null" }
      note: { category: support.notes, mask: redact }
  db.sessions:
    key: id
    retention: one-year-delete
    fields:
      email: { category: contact.email, mask: hash }
`;
}

/** The table being swept and the last key of its last batch, from the sweep's checkpoint. */
function sweepPosition(dir: string): { table: string; last: number } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path.join(dir, '.dsar', 'state.db'), { readonly: true, fileMustExist: true });
    const row = db.prepare(`SELECT run_key, data FROM dsar_checkpoints WHERE run_key LIKE 'sweep:db.%'`).get() as { run_key: string; data: string } | undefined;
    return row && { table: row.run_key.slice('sweep:db.'.length), last: Number(JSON.parse(row.data).last[0]) };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/** The young rows as the database holds them now, per table. */
async function youngInDatabase(engine: Engine, url: string): Promise<Map<string, Map<number, YoungRow>>> {
  const out = new Map<string, Map<number, YoungRow>>();
  for (const t of TABLES) {
    const text = `SELECT id, email, note FROM ${t} WHERE created_at >= ${engine === 'postgres' ? `'${CUTOFF}+00'` : `'${CUTOFF}'`} ORDER BY id`;
    const rows = engine === 'postgres' ? await queryPostgres<{ id: number; email: string; note: string }>(url, text) : await queryMysql<{ id: number; email: string; note: string }>(url, text);
    out.set(t, new Map(rows.map((r) => [Number(r.id), { email: r.email, note: r.note }])));
  }
  return out;
}

async function expiredLeft(engine: Engine, url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const before = engine === 'postgres' ? `'${CUTOFF}+00'` : `'${CUTOFF}'`;
  for (const t of TABLES) {
    const text = `SELECT count(*) AS n FROM ${t} WHERE created_at < ${before} AND (note IS NULL OR note <> '[REDACTED]')`;
    const [row] = engine === 'postgres' ? await queryPostgres<{ n: string }>(url, text) : await queryMysql<{ n: string }>(url, text);
    out[t] = Number(row.n);
  }
  return out;
}

test.each([
  ['PostgreSQL', 'postgres', 'postgres'],
  ['MariaDB', 'mysql', 'mysql'],
] as const)('%s: a sweep beside four writers of young rows finishes with no lock error, touches no young row, keeps every writer waiting less than a batch', async (_name, engine, kind) => {
  const db = await (engine === 'postgres' ? createPostgresDatabase('writers') : createMysqlDatabase('writers'));
  databases.push(db);
  await createTables(engine, db.url);
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-writers-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'datamap.yaml'), datamap(kind));

  const young = await youngInDatabase(engine, db.url);
  // Writer w owns the young rows whose id / 2 is w modulo 4, and inserts odd ids 8k + 1 + 2w, in random places.
  const freeIds = (w: number) => {
    const ids = Array.from({ length: ROWS / 4 }, (_, k) => 8 * k + 1 + 2 * w);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = (i * 7919 + w) % (i + 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return () => ids.pop()!;
  };
  // Follow the sweep: its checkpoint (the last key of the batch done) says where its next batch's locks will be.
  let hot: { table: string; from: number; to: number } | undefined;
  const follow = setInterval(() => {
    const at = sweepPosition(dir);
    hot = at && { table: at.table, from: at.last, to: at.last + 2 * BATCH };
  }, 10);
  let sweepDone!: () => void;
  const stop = new Promise<void>((resolve) => (sweepDone = resolve));
  const writers = [0, 1, 2, 3].map((w) =>
    runYoungWriter(
      { engine, url: db.url, tables: TABLES, young, owns: (id) => (id >> 1) % 4 === w, nextInsertId: freeIds(w), youngAt: '2025-05-01 12:00:00', seed: 42 + w, thinkMs: 5, hotSpot: () => hot },
      stop,
    ),
  );
  const sweep = await runDsar(['--datamap', 'datamap.yaml', '--json', 'sweep', '--as-of', AS_OF, '--batch-size', String(BATCH)], {
    cwd: dir,
    env: { ...process.env, WRITERS_DB_URL: db.url, WRITERS_HMAC_KEY: 'writers-hmac-key-0123456789' },
  }).finally(() => {
    clearInterval(follow);
    sweepDone();
  });
  const reports: WriterReport[] = await Promise.all(writers);

  expect(sweep.code, sweep.stderr + sweep.stdout).toBe(0);
  const doc = JSON.parse(sweep.stdout);
  expect(doc.failures).toEqual([]);
  expect(doc.tables.map((t: { table: string; expired: number; anonymized: number; deleted: number }) => [t.table, t.expired, t.anonymized + t.deleted])).toEqual(
    TABLES.map((t) => [`db.${t}`, (ROWS * 2) / 3, (ROWS * 2) / 3]),
  );
  expect(await expiredLeft(engine, db.url)).toEqual({ events: 0, notes: 0, sessions: 0 });
  // Every young row, the writers' new ones included, is exactly what the writers last committed.
  expect(await youngInDatabase(engine, db.url)).toEqual(young);
  const maxMs = Math.max(...reports.map((r) => r.maxMs));
  const statements = reports.reduce((n, r) => n + r.statements, 0);
  console.info(
    `writers beside a ${engine} sweep (${Math.round(sweep.ms)} ms): ${statements} statements, ${reports.reduce((n, r) => n + r.inserts, 0)} inserts, ` +
      `${reports.reduce((n, r) => n + r.updates, 0)} row updates, ${reports.reduce((n, r) => n + r.aborted, 0)} writer transactions broken off, ` +
      `${sweep.stderr.split('broken off by a lock conflict').length - 1} sweep batches retried, longest wait ${Math.round(maxMs)} ms`,
  );
  expect(statements).toBeGreaterThan(100);
  expect(maxMs).toBeLessThan(MAX_WAIT_MS);
}, 120_000);
