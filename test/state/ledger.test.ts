import { userInfo } from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { GENESIS_HASH } from '../../src/state/ledger.ts';
import type { StateStore } from '../../src/state/store.ts';
import { BACKENDS, emptyStoreForEachTest, stateFixture, type StateFixture } from './state-fixtures.ts';

const at = (iso: string) => new Date(iso);

describe.each(BACKENDS)('ledger on %s', (backend) => {
  let fixture: StateFixture;
  let store: StateStore;
  emptyStoreForEachTest(backend, (opened) => ({ fixture, store } = opened));

  /** Five entries: two requests (one finished) and a sweep. */
  async function fiveEntries() {
    const ann = store.subjectHash('email', 'ann@example.com');
    const bob = store.subjectHash('email', 'bob@example.com');
    await store.ledger.append({ ticket: 'T-1', kind: 'erase', event: 'started', outcome: 'in-progress', subjectHash: ann, actor: 'alice', startedAt: at('2024-03-01T09:00:00Z'), receivedOn: '2024-03-01', law: 'gdpr' });
    await store.ledger.append({ ticket: 'T-2', kind: 'export', event: 'started', outcome: 'in-progress', subjectHash: bob, actor: 'bob', startedAt: at('2024-03-02T09:00:00Z'), receivedOn: '2024-02-20', law: 'ccpa' });
    await store.ledger.append({ ticket: 'T-2', kind: 'export', event: 'completed', outcome: 'ok', subjectHash: bob, actor: 'bob', startedAt: at('2024-03-02T09:00:00Z'), endedAt: at('2024-03-02T09:05:00Z'), rowCounts: { 'app.users': 1, 'app.orders': 3 }, detail: { files: { 'data/app/users.json': 'ab12' } } });
    await store.ledger.append({ kind: 'sweep', event: 'completed', outcome: 'ok', actor: 'cron', startedAt: at('2024-03-03T03:00:00Z'), endedAt: at('2024-03-03T03:01:00Z'), rowCounts: { 'app.users': 40 } });
    await store.ledger.append({ ticket: 'T-1', kind: 'erase', event: 'failed', outcome: 'partial', subjectHash: ann, actor: 'alice', startedAt: at('2024-03-01T09:00:00Z'), endedAt: at('2024-03-01T09:02:00Z'), detail: { residue: { 'app.users': 1 } } });
  }

  /** What verify reports on the five entries once each statement has been run on the ledger directly in SQL. */
  async function verifyAfterTampering(...statements: string[]) {
    await fiveEntries();
    for (const statement of statements) await fixture.exec(statement);
    return store.ledger.verify();
  }

  test('entries are numbered from 1 and each names the hash of the one before', async () => {
    await fiveEntries();
    const t1 = await store.ledger.forTicket('T-1');

    expect(t1.map((e) => [e.id, e.event, e.outcome])).toEqual([
      [1, 'started', 'in-progress'],
      [5, 'failed', 'partial'],
    ]);
    expect(t1[0].prevHash).toBe(GENESIS_HASH);
    const rows = await fixture.query<{ id: number; prev_hash: string; entry_hash: string }>('select id, prev_hash, entry_hash from dsar_ledger order by id');
    expect(rows.map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].entry_hash);
    expect(t1[1].detail).toEqual({ residue: { 'app.users': 1 } });
  });

  test('an untouched chain verifies', async () => {
    await fiveEntries();
    expect(await store.ledger.verify()).toEqual({ ok: true, entries: 5, problems: [] });
  });

  test('an empty ledger verifies', async () => {
    expect(await store.ledger.verify()).toEqual({ ok: true, entries: 0, problems: [] });
  });

  test('editing one entry directly in SQL is reported as that entry changed', async () => {
    const report = await verifyAfterTampering(`update dsar_ledger set outcome = 'ok' where id = 5`, `update dsar_ledger set row_counts = '{"app.users":0}' where id = 3`);
    expect(report).toEqual({
      ok: false,
      entries: 5,
      problems: ['entry 3: content changed (its fields do not match its hash)', 'entry 5: content changed (its fields do not match its hash)'],
    });
  });

  test('deleting a middle entry is reported as a gap', async () => {
    expect(await verifyAfterTampering('delete from dsar_ledger where id = 3')).toEqual({ ok: false, entries: 4, problems: ['entry 3 is missing: entry 4 follows entry 2'] });
  });

  test('deleting a middle entry and renumbering the rest is reported as a broken link', async () => {
    const result = await verifyAfterTampering(
      'delete from dsar_ledger where id = 3',
      'update dsar_ledger set id = id - 1 where id = 4',
      'update dsar_ledger set id = id - 1 where id = 5',
    );
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toBe("entry 3: its prev_hash does not match entry 2's hash (an entry was replaced)");
  });

  test('deleting the newest entries is reported against the ledger head', async () => {
    expect(await verifyAfterTampering('delete from dsar_ledger where id >= 4')).toEqual({ ok: false, entries: 3, problems: ['entries 4..5 are missing: the ledger ends at entry 3'] });
  });

  test('due dates are 30 days after receipt under GDPR and 45 under CCPA, with days left from now', async () => {
    await fiveEntries();
    const requests = await store.ledger.listRequests({ now: at('2024-03-10T23:59:00Z') });

    expect(requests).toEqual([
      { ticket: 'T-1', kind: 'erase', subjectHash: store.subjectHash('email', 'ann@example.com'), actor: 'alice', receivedOn: '2024-03-01', law: 'gdpr', dueOn: '2024-03-31', daysLeft: 21, status: 'partial', lastEvent: 'failed', updatedAt: '2024-03-01T09:02:00.000Z', open: true },
      { ticket: 'T-2', kind: 'export', subjectHash: store.subjectHash('email', 'bob@example.com'), actor: 'bob', receivedOn: '2024-02-20', law: 'ccpa', dueOn: '2024-04-05', daysLeft: 26, status: 'ok', lastEvent: 'completed', updatedAt: '2024-03-02T09:05:00.000Z', open: false },
    ]);
  });

  test('an overdue request has negative days left', async () => {
    await store.ledger.append({ ticket: 'T-9', kind: 'erase', event: 'started', outcome: 'in-progress', receivedOn: '2024-01-01' });
    const [request] = await store.ledger.listRequests({ now: at('2024-02-05T12:00:00Z') });

    expect([request.law, request.dueOn, request.daysLeft]).toEqual(['gdpr', '2024-01-31', -5]);
  });

  test('listing open requests leaves out the finished ones and work that is not a request', async () => {
    await fiveEntries();
    await store.ledger.append({ ticket: 'T-3', kind: 'erase', event: 'started', outcome: 'in-progress', receivedOn: '2024-03-04' });
    await store.ledger.append({ ticket: 'T-3', kind: 'erase', event: 'refused', outcome: 'refused', detail: { reason: 'legal hold' } });
    const open = await store.ledger.listRequests({ open: true, now: at('2024-03-10T00:00:00Z') });

    expect(open.map((r) => [r.ticket, r.status])).toEqual([['T-1', 'partial']]);
    expect((await store.ledger.listRequests()).map((r) => r.ticket)).toEqual(['T-1', 'T-3', 'T-2']);
  });

  test('an entry without an actor is recorded as the OS user running dsar', async () => {
    const entry = await store.ledger.append({ kind: 'sweep', event: 'completed', outcome: 'ok' });
    expect(entry.actor).toBe(userInfo().username);
  });

  test('a raw identity in place of a subject hash is refused', async () => {
    await expect(
      store.ledger.append({ ticket: 'T-1', kind: 'export', event: 'started', outcome: 'in-progress', subjectHash: 'ann@example.com' }),
    ).rejects.toThrow('expected a subject hash');
    expect(await store.ledger.verify()).toEqual({ ok: true, entries: 0, problems: [] });
  });
});

describe('ledger on postgres', () => {
  let fixture: StateFixture;
  afterEach(() => fixture?.dispose());

  test('two stores appending at the same time keep one chain', async () => {
    fixture = await stateFixture('postgres');
    const [a, b] = await Promise.all([fixture.open(), fixture.open()]);
    const appendMany = (store: StateStore, ticket: string) =>
      Promise.all(Array.from({ length: 15 }, () => store.ledger.append({ ticket, kind: 'export', event: 'started', outcome: 'in-progress' })));
    await Promise.all([appendMany(a, 'T-A'), appendMany(b, 'T-B')]);

    expect(await a.ledger.verify()).toEqual({ ok: true, entries: 30, problems: [] });
    const rows = await fixture.query<{ n: string; links: string }>('select count(*) as n, count(distinct prev_hash) as links from dsar_ledger');
    expect(rows).toEqual([{ n: '30', links: '30' }]);
  });
});
