import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemError, UsageError } from '../../src/errors.ts';
import { openJson } from '../../src/state/sealed-json.ts';
import { openStateStore } from '../../src/state/store.ts';
import { STATE_KEY } from '../helpers/state-key.ts';
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
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }, { name: '0003_dp_releases' }, { name: '0004_sweep_shares' }]);
    expect(await fixture.query("select key from dsar_meta where key like 'subject%' order by key")).toEqual([{ key: 'subject_key_sealed' }]);
  });

  test('a subject hash is HMAC-SHA-256 of type:value under a 32-byte key the state keeps only sealed under hmac_key', async () => {
    fixture = await stateFixture(backend);
    const store = await fixture.open();
    const [{ value }] = await fixture.query<{ value: string }>("select value from dsar_meta where key = 'subject_key_sealed'");
    const key = Buffer.from(openJson(STATE_KEY, 'subject-key', 'subject_key_sealed', value) as string, 'hex');

    expect(key).toHaveLength(32);
    expect(store.subjectHash('email', 'ann@example.com')).toBe(createHmac('sha256', key).update('email:ann@example.com').digest('hex'));
    expect(store.subjectHash('phone', 'ann@example.com')).not.toBe(store.subjectHash('email', 'ann@example.com'));
    expect(openJson(Buffer.from('another key'), 'subject-key', 'subject_key_sealed', value)).toBeUndefined();
  });

  test('without hmac_key the store lists and verifies the ledger but names no subject (exit 2)', async () => {
    fixture = await stateFixture(backend);
    const keyed = await fixture.open();
    await keyed.ledger.append({ ticket: 'T-1', kind: 'export', event: 'started', outcome: 'in-progress', subjectHash: keyed.subjectHash('email', 'ann@example.com') });
    await keyed.holds.add('email', 'ann@example.com', 'litigation');
    const bare = await openStateStore({ ...fixture.options, hmacKey: undefined });
    try {
      expect(await bare.ledger.verify()).toEqual({ ok: true, entries: 1, problems: [] });
      expect((await bare.holds.list()).map((h) => h.reason)).toEqual(['litigation']);
      expect(() => bare.subjectHash('email', 'ann@example.com')).toThrow(UsageError);
      expect(() => bare.subjectHash('email', 'ann@example.com')).toThrow(/^secrets\.hmac_key is not set/);
      await expect(bare.holds.heldIdentities()).rejects.toThrow(UsageError);
    } finally {
      await bare.close();
    }
  });

  test('another hmac_key is refused with exit 2 and changes nothing', async () => {
    fixture = await stateFixture(backend);
    await (await fixture.open()).close();
    const before = await fixture.query('select key, value from dsar_meta order by key');
    const err = await openStateStore({ ...fixture.options, hmacKey: Buffer.from('not the key it was made with') }).catch((e) => e);

    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      'the state store was sealed under another secrets.hmac_key: set the key it was made with (a new key would orphan every hold, opt-out and request on record)',
    );
    expect(await fixture.query('select key, value from dsar_meta order by key')).toEqual(before);
  });

  test('a store whose subject key is in the clear (made before keys were sealed) is sealed at the next open, its hashes, holds and ledger as they were', async () => {
    fixture = await stateFixture(backend);
    const first = await fixture.open();
    const hash = first.subjectHash('email', 'ann@example.com');
    await first.holds.add('email', 'ann@example.com', 'litigation');
    await first.ledger.append({ ticket: 'T-1', kind: 'erase', event: 'started', outcome: 'in-progress', subjectHash: hash });
    await first.close();
    // Put the store back as an older dsar left it: the key in the clear, nothing sealed.
    const [{ value }] = await fixture.query<{ value: string }>("select value from dsar_meta where key = 'subject_key_sealed'");
    const clear = openJson(STATE_KEY, 'subject-key', 'subject_key_sealed', value) as string;
    await fixture.exec(`delete from dsar_meta where key = 'subject_key_sealed'; insert into dsar_meta (key, value) values ('subject_key', '${clear}');`);

    const reopened = await fixture.open();
    expect(reopened.subjectHash('email', 'ann@example.com')).toBe(hash);
    expect(await reopened.holds.heldIdentities()).toEqual([{ type: 'email', value: 'ann@example.com' }]);
    expect(await reopened.ledger.verify()).toEqual({ ok: true, entries: 1, problems: [] });
    const meta = await fixture.query<{ key: string; value: string }>("select key, value from dsar_meta where key like 'subject%' order by key");
    expect(meta.map((m) => m.key)).toEqual(['subject_key_sealed']);
    expect(meta[0].value).not.toContain(clear);
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
      'dsar_dp_releases',
      'dsar_holds',
      'dsar_job_runs',
      'dsar_ledger',
      'dsar_meta',
      'dsar_migrations',
      'dsar_migrations_lock',
      'dsar_optouts',
      'dsar_run_steps',
      'dsar_sweep_runs',
      'dsar_sweep_shares',
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
      const store = await openStateStore({ dir, hmacKey: STATE_KEY });
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
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }, { name: '0003_dp_releases' }, { name: '0004_sweep_shares' }]);
    expect(await fixture.query("select key from dsar_meta where key like 'subject%'")).toEqual([{ key: 'subject_key_sealed' }]);
  });

  test('two processes opening a fresh database at once migrate it once and append to one chain', async () => {
    fixture = await stateFixture('postgres');
    const [a, b] = await Promise.all([runChild(fixture.options.url!, 'T-A'), runChild(fixture.options.url!, 'T-B')]);
    expect(a).toBe(b);
    const store = await fixture.open();
    expect(await store.ledger.verify()).toEqual({ ok: true, entries: 20, problems: [] });
    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual([{ name: '0001_initial' }, { name: '0002_hold_identity' }, { name: '0003_dp_releases' }, { name: '0004_sweep_shares' }]);
  });

  test('an unreachable server is a one-line state error without the password', async () => {
    const err = await openStateStore({ url: 'postgres://dsar:s3cret@127.0.0.1:1/state' }).catch((e) => e);

    expect(err).toBeInstanceOf(SystemError);
    expect(err.message).toMatch(/^state: cannot open the state store at postgres:\/\/dsar:\*\*\*@127\.0\.0\.1:1\/state: /);
    expect(err.message).not.toContain('s3cret');
    expect(err.message).not.toContain('\n');
  });
});
