// The references between tables (live foreign keys and the data map's links) and the children-before-parents order
// that erasure and the sweep follow.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConnector } from '../../connectors/index.ts';
import type { SchemaInfo } from '../../connectors/connector.ts';
import { parseDataMap } from '../../src/datamap/load.ts';
import { childrenFirst, referenceEdges, type ReferenceEdge } from '../../src/plan/fk-order.ts';
import { createPostgresDatabase, execPostgres, type TestDatabase } from '../helpers/databases.ts';

/** An edge with only what ordering looks at. */
function edge(child: string, parent: string): ReferenceEdge {
  const [system, table] = child.split('.');
  return { child, childRef: { system, table }, childColumns: ['x'], parent, parentColumns: ['id'], source: 'map', name: `link ${child}.x`, nullable: true, childDeclared: true };
}

describe('childrenFirst', () => {
  test('puts every referencing table before the tables it references, whatever the input order', () => {
    const edges = [edge('a.orders', 'a.customers'), edge('a.customers', 'a.addresses'), edge('a.orders', 'a.addresses')];

    expect(childrenFirst(['a.addresses', 'a.customers', 'a.orders'], edges)).toEqual({ order: ['a.orders', 'a.customers', 'a.addresses'], cycles: [] });
  });

  test('keeps the input order between tables that do not reference each other', () => {
    expect(childrenFirst(['b.x', 'a.y', 'c.z'], [edge('c.z', 'a.y')]).order).toEqual(['b.x', 'c.z', 'a.y']);
  });

  test('ignores a table referencing itself (a thread of notes)', () => {
    expect(childrenFirst(['a.notes', 'a.users'], [edge('a.notes', 'a.notes'), edge('a.notes', 'a.users')])).toEqual({ order: ['a.notes', 'a.users'], cycles: [] });
  });

  test('reports a cycle and still orders every table once', () => {
    const result = childrenFirst(['a.p', 'a.q', 'a.r'], [edge('a.p', 'a.q'), edge('a.q', 'a.p'), edge('a.r', 'a.p')]);

    expect(result.cycles).toEqual([['a.p', 'a.q']]);
    expect(result.order).toEqual(['a.r', 'a.p', 'a.q']);
  });

  test('a reference through a table that is not being processed orders nothing', () => {
    expect(childrenFirst(['a.top', 'a.bottom'], [edge('a.bottom', 'a.middle'), edge('a.middle', 'a.top')]).order).toEqual(['a.top', 'a.bottom']);
  });
});

describe('referenceEdges on a live PostgreSQL schema', () => {
  let db: TestDatabase;
  let schemas: Map<string, SchemaInfo>;

  beforeAll(async () => {
    db = await createPostgresDatabase('fkorder');
    await execPostgres(
      db.url,
      `CREATE TABLE customers (id integer PRIMARY KEY);
       CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id));
       CREATE TABLE sessions (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id) ON DELETE SET NULL);
       CREATE TABLE events (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE);`,
    );
    const c = createConnector({ system: 'app', kind: 'postgres', url: db.url });
    await c.connect();
    schemas = new Map([['app', await c.introspect()]]);
    await c.close();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const map = parseDataMap(
    `version: 1
systems:
  app: { kind: postgres, url: env:NOT_NEEDED }
  crm: { kind: sqlite, path: crm.db }
tables:
  app.customers: { key: id }
  app.orders:
    key: id
    links: [ { column: customer_id, references: app.customers.id } ]
  crm.tickets:
    key: id
    links: [ { column: customer_id, references: app.customers.id } ]
`,
    'datamap.yaml',
    '/tmp',
  );

  test('every foreign key with its ON DELETE action and nullability, merged with the link that declares it; map-only links too', () => {
    const edges = referenceEdges(map, schemas)
      .map((e) => ({ child: e.child, columns: e.childColumns, parent: e.parent, source: e.source, onDelete: e.onDelete, nullable: e.nullable, declared: e.childDeclared }))
      .sort((a, b) => a.child.localeCompare(b.child));

    expect(edges).toEqual([
      { child: 'app.events', columns: ['customer_id'], parent: 'app.customers', source: 'database', onDelete: 'CASCADE', nullable: false, declared: false },
      { child: 'app.orders', columns: ['customer_id'], parent: 'app.customers', source: 'both', onDelete: 'NO ACTION', nullable: false, declared: true },
      { child: 'app.sessions', columns: ['customer_id'], parent: 'app.customers', source: 'database', onDelete: 'SET NULL', nullable: true, declared: false },
      // crm is not introspected here: an unknown column is taken as nullable (severable), never as NOT NULL.
      { child: 'crm.tickets', columns: ['customer_id'], parent: 'app.customers', source: 'map', onDelete: undefined, nullable: true, declared: true },
    ]);
  });
});
