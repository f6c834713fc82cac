// `dsar erase` carried out on the shop of test/fixtures/erase (PostgreSQL, MariaDB, SQLite, CSV): what is left
// afterwards, checked with independent queries, not with the tool's own view.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { BOB, CARL, KIM, MARY, brokenReferences, createShop, dsar, findAnywhere, others, type Shop, type Snapshot } from '../fixtures/erase/shop.ts';

let shop: Shop;
let before: Snapshot;
let dryRun: any;
let erased: any;
let after: Snapshot;

/** Every value Mary's rows held (identities and identifying fields), as an independent query looks for them. */
const MARY_VALUES = [MARY, 'Mary Smith', 'M. Smith', '+1 555 0101', '1985-04-12', '1 Shared Street', '2 Mary Lane', 'ch_mary_500', 'ch_mary_501', 'My parcel is late'];

beforeAll(async () => {
  shop = await createShop('erase');
  before = await shop.snapshot();
  const dry = await dsar(shop, '--json', 'erase', MARY, '--ticket', 'T-100', '--dry-run');
  dryRun = JSON.parse(dry.stdout);
  const run = await dsar(shop, '--json', 'erase', MARY, '--ticket', 'T-100');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  erased = JSON.parse(run.stdout);
  after = await shop.snapshot();
});

afterAll(async () => {
  await shop?.dispose();
});

describe('erasing Mary', () => {
  test('did exactly what the dry run planned', () => {
    const planned = dryRun.plan.steps.map((s: any) => ({ table: s.table, action: s.action, rows: s.rows }));
    const done = erased.done.map((d: any) => ({ table: d.table, action: d.action, rows: d.changed }));

    expect(erased.plan).toEqual(dryRun.plan);
    expect(done).toEqual(planned);
  });

  test("leaves everyone else's rows byte-identical, in every system", () => {
    expect(others(after['app.customers'], 'id', [1])).toEqual(others(before['app.customers'], 'id', [1]));
    expect(others(after['app.addresses'], 'id', [1, 2])).toEqual(others(before['app.addresses'], 'id', [1, 2]));
    expect(others(after['app.orders'], 'id', [10, 11])).toEqual(others(before['app.orders'], 'id', [10, 11]));
    expect(others(after['app.subscriptions'], 'id', [1])).toEqual(others(before['app.subscriptions'], 'id', [1]));
    expect(after['app.sessions']).toEqual(before['app.sessions']);
    expect(after['app.login_events']).toEqual(before['app.login_events']);
    expect(others(after['billing.payments'], 'id', [500, 501])).toEqual(others(before['billing.payments'], 'id', [500, 501]));
    expect(others(after['crm.tickets'], 'id', [1])).toEqual(others(before['crm.tickets'], 'id', [1]));
    expect(after['mailchimp.members']).toEqual(before['mailchimp.members'].filter((l) => !String(l.line).startsWith('m1,')));
  });

  test('anonymizes the address she shares with Bob instead of deleting it, and deletes her own', () => {
    const addresses = after['app.addresses'].filter((a) => a.id === 1 || a.id === 2);

    expect(addresses).toEqual([{ id: 1, line1: '[REDACTED]', city: '[REDACTED]', zip: '93' }]);
    expect(after['app.customers'].find((c) => c.id === 2)!.address_id).toBe(1);
  });

  test('keeps the recent payment for tax with only its identifying fields anonymized, and deletes the one past 7 years', () => {
    const payments = after['billing.payments'].filter((p) => p.id === 500 || p.id === 501);
    const original = before['billing.payments'].find((p) => p.id === 500)!;

    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ id: 500, customer_ref: '1', amount: original.amount, paid_at: original.paid_at, card_holder: '[REDACTED]' });
    expect(payments[0].processor_ref).toMatch(/^[0-9a-f]{40}$/);
  });

  test('keeps her customer row (a kept payment needs it) with every field masked', () => {
    const mary = after['app.customers'].find((c) => c.id === 1)!;

    expect(mary.email).toMatch(/^[0-9a-f]{64}@erased\.invalid$/);
    expect(mary.full_name).not.toBe('Mary Smith');
    expect(mary.phone).toBeNull();
    expect(mary.birth_date).toBe(new Date(1985, 0, 1).toISOString());
  });

  test('an independent query finds no value of hers anywhere', async () => {
    expect(await findAnywhere(shop, MARY_VALUES)).toEqual([]);
  });

  test("the tool's own verification agrees: nothing left", () => {
    expect(erased.verification).toMatchObject({ clean: true, residue: [], retained: [], unreachable: [] });
    expect(erased.ok).toBe(true);
  });

  test('breaks no reference: foreign keys and cross-system links all point at existing rows', async () => {
    expect(await brokenReferences(shop)).toEqual([]);
  });

  test('the BEFORE UPDATE trigger fired once: her row was updated once', () => {
    expect(after['app.customers'].find((c) => c.id === 1)!.revision).toBe(1);
  });

  test('the ledger records the erasure started, completed with row counts, and verified with no residue', async () => {
    const store = await openStateStore({ dir: shop.dir });
    const entries = await store.ledger.forTicket('T-100');
    await store.close();

    expect(entries.map((e) => [e.kind, e.event, e.outcome])).toEqual([
      ['erase', 'started', 'in-progress'],
      ['erase', 'completed', 'ok'],
      ['erase', 'verified', 'ok'],
    ]);
    expect(entries[1].rowCounts).toEqual({
      'app.addresses:anonymize': 1,
      'app.addresses:delete': 1,
      'app.customers:anonymize': 1,
      'app.orders:delete': 2,
      'app.subscriptions:delete': 1,
      'billing.payments:anonymize': 1,
      'billing.payments:delete': 1,
      'crm.tickets:anonymize': 1,
      'mailchimp.members:delete': 1,
    });
    expect(entries[2].detail).toEqual({ residue: 0, retained: 0, unsearched: 0, where: [] });
    expect(entries[0].dueOn).not.toBeNull();
    expect(JSON.stringify(entries).toLowerCase()).not.toContain('mary');
  });

  test('the text output states what verification searched', async () => {
    const r = await dsar(shop, 'erase', MARY, '--ticket', 'T-100');
    expect(r.stdout).toContain(`verification: no value of the subject remains (searched ${erased.verification.searched.columns} identifying columns of ${erased.verification.searched.tables} tables in 4 systems)`);
    expect(erased.verification.searched.systems).toBe(4);
  });

  test('an erase that finds no row of the subject says so, exit 0, in text and --json', async () => {
    const text = await dsar(shop, 'erase', 'nobody@example.org', '--ticket', 'T-NOBODY');
    const json = await dsar(shop, '--json', 'erase', 'nobody@example.org', '--ticket', 'T-NOBODY');

    expect([text.code, json.code]).toEqual([0, 0]);
    expect(text.stdout).toContain('no rows found for the email given: check the identity and its type (--by), or it was erased before\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ rowsFound: 0, identityType: 'email', ok: true });
    expect(text.stdout).not.toContain('nobody');
  });

  test('a second erase, under a new ticket or the same one, changes nothing', async () => {
    const again = await dsar(shop, '--json', 'erase', MARY, '--ticket', 'T-101');
    const same = await dsar(shop, '--json', 'erase', MARY, '--ticket', 'T-100');

    expect([again.code, same.code]).toEqual([0, 0]);
    expect(JSON.parse(again.stdout).plan.steps).toEqual([]);
    expect(JSON.parse(same.stdout).plan.steps).toEqual([]);
    expect(await shop.snapshot()).toEqual(after);
  });
});

describe('erasing others', () => {
  test("deleting Carl's customer row lets the database null his session and cascade to his login events, as the plan said", async () => {
    const run = await dsar(shop, '--json', 'erase', CARL, '--ticket', 'T-200');
    const now = await shop.snapshot();

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).plan.sideEffects.map((e: any) => `${e.kind} ${e.target} ${e.rows}`)).toEqual(['cascade app.login_events 1', 'set-null app.sessions 1']);
    expect(now['app.sessions'].find((s) => s.id === 1)).toEqual({ id: 1, customer_id: null, user_agent: 'Firefox' });
    expect(now['app.login_events'].map((e) => e.id)).toEqual([2]);
    expect(now['app.customers'].map((c) => c.id)).not.toContain(3);
    expect(now['crm.tickets'].find((t) => t.id === 3)).toMatchObject({ customer_id: null, body: '[REDACTED]' });
    expect(await brokenReferences(shop)).toEqual([]);
    expect(await findAnywhere(shop, [CARL, 'Carl Berg', '3 Carl Court', 'Cancel my account', '+47 555 0303'])).toEqual([]);
  });

  test("a child's recent payment is deleted, not kept for tax", async () => {
    const run = await dsar(shop, '--json', 'erase', KIM, '--ticket', 'T-300');
    const now = await shop.snapshot();

    expect(run.code).toBe(0);
    expect(now['billing.payments'].map((p) => p.id)).not.toContain(503);
    expect(now['app.customers'].map((c) => c.id)).not.toContain(4);
    expect(await findAnywhere(shop, [KIM, 'Kim Young', '4 Kim Close', 'ch_kim_503'])).toEqual([]);
  });

  test('with a system unreachable nothing is erased anywhere: exit 1, naming the system, the request recorded as failed', async () => {
    const was = await shop.snapshot();
    const url = process.env[shop.env.billing];
    process.env[shop.env.billing] = 'mysql://root@127.0.0.1:1/nowhere';
    let run;
    try {
      run = await dsar(shop, 'erase', BOB, '--ticket', 'T-400');
    } finally {
      process.env[shop.env.billing] = url;
    }
    const store = await openStateStore({ dir: shop.dir });
    const entries = await store.ledger.forTicket('T-400');
    await store.close();

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^dsar: nothing was erased: billing: cannot connect to 127\.0\.0\.1:1\/nowhere: .*; run again once every system is reachable\n$/);
    expect(await shop.snapshot()).toEqual(was);
    expect(entries.map((e) => [e.event, e.outcome, e.receivedOn !== null])).toEqual([['failed', 'failed', true]]);
  });

  test('an erase of a ticket that another process is erasing right now is refused: exit 1, nothing touched or recorded', async () => {
    const was = await shop.snapshot();
    const store = await openStateStore({ dir: shop.dir });
    const hold = await store.hold('erase:T-500');
    let run;
    try {
      run = await dsar(shop, 'erase', BOB, '--ticket', 'T-500');
    } finally {
      if (!hold.held) await hold.release();
    }
    const entries = await store.ledger.forTicket('T-500');
    await store.close();

    expect(hold.held).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dsar: erase:T-500: another dsar process is running this erasure now; nothing was done. Run it again once that one has ended\n');
    expect(await shop.snapshot()).toEqual(was);
    expect(entries).toEqual([]);
  });

  test('dsar verify searches every text column of the four systems: nothing of Mary after her erasure', async () => {
    const r = await dsar(shop, '--json', 'verify', MARY);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ clean: true, hits: [], searched: { systems: 4, tables: 8, columns: 19 } });
  });

  test('dsar verify of Bob, never erased, lists his places; a text key (the CSV is keyed by email) by keyed hash only', async () => {
    const r = await dsar(shop, 'verify', BOB);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  app.customers.email key (2)\n');
    expect(r.stdout).toMatch(/ {2}mailchimp\.members\.email key \(#[0-9a-f]{12}\)\n/);
    expect(r.stdout.toLowerCase()).not.toContain(BOB.toLowerCase());
  });

  test('an export under the erasure ticket is refused with exit 2 and writes no package', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'dsar-erase-export-'));
    try {
      const r = await dsar(shop, 'export', MARY, '--ticket', 'T-100', '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('dsar: --ticket T-100 is an erasure request (erase); an access request (export) needs a ticket of its own. Nothing was done\n');
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('an erasure under an access ticket is refused with exit 2, and the ledger keeps the access request alone', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'dsar-erase-export-'));
    try {
      expect((await dsar(shop, 'export', BOB, '--ticket', 'T-ACCESS', '--out', out)).code).toBe(0);
      const r = await dsar(shop, 'erase', BOB, '--ticket', 'T-ACCESS');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('dsar: --ticket T-ACCESS is an access request (export); an erasure request (erase) needs a ticket of its own. Nothing was done\n');
      const entries = JSON.parse((await dsar(shop, '--json', 'requests')).stdout).requests.filter((x: { ticket: string }) => x.ticket === 'T-ACCESS');
      expect(entries.map((x: { kind: string }) => x.kind)).toEqual(['export']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('another subject under the erasure ticket is refused with exit 2, dry run or not', async () => {
    for (const flags of [['--dry-run'], []]) {
      const r = await dsar(shop, 'erase', BOB, '--ticket', 'T-100', ...flags);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('dsar: --ticket T-100 is the request of another subject; use a new ticket. Nothing was done\n');
    }
  });

  test("Bob's rows are still exactly as they were", async () => {
    const now = await shop.snapshot();
    const bob = (t: string, column: string, id: unknown) => now[t].filter((r) => r[column] === id);
    const was = (t: string, column: string, id: unknown) => before[t].filter((r) => r[column] === id);

    expect(bob('app.customers', 'email', BOB)).toEqual(was('app.customers', 'email', BOB));
    expect(bob('app.orders', 'customer_id', 2)).toEqual(was('app.orders', 'customer_id', 2));
    expect(bob('billing.payments', 'customer_ref', '2')).toEqual(was('billing.payments', 'customer_ref', '2'));
    expect(bob('crm.tickets', 'customer_id', 2)).toEqual(was('crm.tickets', 'customer_id', 2));
  });
});
