// The erasure plan as `dsar erase --dry-run` prints it, on the shop of test/fixtures/erase (PostgreSQL, MariaDB,
// SQLite, CSV). Nothing here changes data: every test also checks that.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOB, CARL, KIM, MARY, createShop, dsar, type Shop, type Snapshot } from '../fixtures/erase/shop.ts';

let shop: Shop;
let before: Snapshot;

beforeAll(async () => {
  shop = await createShop('eplan');
  before = await shop.snapshot();
});

afterAll(async () => {
  await shop?.dispose();
});

const plans = new Map<string, Promise<any>>();

/** The --json dry run of one subject (each asked once: nothing changes between them). */
function plan(who: string, ...flags: string[]) {
  const k = [who, ...flags].join(' ');
  if (!plans.has(k)) {
    plans.set(
      k,
      dsar(shop, '--json', 'erase', who, '--ticket', 'PLAN-1', '--dry-run', ...flags).then((run) => {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        return JSON.parse(run.stdout);
      }),
    );
  }
  return plans.get(k)!;
}

type Step = { table: string; action: string; scope?: string; columns: string[]; sever: string[]; rows: number; reason: string };
const brief = (steps: Step[]) => steps.map((s) => `${s.table} ${s.action}${s.scope ? ` ${s.scope}` : ''} ${s.rows}`);

describe('a subject who shares an address and has payments under a legal obligation (Mary)', () => {
  test('lists every table, action and row count, children before parents', async () => {
    const doc = await plan(MARY);

    expect(doc.dryRun).toBe(true);
    expect(brief(doc.plan.steps)).toEqual([
      'crm.tickets anonymize all fields 1',
      'mailchimp.members delete 1',
      'app.orders delete 2',
      'app.subscriptions delete 1',
      'billing.payments anonymize identifying fields 1',
      'billing.payments delete 1',
      'app.customers anonymize all fields 1',
      'app.addresses anonymize all fields 1',
      'app.addresses delete 1',
    ]);
  });

  test('the address shared with Bob is anonymized, not deleted, and the plan says why', async () => {
    const { plan: p } = await plan(MARY);
    const shared = p.steps.find((s: Step) => s.table === 'app.addresses' && s.action === 'anonymize');

    expect(shared.reason).toBe(
      "delete -> anonymize: still referenced by rows of app.customers that are not the subject's; still referenced by rows of app.orders that are not the subject's",
    );
    expect(shared.columns).toEqual(['line1', 'city', 'zip']);
  });

  test('a recent payment keeps its row and only its identifying fields are anonymized; a payment past 7 years is deleted', async () => {
    const { plan: p } = await plan(MARY);
    const payments = p.steps.filter((s: Step) => s.table === 'billing.payments');

    expect(payments).toEqual([
      {
        table: 'billing.payments',
        action: 'anonymize',
        scope: 'identifying fields',
        columns: ['card_holder', 'processor_ref'],
        sever: [],
        rows: 1,
        reason: 'legal-obligation (tax records): kept 7y after paid_at; identifying fields anonymized',
      },
      { table: 'billing.payments', action: 'delete', columns: [], sever: [], rows: 1, reason: 'tax-records: past 7y after paid_at; on_erase: delete' },
    ]);
  });

  test('a NOT NULL reference from a kept payment turns the customer delete into an anonymization', async () => {
    const { plan: p } = await plan(MARY);
    const customer = p.steps.find((s: Step) => s.table === 'app.customers');

    expect(customer).toMatchObject({
      action: 'anonymize',
      scope: 'all fields',
      columns: ['email', 'full_name', 'phone', 'birth_date'],
      reason: "delete -> anonymize: referenced through NOT NULL billing.payments.customer_ref by the subject's rows that stay",
    });
  });

  test('the BEFORE UPDATE trigger on customers is reported as a side effect', async () => {
    const { plan: p } = await plan(MARY);

    expect(p.sideEffects).toEqual([
      { table: 'app.customers', kind: 'trigger', target: 'customers_revision', rows: 1, detail: 'BEFORE UPDATE trigger customers_revision fires' },
    ]);
  });

  test('the text plan names tables, actions, row counts and reasons, and no value of the subject', async () => {
    const run = await dsar(shop, 'erase', MARY, '--ticket', 'PLAN-1', '--dry-run');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('erase PLAN-1 (dry run: nothing changed)');
    expect(run.stdout).toContain('billing.payments: anonymize identifying fields (card_holder, processor_ref), 1 row - legal-obligation (tax records)');
    expect(run.stdout).toContain('app.orders: delete, 2 rows - on_erase: delete');
    expect(run.stdout.toLowerCase()).not.toContain('mary');
  });
});

describe('a subject whose customer row can be deleted (Carl)', () => {
  test('ON DELETE SET NULL and ON DELETE CASCADE of undeclared tables are reported as side effects', async () => {
    const { plan: p } = await plan(CARL);

    expect(p.sideEffects).toEqual([
      {
        table: 'app.customers',
        kind: 'cascade',
        target: 'app.login_events',
        rows: 1,
        detail: 'ON DELETE CASCADE (login_events_customer_id_fkey) deletes the rows of app.login_events that reference them',
      },
      {
        table: 'app.customers',
        kind: 'set-null',
        target: 'app.sessions',
        rows: 1,
        detail: 'ON DELETE SET NULL (sessions_customer_id_fkey) changes app.sessions.customer_id in the rows that reference them',
      },
    ]);
  });

  test("the anonymized ticket lets go of the customer (its nullable link is set to NULL) so the customer can be deleted", async () => {
    const { plan: p } = await plan(CARL);

    expect(brief(p.steps)).toEqual(['crm.tickets anonymize all fields 1', 'mailchimp.members delete 1', 'app.orders delete 1', 'app.customers delete 1', 'app.addresses delete 1']);
    expect(p.steps[0].sever).toEqual(['customer_id']);
  });
});

describe('children', () => {
  test("a child detected by the table's child rule is erased in full: the tax obligation does not apply", async () => {
    const { plan: p } = await plan(KIM);

    expect(p.child).toEqual({ child: true, reason: 'app.customers.birth_date is less than 13 years ago' });
    expect(brief(p.steps)).toEqual(['app.orders delete 1', 'billing.payments delete 1', 'app.customers delete 1', 'app.addresses delete 1']);
    expect(p.steps[1].reason).toBe(
      'a child (app.customers.birth_date is less than 13 years ago): the legal obligation of tax-records does not apply; on_erase: delete',
    );
  });

  test('--child marks an adult-looking subject as a child: the recent payment is deleted, not kept', async () => {
    const adult = await plan(BOB);
    const child = await plan(BOB, '--child');

    expect(adult.plan.steps.filter((s: Step) => s.table === 'billing.payments').map((s: Step) => s.action)).toEqual(['anonymize']);
    expect(child.plan.child).toEqual({ child: true, reason: '--child' });
    expect(child.plan.steps.filter((s: Step) => s.table === 'billing.payments').map((s: Step) => s.action)).toEqual(['delete']);
  });
});

test('a dry run changes nothing anywhere and records nothing', async () => {
  await plan(MARY);
  await plan(CARL);

  expect(await shop.snapshot()).toEqual(before);
  const run = await dsar(shop, '--json', 'requests');
  expect(JSON.parse(run.stdout).requests).toEqual([]);
});

test('without secrets.hmac_key the erase stops with exit 2 before anything runs', async () => {
  const key = process.env[shop.env.hmacKey];
  delete process.env[shop.env.hmacKey];
  try {
    const run = await dsar(shop, 'erase', MARY, '--ticket', 'NOKEY-1', '--dry-run');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dsar: secrets.hmac_key is not set .*\n$/);
  } finally {
    process.env[shop.env.hmacKey] = key;
  }
  expect(await shop.snapshot()).toEqual(before);
});
