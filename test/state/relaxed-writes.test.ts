// A relaxed write (a sweep's checkpoint) skips waiting for the disk for itself only: every other write of the
// store, before and after it, still commits durably.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StateBackend } from '../../src/state/backend.ts';
import { openPostgresBackend } from '../../src/state/postgres-backend.ts';
import { openSqliteBackend } from '../../src/state/sqlite-backend.ts';
import { BACKENDS, stateFixture, type StateFixture } from './state-fixtures.ts';

const SETTING = {
  sqlite: { read: sql<{ v: number }>`select synchronous as v from pragma_synchronous`, durable: 2, relaxed: 1 },
  postgres: { read: sql<{ v: string }>`select current_setting('synchronous_commit') as v`, durable: 'on', relaxed: 'off' },
} as const;

describe.each(BACKENDS)('relaxed writes on %s', (name) => {
  let fixture: StateFixture;
  let backend: StateBackend;
  beforeAll(async () => {
    fixture = await stateFixture(name);
    await (await fixture.open()).close(); // creates the schema
    backend = fixture.options.url ? openPostgresBackend(fixture.options.url) : openSqliteBackend(fixture.options.dir!);
  });
  afterAll(async () => {
    await backend?.close();
    await fixture?.dispose();
  });

  test('the write inside does not wait for the disk; the store waits again right after', async () => {
    const read = SETTING[name].read;
    const before = (await read.execute(backend.db)).rows[0].v;
    const inside = await backend.relaxed(async (db) => (await read.execute(db)).rows[0].v);
    const after = (await read.execute(backend.db)).rows[0].v;
    expect([before, inside, after]).toEqual([SETTING[name].durable, SETTING[name].relaxed, SETTING[name].durable]);
  });

  test('a relaxed write that fails leaves the store durable', async () => {
    await expect(backend.relaxed(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await SETTING[name].read.execute(backend.db)).rows[0].v).toEqual(SETTING[name].durable);
  });
});
