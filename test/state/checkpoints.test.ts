import { describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, emptyStoreForEachTest } from './state-fixtures.ts';

describe.each(BACKENDS)('checkpoints on %s', (backend) => {
  let store: StateStore;
  emptyStoreForEachTest(backend, (opened) => ({ store } = opened));

  test('a run without a checkpoint loads nothing', async () => {
    expect(await store.checkpoints.load('sweep:app.users')).toBeUndefined();
    expect(await store.checkpoints.doneSteps('erase:T-1')).toEqual(new Map());
  });

  test('the latest save is what a resumed run loads, whether or not it waited for the disk', async () => {
    await store.checkpoints.save('sweep:app.users', 'anonymize', { after: [100] }, { now: new Date('2024-03-01T03:00:00Z') });
    await store.checkpoints.save('sweep:app.users', 'anonymize', { after: [200], done: 2 }, { now: new Date('2024-03-01T03:00:05Z'), relaxed: true });
    await store.checkpoints.save('sweep:app.orders', 'delete', { after: ['k'] });

    expect(await store.checkpoints.load('sweep:app.users')).toEqual({ step: 'anonymize', data: { after: [200], done: 2 }, savedAt: '2024-03-01T03:00:05.000Z' });
  });

  test('done steps come back with their detail; marking a step twice keeps the first mark', async () => {
    await store.checkpoints.markDone('erase:T-1', 'app.orders', { anonymized: 3 }, new Date('2024-03-01T09:00:00Z'));
    await store.checkpoints.markDone('erase:T-1', 'app.users', { deleted: 1 }, new Date('2024-03-01T09:00:01Z'));
    await store.checkpoints.markDone('erase:T-1', 'app.orders', { anonymized: 0 }, new Date('2024-03-01T09:05:00Z'));
    await store.checkpoints.markDone('erase:T-2', 'app.users', { deleted: 1 });

    expect(await store.checkpoints.doneSteps('erase:T-1')).toEqual(
      new Map<string, unknown>([
        ['app.orders', { anonymized: 3 }],
        ['app.users', { deleted: 1 }],
      ]),
    );
  });

  test('clearing a run forgets its checkpoint and done steps, and only its own', async () => {
    await store.checkpoints.save('erase:T-1', 'traverse', { found: 4 });
    await store.checkpoints.markDone('erase:T-1', 'app.users');
    await store.checkpoints.markDone('erase:T-2', 'app.users');
    await store.checkpoints.clear('erase:T-1');

    expect(await store.checkpoints.load('erase:T-1')).toBeUndefined();
    expect(await store.checkpoints.doneSteps('erase:T-1')).toEqual(new Map());
    expect([...(await store.checkpoints.doneSteps('erase:T-2')).keys()]).toEqual(['app.users']);
  });
});
