import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConnector } from '../../connectors/index.ts';
import type { Connector } from '../../connectors/connector.ts';
import { loadDataMap } from '../../src/datamap/load.ts';
import type { DataMap } from '../../src/datamap/types.ts';
import { UsageError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { planTraversal, type SubjectData } from '../../src/plan/traversal.ts';
import { traverse, type TraverseOptions } from '../../src/ops/traverse.ts';
import { execPostgres } from '../helpers/databases.ts';
import { createSubjectSchema, MARY, type SubjectSchema } from './subject-schema.ts';

let schema: SubjectSchema;
let map: DataMap;
let connectors: Map<string, Connector>;
/** SQL lookups actually sent (`select * from ... where ... in (...)`), counted by the connectors' query hook. */
let sqlLookups = 0;

beforeAll(async () => {
  schema = await createSubjectSchema('trav');
  // Two more subjects for counting queries: the same shape, 3 orders against 2,500.
  await execPostgres(
    schema.app.url,
    `INSERT INTO customers (id, email, full_name) VALUES (50, 'light@example.org', 'Light'), (51, 'heavy@example.org', 'Heavy');
     INSERT INTO orders (id, customer_id, total) SELECT g, 50, 1 FROM generate_series(5000, 5002) g;
     INSERT INTO orders (id, customer_id, total) SELECT g, 51, 1 FROM generate_series(10000, 12499) g;`,
  );
  map = loadDataMap(schema.datamap);
  connectors = new Map();
  for (const sys of Object.values(map.systems)) {
    const c = createConnector(
      { system: sys.name, kind: sys.kind, url: sys.url?.resolve(), path: sys.path, format: sys.format },
      { onQuery: ({ sql }) => void (/^select \* from .* in \(/is.test(sql) && sqlLookups++) },
    );
    await c.connect();
    connectors.set(sys.name, c);
  }
});

afterAll(async () => {
  await Promise.all([...(connectors?.values() ?? [])].map((c) => c.close()));
  await schema?.dispose();
});

function find(email: string, opts?: TraverseOptions, using = connectors): Promise<SubjectData> {
  return traverse(map, planTraversal(map, [{ type: 'email', value: email }]), using, silentLogger, opts);
}

/** table -> key values of the rows found, sorted, as text. */
function keysOf(data: SubjectData): Record<string, string[]> {
  return Object.fromEntries([...data.tables].map(([id, t]) => [id, t.keys.map((k) => k.map(String).join('/')).sort()]));
}

describe('the traversal plan', () => {
  test('lists tables breadth-first from the identity tables, each link as one step', () => {
    const plan = planTraversal(map, [{ type: 'email', value: MARY }]);

    expect(plan.order).toEqual([
      'app.customers',
      'mailchimp.members',
      'app.addresses',
      'app.orders',
      'app.notes',
      'billing.payments',
      'mailchimp.tickets',
      'billing.invoice_lines',
    ]);
    expect(plan.steps.map(({ table, via, column, from }) => [table, via, column, from])).toEqual([
      ['app.customers', 'identity', 'email', undefined],
      ['mailchimp.members', 'identity', 'email', undefined],
      ['app.addresses', 'owns', 'id', 'app.customers.address_id'],
      ['app.orders', 'references', 'customer_id', 'app.customers.id'],
      ['app.notes', 'references', 'customer_id', 'app.customers.id'],
      ['billing.payments', 'references', 'customer_ref', 'app.customers.id'],
      ['mailchimp.tickets', 'references', 'customer_id', 'app.customers.id'],
      ['billing.invoice_lines', 'references', 'order_ref', 'app.orders.id'],
      ['app.notes', 'references', 'parent_id', 'app.notes.id'],
    ]);
  });

  test('an owned table never leads back to its other owners', () => {
    const plan = planTraversal(map, [{ type: 'email', value: MARY }]);

    expect(plan.order).not.toContain('app.employees');
    expect(plan.steps.filter((s) => s.from?.startsWith('app.addresses'))).toEqual([]);
  });

  test('only the given identity type is used: a phone lookup starts from the phone column alone', () => {
    const plan = planTraversal(map, [{ type: 'phone', value: '15550100001' }]);

    expect(plan.steps.filter((s) => s.via === 'identity').map((s) => [s.table, s.column])).toEqual([['app.customers', 'phone']]);
  });

  test('an identity type the data map does not declare is a usage error', () => {
    expect(() => planTraversal(map, [{ type: 'passport', value: 'X1' }])).toThrow(UsageError);
  });
});

describe("Mary's rows", () => {
  let mary: SubjectData;
  beforeAll(async () => {
    mary = await find(MARY);
  });

  test('are exactly hers, in every system', () => {
    expect(keysOf(mary)).toEqual({
      'app.customers': ['1'],
      'mailchimp.members': ['m1', 'm4'],
      'app.addresses': ['1'],
      'app.orders': ['10', '11'],
      'app.notes': ['100', '101', '102'],
      'billing.payments': ['500'],
      'mailchimp.tickets': ['T1'],
      'billing.invoice_lines': ['INV-1/1', 'INV-1/2'],
    });
    expect(mary.unreachable).toEqual([]);
  });

  test('a namesake with a similar email is not her', () => {
    expect(mary.tables.get('app.customers')!.rows.map((r) => r.email)).toEqual(['Mary.Smith@example.org']);
    expect(mary.tables.get('mailchimp.members')!.rows.map((r) => r.email).sort()).toEqual(['  MARY.Smith@Example.ORG ', 'Mary.Smith@example.org']);
  });

  test('the address she shares brings neither the other customer nor the employee who live there', () => {
    expect(mary.tables.get('app.addresses')!.reachedBy).toEqual(['owns app.customers.address_id']);
    expect(mary.tables.has('app.employees')).toBe(false);
    expect(mary.tables.get('app.customers')!.rows.map((r) => r.id)).toEqual([1]);
  });

  test("her payment that points at another person's order through an undeclared column brings only the payment", () => {
    expect(mary.tables.get('billing.payments')!.rows.map((r) => [r.id, r.order_id])).toEqual([[500, 12]]);
    expect(mary.tables.get('app.orders')!.rows.map((r) => r.id)).toEqual([10, 11]);
  });

  test('a text column in one system meets an integer key in another, and a CSV "1" meets integer 1', () => {
    expect(mary.tables.get('billing.payments')!.reachedBy).toEqual(['references app.customers.id']);
    expect(mary.tables.get('mailchimp.tickets')!.rows).toEqual([{ ticket_id: 'T1', customer_id: '1', subject: 'Refund please' }]);
  });

  test('a self-referencing thread is followed to its last reply, one round per level', () => {
    expect(mary.tables.get('app.notes')!.rows.map((r) => r.id)).toEqual([100, 101, 102]);
    expect(mary.tables.get('app.notes')!.reachedBy).toEqual(['references app.customers.id', 'references app.notes.id']);
    // identity; customers' links; orders' and notes' links; reply 101's replies; reply 102's replies (none)
    expect(mary.rounds).toBe(5);
  });

  test('a composite key is kept per row, in key order', () => {
    const lines = mary.tables.get('billing.invoice_lines')!;
    expect(lines.keys).toEqual([
      ['INV-1', 1],
      ['INV-1', 2],
    ]);
  });
});

describe('another subject', () => {
  test("Bob, who lives at Mary's address and whose order her payment points at, gets none of her rows", async () => {
    const bob = await find('bob@example.org');

    expect(keysOf(bob)).toEqual({
      'app.customers': ['2'],
      'mailchimp.members': ['m3'],
      'app.addresses': ['1'],
      'app.orders': ['12'],
      'app.notes': ['103', '104'],
      'billing.payments': ['501'],
      'mailchimp.tickets': ['T2'],
      'billing.invoice_lines': ['INV-2/1'],
    });
  });
});

describe('counting queries', () => {
  test('2,500 orders cost the same queries as 3, plus one per extra chunk of 1,000 order ids', async () => {
    const light = await find('light@example.org');
    const heavy = await find('heavy@example.org');

    expect(light.tables.get('app.orders')!.rows).toHaveLength(3);
    expect(heavy.tables.get('app.orders')!.rows).toHaveLength(2500);
    // invoice_lines is asked for 3 order ids in one chunk, or 2,500 in three.
    expect(heavy.queries).toBe(light.queries + 2);
  });

  test('a smaller chunk size adds queries only where there are more values than one chunk holds', async () => {
    const big = await find('heavy@example.org');
    const small = await find('heavy@example.org', { chunkSize: 500 });

    expect(small.queries).toBe(big.queries + 2); // invoice_lines: 5 chunks instead of 3
    expect(keysOf(small)).toEqual(keysOf(big));
  });

  test('the count is the SQL statements really sent: one per step, round and chunk', async () => {
    const before = sqlLookups;
    const mary = await find(MARY);
    const sqlSteps = mary.queries - FILE_LOOKUPS;

    expect(sqlLookups - before).toBe(sqlSteps);
    // customers; addresses, orders, notes, payments; invoice_lines, notes; notes (replies of 101); notes (of 102)
    expect(sqlSteps).toBe(9);
  });
});

/** Mary's lookups in the CSV files: members (round 1) and tickets (round 2), one pass over each file. */
const FILE_LOOKUPS = 2;

describe('an unreachable system', () => {
  test('is named, and everything reachable is still found', async () => {
    const withoutBilling = new Map([...connectors].filter(([name]) => name !== 'billing'));
    const mary = await find(MARY, {}, withoutBilling);

    expect(mary.unreachable.map((e) => [e.system, e.table])).toEqual([['billing', undefined]]);
    expect([...mary.tables.keys()]).toEqual(['app.customers', 'mailchimp.members', 'app.addresses', 'app.orders', 'app.notes', 'mailchimp.tickets']);
  });

  test('a declared table that does not exist is reported by system and table, the others still read', async () => {
    const broken = loadDataMap(schema.writeDatamap(schemaWith('app.orders', 'app.purchases')));
    try {
      const data = await traverse(broken, planTraversal(broken, [{ type: 'email', value: MARY }]), connectors, silentLogger);
      expect(data.unreachable.map((e) => [e.system, e.table])).toEqual([['app', 'purchases']]);
      expect(keysOf(data)['app.notes']).toEqual(['100', '101', '102']);
    } finally {
      schema.writeDatamap(schemaWith('app.purchases', 'app.orders'));
    }
  });
});

/** The data map with one table renamed (its key and the links to it). */
function schemaWith(from: string, to: string): string {
  return readFileSync(schema.datamap, 'utf8').replace(`${from}:`, `${to}:`).replace(`references: ${from}.id`, `references: ${to}.id`);
}
