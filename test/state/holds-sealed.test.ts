import { describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, emptyStoreForEachTest, type StateFixture } from './state-fixtures.ts';

describe.each(BACKENDS)('held identities on %s', (backend) => {
  let fixture: StateFixture;
  let store: StateStore;
  emptyStoreForEachTest(backend, (opened) => ({ fixture, store } = opened));

  test('the sweep gets back every held identity, normalized, to find the held rows', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation', 'alice');
    await store.holds.add('phone', '15551234567', 'tax audit', 'alice');

    const identities = await store.holds.heldIdentities();
    expect(identities.sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'email', value: 'ann@example.com' },
      { type: 'phone', value: '15551234567' },
    ]);
    expect(await store.holds.unresolvableHolds()).toBe(0);
  });

  test('the state table holds the identity only sealed', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation', 'alice');

    const [row] = await fixture.query<{ identity_sealed: string }>('select identity_sealed from dsar_holds');
    expect(row.identity_sealed).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(row.identity_sealed).not.toContain('ann');
    expect(Buffer.from(row.identity_sealed.slice(3), 'base64').toString('latin1')).not.toContain('ann@example.com');
  });

  test('a sealed identity moved to another hold row, or a hold without one, resolves to nothing and is counted', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation', 'alice');
    await store.holds.add('email', 'bob@example.com', 'litigation', 'alice');
    const ann = store.subjectHash('email', 'ann@example.com');
    const bob = store.subjectHash('email', 'bob@example.com');
    await fixture.exec(`update dsar_holds set identity_sealed = (select identity_sealed from dsar_holds where subject_hash = '${ann}') where subject_hash = '${bob}'`);
    await store.holds.add('email', 'cy@example.com', 'litigation', 'alice');
    await fixture.exec(`update dsar_holds set identity_sealed = null where subject_hash = '${store.subjectHash('email', 'cy@example.com')}'`);

    expect(await store.holds.heldIdentities()).toEqual([{ type: 'email', value: 'ann@example.com' }]);
    expect(await store.holds.unresolvableHolds()).toBe(2);
  });

  test('lifting a hold forgets its identity', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation', 'alice');
    await store.holds.remove('email', 'ann@example.com');

    expect(await store.holds.heldIdentities()).toEqual([]);
  });
});
