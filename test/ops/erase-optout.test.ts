// `dsar optout`: recorded by keyed hash; a marketing opt-out also erases the subject's rows in the tables declared
// `purposes: [marketing]` (app.subscriptions, the mailchimp CSV) and nothing else.
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { BOB, CARL, HAL, HMAC_KEY, MARY, dsar, others } from '../fixtures/erase/shop.ts';
import { shopDuring } from './shop-during.ts';

const shop = shopDuring('optout');

test("a marketing opt-out erases the subject's rows in marketing tables only", async () => {
  const run = await dsar(shop, '--json', 'optout', MARY, '--scope', 'marketing');
  const now = await shop.snapshot();
  const doc = JSON.parse(run.stdout);

  expect(run.code).toBe(0);
  expect(doc.marketingTables).toEqual(['app.subscriptions', 'mailchimp.members']);
  expect(doc.erasure.plan.steps.map((s: { table: string; action: string; rows: number }) => `${s.table} ${s.action} ${s.rows}`)).toEqual([
    'mailchimp.members delete 1',
    'app.subscriptions delete 1',
  ]);
  expect(now['app.subscriptions']).toEqual(others(shop.atStart['app.subscriptions'], 'id', [1]));
  expect(now['mailchimp.members']).toEqual(shop.atStart['mailchimp.members'].filter((l) => !String(l.line).startsWith('m1,')));
  for (const table of ['app.customers', 'app.addresses', 'app.orders', 'billing.payments', 'crm.tickets', 'app.sessions']) {
    expect(now[table]).toEqual(shop.atStart[table]);
  }
  expect(doc.erasure.verification.clean).toBe(true);
});

test('the opt-out is recorded by keyed hash, and the ledger holds the erasure of the marketing rows', async () => {
  const store = await openStateStore({ dir: shop.dir, hmacKey: Buffer.from(HMAC_KEY) });
  const optouts = await store.optouts.list('marketing');
  const mary = store.subjectHash('email', MARY);
  await store.close();
  const db = new Database(path.join(shop.dir, '.dsar', 'state.db'), { readonly: true });
  const entries = db.prepare('SELECT kind, event, outcome, row_counts FROM dsar_ledger WHERE subject_hash = ? ORDER BY id').all(mary);
  db.close();

  expect(optouts.map((o) => o.subjectHash)).toEqual([mary]);
  expect(entries).toEqual([
    { kind: 'optout', event: 'started', outcome: 'in-progress', row_counts: '{}' },
    { kind: 'optout', event: 'completed', outcome: 'ok', row_counts: '{"app.subscriptions:delete":1,"mailchimp.members:delete":1}' },
    { kind: 'optout', event: 'verified', outcome: 'ok', row_counts: '{}' },
    { kind: 'optout', event: 'recorded', outcome: 'ok', row_counts: '{"app.subscriptions:delete":1,"mailchimp.members:delete":1}' },
  ]);
});

test('a sharing opt-out is recorded and changes no data', async () => {
  const was = await shop.snapshot();
  const run = await dsar(shop, 'optout', BOB, '--scope', 'sharing');

  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^opt-out of sharing recorded for subject [0-9a-f]{12} .*\nextracts exclude this subject from now on\n$/);
  expect(await shop.snapshot()).toEqual(was);
});

test('a held subject: the opt-out is recorded but the marketing rows stay, exit 1 with the reason', async () => {
  await dsar(shop, 'hold', 'add', HAL, '--reason', 'Case 9');
  const was = await shop.snapshot();
  const run = await dsar(shop, 'optout', HAL, '--scope', 'marketing');
  const store = await openStateStore({ dir: shop.dir, hmacKey: Buffer.from(HMAC_KEY) });
  const optedOut = await store.optouts.optedOut('marketing');
  const hal = store.subjectHash('email', HAL);
  await store.close();

  expect(run.code).toBe(1);
  expect(run.stderr).toBe("dsar: opt-out of marketing recorded, but the subject's marketing rows were not erased: legal hold on this subject: Case 9; nothing was erased\n");
  expect(optedOut.has(hal)).toBe(true);
  expect(await shop.snapshot()).toEqual(was);
});

test('an unknown scope is bad input (exit 2) and records nothing', async () => {
  const run = await dsar(shop, 'optout', CARL, '--scope', 'everything');
  const store = await openStateStore({ dir: shop.dir, hmacKey: Buffer.from(HMAC_KEY) });
  const all = await store.optouts.list();
  const carl = store.subjectHash('email', CARL);
  await store.close();

  expect(run.code).toBe(2);
  expect(all.map((o) => o.subjectHash)).not.toContain(carl);
});
