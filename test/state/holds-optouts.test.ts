import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, emptyStoreForEachTest, stateFixture } from './state-fixtures.ts';

const at = (iso: string) => new Date(iso);

describe.each(BACKENDS)('holds and opt-outs on %s', (backend) => {
  let store: StateStore;
  emptyStoreForEachTest(backend, (opened) => ({ store } = opened));

  const hash = (type: string, value: string) => store.subjectHash(type, value);

  test('a held subject is known by its hash, with the reason and who placed the hold', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation 2024-17', 'alice', at('2024-03-01T10:00:00Z'));

    expect(await store.holds.list()).toEqual([
      { subjectHash: hash('email', 'ann@example.com'), identityType: 'email', reason: 'litigation 2024-17', actor: 'alice', createdAt: '2024-03-01T10:00:00.000Z' },
    ]);
    expect(await store.holds.heldSubjects()).toEqual(new Set([hash('email', 'ann@example.com')]));
  });

  test('isHeld answers the hold reason for any of a subject hashes, and nothing for others', async () => {
    await store.holds.add('phone', '15551234567', 'tax audit', 'alice');

    expect(await store.holds.isHeld([hash('email', 'ann@example.com'), hash('phone', '15551234567')])).toBe('tax audit');
    expect(await store.holds.isHeld([hash('email', 'bob@example.com')])).toBeUndefined();
    expect(await store.holds.isHeld([])).toBeUndefined();
  });

  test('holding a held subject again replaces the reason', async () => {
    await store.holds.add('email', 'ann@example.com', 'first matter', 'alice');
    await store.holds.add('email', 'ann@example.com', 'second matter', 'bob');

    expect((await store.holds.list()).map((h) => [h.reason, h.actor])).toEqual([['second matter', 'bob']]);
  });

  test('removing a hold releases the subject; removing a missing hold says so', async () => {
    await store.holds.add('email', 'ann@example.com', 'litigation', 'alice');

    expect(await store.holds.remove('email', 'ann@example.com')).toBe(true);
    expect(await store.holds.remove('email', 'ann@example.com')).toBe(false);
    expect(await store.holds.heldSubjects()).toEqual(new Set());
  });

  test('a hold without a reason is refused', async () => {
    await expect(store.holds.add('email', 'ann@example.com', '  ', 'alice')).rejects.toThrow('a legal hold needs a reason');
  });

  test('opt-outs are kept per scope by subject hash', async () => {
    await store.optouts.add('email', 'ann@example.com', 'sharing', 'alice', at('2024-03-01T10:00:00Z'));
    await store.optouts.add('email', 'bob@example.com', 'marketing', 'alice', at('2024-03-01T11:00:00Z'));
    await store.optouts.add('email', 'ann@example.com', 'sharing', 'bob', at('2024-03-02T10:00:00Z'));

    expect(await store.optouts.optedOut('sharing')).toEqual(new Set([hash('email', 'ann@example.com')]));
    expect(await store.optouts.optedOut('marketing')).toEqual(new Set([hash('email', 'bob@example.com')]));
    expect(await store.optouts.list()).toEqual([
      { subjectHash: hash('email', 'ann@example.com'), identityType: 'email', scope: 'sharing', actor: 'alice', createdAt: '2024-03-01T10:00:00.000Z' },
      { subjectHash: hash('email', 'bob@example.com'), identityType: 'email', scope: 'marketing', actor: 'alice', createdAt: '2024-03-01T11:00:00.000Z' },
    ]);
    expect((await store.optouts.list('marketing')).map((o) => o.subjectHash)).toEqual([hash('email', 'bob@example.com')]);
  });

  test('an unknown opt-out scope is refused', async () => {
    await expect(store.optouts.add('email', 'ann@example.com', 'everything' as 'sharing', 'alice')).rejects.toThrow('unknown opt-out scope: everything');
  });
});

describe('the SQLite state file', () => {
  test('never contains a raw identity held, opted out or requested', async () => {
    const fixture = await stateFixture('sqlite');
    try {
      const store = await fixture.open();
      const subject = store.subjectHash('email', 'carol.raw@example.com');
      await store.holds.add('email', 'carol.raw@example.com', 'litigation', 'alice');
      await store.optouts.add('email', 'carol.raw@example.com', 'marketing', 'alice');
      await store.optouts.add('phone', '15559876543', 'sharing', 'alice');
      await store.ledger.append({ ticket: 'T-7', kind: 'erase', event: 'started', outcome: 'in-progress', subjectHash: subject, receivedOn: '2024-03-01' });
      await store.close();

      const stateDir = path.join(fixture.options.dir!, '.dsar');
      const bytes = Buffer.concat(readdirSync(stateDir).map((f) => readFileSync(path.join(stateDir, f))));
      expect(bytes.includes(Buffer.from(subject))).toBe(true); // the data is there, by hash
      expect(bytes.includes(Buffer.from('carol.raw@example.com'))).toBe(false);
      expect(bytes.includes(Buffer.from('carol.raw'))).toBe(false);
      expect(bytes.includes(Buffer.from('15559876543'))).toBe(false);
    } finally {
      await fixture.dispose();
    }
  });
});
