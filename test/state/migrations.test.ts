// The state store's schema, applied by Kysely's Migrator: once per store, under a lock, and carried on from
// stores made before the Migrator (whose table kept `applied_at` where Kysely keeps `timestamp`).
import { afterEach, describe, expect, test } from 'vitest';
import { BACKENDS, stateFixture, type StateFixture } from './state-fixtures.ts';

const ALL = ['0001_initial', '0002_hold_identity', '0003_dp_releases', '0004_sweep_shares'];

describe.each(BACKENDS)('state migrations on %s', (backend) => {
  let fixture: StateFixture;
  afterEach(() => fixture?.dispose());

  test('a fresh store records every migration once, with the time it ran', async () => {
    fixture = await stateFixture(backend);
    const before = new Date().toISOString();
    await fixture.open();

    const rows = await fixture.query<{ name: string; timestamp: string }>('select name, timestamp from dsar_migrations order by name');
    expect(rows.map((r) => r.name)).toEqual(ALL);
    for (const r of rows) expect(r.timestamp >= before).toBe(true);
  });

  test('a store made before the Migrator keeps its migrations and gets only the one it lacks', async () => {
    fixture = await stateFixture(backend);
    const first = await fixture.open();
    const hash = first.subjectHash('email', 'ann@example.com');
    await first.ledger.append({ ticket: 'T-1', kind: 'export', event: 'started', outcome: 'in-progress', subjectHash: hash });
    await first.close();
    // What such a store looked like: its own column name, no lock table, and (here) the last migration not run yet.
    await fixture.exec(
      "alter table dsar_migrations rename column timestamp to applied_at; delete from dsar_migrations where name = '0004_sweep_shares'; drop table dsar_sweep_shares; drop table dsar_sweep_runs; drop table dsar_migrations_lock;",
    );

    const again = await fixture.open();

    expect(await fixture.query('select name from dsar_migrations order by name')).toEqual(ALL.map((name) => ({ name })));
    expect(await fixture.query('select count(*) as n from dsar_sweep_shares')).toEqual([{ n: backend === 'postgres' ? '0' : 0 }]);
    // 0001 did not run again: the subject key and the ledger are the ones made first.
    expect(again.subjectHash('email', 'ann@example.com')).toBe(hash);
    expect(await again.ledger.verify()).toEqual({ ok: true, entries: 1, problems: [] });
  });
});
