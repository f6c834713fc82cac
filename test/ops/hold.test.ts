// `dsar hold add|remove|list` and what a hold does to `dsar erase`: nothing is touched, exit 1 with the hold's reason.
import { describe, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { BOB, HAL, KIM, dsar } from '../fixtures/erase/shop.ts';
import { shopDuring } from './shop-during.ts';

const shop = shopDuring('hold');

describe('placing and listing holds', () => {
  test('hold add records the hold by keyed hash; hold list shows its reason, never the identity', async () => {
    const add = await dsar(shop, 'hold', 'add', ' HAL@example.org', '--reason', 'Litigation 2024-17');
    const list = await dsar(shop, 'hold', 'list');
    const json = JSON.parse((await dsar(shop, '--json', 'hold', 'list', HAL)).stdout);

    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^legal hold placed on subject [0-9a-f]{12} \(email\): Litigation 2024-17\n$/);
    expect(list.stdout.split('\n')[0]).toMatch(/^SUBJECT\s+BY\s+SINCE\s+PLACED BY\s+REASON$/);
    expect(list.stdout).toContain('Litigation 2024-17');
    expect(list.stdout.toLowerCase()).not.toContain('hal@');
    expect(json.holds).toHaveLength(1);
    expect(json.holds[0]).toMatchObject({ identityType: 'email', reason: 'Litigation 2024-17' });
    expect(json.holds[0].subjectHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('hold add without --reason is refused as bad input (exit 2)', async () => {
    const run = await dsar(shop, 'hold', 'add', BOB);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('reason');
  });

  test('hold remove of a subject that is not held says so and changes nothing', async () => {
    const run = await dsar(shop, 'hold', 'remove', 'nobody@example.org');

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^subject [0-9a-f]{12} was not held\n$/);
  });
});

describe('erasing a held subject', () => {
  test("exits 1 with the hold's reason and touches nothing, dry run or not", async () => {
    const dry = await dsar(shop, 'erase', HAL, '--ticket', 'H-1', '--dry-run');
    const run = await dsar(shop, 'erase', HAL, '--ticket', 'H-1');

    expect(dry.code).toBe(1);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dsar: legal hold on this subject: Litigation 2024-17; nothing was erased\n');
    expect(run.stdout).toBe('');
    expect(await shop.snapshot()).toEqual(shop.atStart);
  });

  test('the refusal is in the ledger, without the reason text (it may name people)', async () => {
    const store = await openStateStore({ dir: shop.dir });
    const entries = await store.ledger.forTicket('H-1');
    await store.close();

    expect(entries.map((e) => [e.kind, e.event, e.outcome, e.detail])).toEqual([['erase', 'refused', 'refused', { reason: 'legal hold' }]]);
  });

  test("a hold placed by phone also stops an erase by email (the subject's rows carry the phone)", async () => {
    await dsar(shop, 'hold', 'add', '+1 (555) 0202', '--by', 'phone', '--reason', 'Audit B');
    const run = await dsar(shop, 'erase', BOB, '--ticket', 'H-2');
    await dsar(shop, 'hold', 'remove', '15550202', '--by', 'phone');

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dsar: legal hold on this subject: Audit B; nothing was erased\n');
    expect(await shop.snapshot()).toEqual(shop.atStart);
  });

  test('a child is not erased while held: --child ignores legal obligations, not holds', async () => {
    await dsar(shop, 'hold', 'add', KIM, '--reason', 'Custody case');
    const run = await dsar(shop, 'erase', KIM, '--ticket', 'H-3', '--child');
    await dsar(shop, 'hold', 'remove', KIM);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dsar: legal hold on this subject: Custody case; nothing was erased\n');
    expect(await shop.snapshot()).toEqual(shop.atStart);
  });

  test('once the hold is lifted, the erase goes ahead', async () => {
    const lift = await dsar(shop, 'hold', 'remove', HAL);
    const run = await dsar(shop, '--json', 'erase', HAL, '--ticket', 'H-4');
    const now = await shop.snapshot();

    expect(lift.stdout).toMatch(/^legal hold lifted from subject [0-9a-f]{12}\n$/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).verification.clean).toBe(true);
    expect(now['app.orders'].map((o) => o.id)).not.toContain(15);
    expect(JSON.parse((await dsar(shop, '--json', 'hold', 'list')).stdout).holds).toEqual([]);
  });
});
