// pg-boss opened by several dsar processes at once on a fresh state database (replicas or workers started together):
// their schema installs and queue creations race; every one of them must start.
import { afterAll, expect, test } from 'vitest';
import { startBoss } from '../../src/distribute/boss.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/databases.ts';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

test('four instances starting together on a fresh database all start, three rounds running', async () => {
  for (let round = 0; round < 3; round++) {
    const db = await createPostgresDatabase('boss_race');
    databases.push(db);
    const started = await Promise.allSettled([0, 1, 2, 3].map(() => startBoss(db.url, { cronSeconds: 1, queues: ['dsar-job-a', 'dsar-job-b'], what: 'the job schedule' })));
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop({ graceful: false, wait: true, close: true }) : undefined)));

    expect(started.map((r) => (r.status === 'fulfilled' ? 'started' : String(r.reason)))).toEqual(['started', 'started', 'started', 'started']);
  }
}, 60_000);
