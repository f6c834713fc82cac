import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemError } from '../../src/errors.ts';
import { openStateStore } from '../../src/state/store.ts';
import { BACKENDS, stateFixture, type StateFixture } from './state-fixtures.ts';

const CHILD = fileURLToPath(new URL('./append-child.ts', import.meta.url));

/** Appends 10 entries from a separate Node process; resolves to that process's hash of ann@example.com. */
async function runChild(target: string, ticket: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD, target, '10', ticket]);
  return stdout;
}

describe.each(BACKENDS)('state store on %s', (backend) => {
  let fixture: StateFixture;
  afterEach(() => fixture?.dispose());

  test('opening an existing store again runs no migration and keeps the subject key', async () => {
    fixture = await stateFixture(backend);
    const first = await fixture.open();
    const hash = first.subjectHash('email', 'ann@example.com');
    await first.close();
    const second = await fixture.open();

    expect(second.subjectHash('email', 'ann@example.com')).toBe(hash);
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }]);
    expect(await fixture.query("select count(*) as n from dsar_meta where key = 'subject_key'")).toEqual([{ n: backend === 'postgres' ? '1' : 1 }]);
  });

  test('a subject hash is HMAC-SHA-256 of type:value under the stored 32-byte key', async () => {
    fixture = await stateFixture(backend);
    const store = await fixture.open();
    const [{ value }] = await fixture.query<{ value: string }>("select value from dsar_meta where key = 'subject_key'");

    expect(Buffer.from(value, 'hex')).toHaveLength(32);
    expect(store.subjectHash('email', 'ann@example.com')).toBe(
      createHmac('sha256', Buffer.from(value, 'hex')).update('email:ann@example.com').digest('hex'),
    );
    expect(store.subjectHash('phone', 'ann@example.com')).not.toBe(store.subjectHash('email', 'ann@example.com'));
  });

  test('two installations hash the same identity differently', async () => {
    fixture = await stateFixture(backend);
    const other = await stateFixture(backend);
    try {
      const a = await fixture.open();
      const b = await other.open();
      expect(a.subjectHash('email', 'ann@example.com')).not.toBe(b.subjectHash('email', 'ann@example.com'));
    } finally {
      await other.dispose();
    }
  });

  test('the tables are prefixed dsar_', async () => {
    fixture = await stateFixture(backend);
    await fixture.open();
    const tables =
      backend === 'sqlite'
        ? await fixture.query<{ name: string }>("select name from sqlite_master where type = 'table' order by name")
        : await fixture.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' order by table_name");
    expect(tables.map((t) => t.name)).toEqual([
      'dsar_checkpoints',
      'dsar_holds',
      'dsar_job_runs',
      'dsar_ledger',
      'dsar_meta',
      'dsar_migrations',
      'dsar_optouts',
      'dsar_run_steps',
    ]);
  });
});

describe('state store on sqlite', () => {
  test('is created at <dir>/.dsar/state.db with directory 0700 and file 0600 even under umask 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dsar-state-'));
    const previous = process.umask(0);
    try {
      const store = await openStateStore({ dir });
      await store.ledger.append({ kind: 'sweep', event: 'completed', outcome: 'ok' });
      expect(store.location).toBe(path.join(dir, '.dsar', 'state.db'));
      const modes = Object.fromEntries(
        readdirSync(path.join(dir, '.dsar')).map((f) => [f, statSync(path.join(dir, '.dsar', f)).mode & 0o777]),
      );
      await store.close();

      expect(statSync(path.join(dir, '.dsar')).mode & 0o777).toBe(0o700);
      expect(modes['state.db']).toBe(0o600);
      // SQLite's WAL side files take the database file's mode.
      for (const mode of Object.values(modes)) expect(mode).toBe(0o600);
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two processes opening a fresh directory at once migrate it once and append to one chain', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dsar-state-'));
    try {
      const [a, b] = await Promise.all([runChild(dir, 'T-A'), runChild(dir, 'T-B')]);
      expect(a).toBe(b);
      const store = await openStateStore({ dir });
      expect(store.subjectHash('email', 'ann@example.com')).toBe(a);
      expect(await store.ledger.verify()).toEqual({ ok: true, entries: 20, problems: [] });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a directory that cannot hold the state is a one-line state error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dsar-state-'));
    try {
      writeFileSync(path.join(dir, '.dsar'), 'not a directory');
      const err = await openStateStore({ dir }).catch((e) => e);

      expect(err).toBeInstanceOf(SystemError);
      expect(err.message).toMatch(/^state: cannot open the state store: EEXIST/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two stores opened on one directory in one process share it and close independently', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dsar-state-'));
    try {
      const [a, b] = await Promise.all([openStateStore({ dir }), openStateStore({ dir })]);
      await Promise.all([
        a.ledger.append({ kind: 'sweep', event: 'completed', outcome: 'ok' }),
        b.ledger.append({ kind: 'sweep', event: 'completed', outcome: 'ok' }),
      ]);
      await a.close();
      expect(await b.ledger.verify()).toEqual({ ok: true, entries: 2, problems: [] });
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state store on postgres', () => {
  let fixture: StateFixture;
  afterEach(() => fixture?.dispose());

  test('two stores opening a fresh database at once migrate it once', async () => {
    fixture = await stateFixture('postgres');
    const stores = await Promise.all([fixture.open(), fixture.open(), fixture.open()]);

    expect(new Set(stores.map((s) => s.subjectHash('email', 'ann@example.com'))).size).toBe(1);
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }]);
    expect(await fixture.query("select key from dsar_meta where key = 'subject_key'")).toEqual([{ key: 'subject_key' }]);
  });

  test('two processes opening a fresh database at once migrate it once and append to one chain', async () => {
    fixture = await stateFixture('postgres');
    const [a, b] = await Promise.all([runChild(fixture.options.url!, 'T-A'), runChild(fixture.options.url!, 'T-B')]);
    expect(a).toBe(b);
    const store = await fixture.open();
    expect(await store.ledger.verify()).toEqual({ ok: true, entries: 20, problems: [] });
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }]);
  });

  test('an unreachable server is a one-line state error without the password', async () => {
    const err = await openStateStore({ url: 'postgres://dsar:s3cret@127.0.0.1:1/state' }).catch((e) => e);

    expect(err).toBeInstanceOf(SystemError);
    expect(err.message).toMatch(/^state: cannot open the state store at postgres:\/\/dsar:\*\*\*@127\.0\.0\.1:1\/state: /);
    expect(err.message).not.toContain('s3cret');
    expect(err.message).not.toContain('\n');
  });
});
