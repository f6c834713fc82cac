import { describe, expect, test } from 'vitest';
import type { ColumnInfo, SchemaInfo, TableInfo } from '../../connectors/connector.ts';
import { parseDuration } from '../../src/datamap/duration.ts';
import { UsageError } from '../../src/errors.ts';
import { buildSweepPlan, expiryCutoff, hasExpired, resolveAsOf, selectSweptTables } from '../../src/plan/sweep-plan.ts';
import { load } from '../datamap/helpers.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const at = (iso: string) => new Date(iso);
const cutoff = (asOf: string, keep: string) => expiryCutoff(at(asOf), parseDuration(keep)!).toISOString();

describe('--as-of', () => {
  test('defaults to now; a date is midnight UTC; a date-time without a zone is UTC', () => {
    expect(resolveAsOf(undefined, NOW)).toBe(NOW);
    expect(resolveAsOf('2025-02-28', NOW).toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(resolveAsOf('2025-02-28 13:45', NOW).toISOString()).toBe('2025-02-28T13:45:00.000Z');
    expect(resolveAsOf('2025-02-28T13:45:00+02:00', NOW).toISOString()).toBe('2025-02-28T11:45:00.000Z');
  });

  test('later than now is refused (exit 2), even by a second', () => {
    expect(() => resolveAsOf('2026-11-25T10:00:01Z', NOW)).toThrow(UsageError);
    expect(() => resolveAsOf('2026-11-26', NOW)).toThrow('--as-of 2026-11-26 is later than now (2026-11-25T10:00:00.000Z)');
    expect(resolveAsOf('2026-11-25T10:00:00Z', NOW).toISOString()).toBe(NOW.toISOString());
  });

  test('a day that is not on the calendar, or not a date at all, is refused', () => {
    expect(() => resolveAsOf('2025-02-29', NOW)).toThrow('--as-of: expected a date (YYYY-MM-DD) or an ISO date-time, got "2025-02-29"');
    expect(() => resolveAsOf('yesterday', NOW)).toThrow(UsageError);
  });
});

describe('expiry is calendar arithmetic in UTC', () => {
  test.each([
    ['3y before 29 February 2028 is 28 February 2025 (the day is clamped to the month)', [['2028-02-29T00:00:00Z', '3y', '2025-02-28T00:00:00.000Z']]],
    ['4y before 29 February 2028 is 29 February 2024', [['2028-02-29T00:00:00Z', '4y', '2024-02-29T00:00:00.000Z']]],
    [
      '1m before 31 March is the last day of February, in leap and common years',
      [
        ['2024-03-31T08:00:00Z', '1m', '2024-02-29T08:00:00.000Z'],
        ['2025-03-31T08:00:00Z', '1m', '2025-02-28T08:00:00.000Z'],
      ],
    ],
    [
      '18m crosses a year; days and hours are exact',
      [
        ['2026-06-15T00:00:00Z', '18m', '2024-12-15T00:00:00.000Z'],
        ['2024-03-01T00:00:00Z', '1d', '2024-02-29T00:00:00.000Z'],
        ['2024-03-01T00:00:00Z', '12h', '2024-02-29T12:00:00.000Z'],
      ],
    ],
  ])('%s', (_name, cases) => {
    // Each case: [as of, keep, the cutoff].
    for (const [asOf, keep, expected] of cases) expect(cutoff(asOf, keep)).toBe(expected);
  });

  test('a row exactly `keep` old has not expired; a millisecond older has', () => {
    const c = at('2023-06-15T00:00:00Z');
    expect(hasExpired(at('2023-06-15T00:00:00.000Z'), c)).toBe(false);
    expect(hasExpired(at('2023-06-14T23:59:59.999Z'), c)).toBe(true);
  });
});

// test/fixtures/datamaps/sweep-plan.yaml: retention closed (2y after closed_at, delete) on app.customers, app.lines
// and crm.customers; tax (7y after created_at, anonymize) on app.orders; app.notes without retention.
const MAP = datamapFixture('sweep-plan');

function col(name: string): ColumnInfo {
  return { name, type: 'text', family: name.endsWith('_at') ? 'timestamp' : 'text', nullable: true, maxLength: null, unique: false };
}
function table(name: string, columns: string[], primaryKey: string[], fks: TableInfo['foreignKeys'] = []): TableInfo {
  return { name, kind: 'table', columns: columns.map(col), primaryKey, indexes: [], foreignKeys: fks, partitions: [], partitionKey: [], triggers: [], estimatedRows: 0 };
}
const APP: SchemaInfo = {
  tables: [
    table('customers', ['id', 'name', 'closed_at'], ['id']),
    table('orders', ['id', 'customer_id', 'ship_to', 'created_at'], ['id']),
    table('lines', ['order_id', 'line_no', 'sku', 'closed_at'], ['order_id', 'line_no'], [
      { name: 'lines_order', columns: ['order_id'], refTable: 'orders', refColumns: ['id'], onDelete: 'CASCADE' },
    ]),
    table('notes', ['id', 'body'], ['id']),
  ],
};

describe('the plan', () => {
  test('holds every table with a rule, children before parents, each with its cutoff, action, key and masks', () => {
    const plan = buildSweepPlan(load(MAP), new Map([['app', APP]]), {}, at('2026-06-15T00:00:00Z'));

    expect(plan.tables.map((t) => [t.id, t.action, t.cutoff.toISOString(), t.key.join('+'), t.masks.map((m) => m.column).join(',')])).toEqual([
      ['app.lines', 'delete', '2024-06-15T00:00:00.000Z', 'order_id+line_no', ''],
      ['app.orders', 'anonymize', '2019-06-15T00:00:00.000Z', 'id', 'ship_to'],
      ['app.customers', 'delete', '2024-06-15T00:00:00.000Z', 'id', 'name'],
    ]);
    expect(plan.tables.find((t) => t.id === 'app.customers')!.referencedBy.map((e) => e.name)).toEqual(['link app.orders.customer_id']);
    expect(plan.skipped).toEqual([{ table: 'crm.customers', reason: 'system crm is not reachable' }]);
  });

  test('a table whose `after` column or key is missing is skipped with the reason', () => {
    const broken: SchemaInfo = { tables: [table('customers', ['id', 'name'], ['id']), table('orders', ['id', 'customer_id', 'ship_to', 'created_at'], [])] };
    const plan = buildSweepPlan(load(MAP), new Map([['app', broken]]), { system: 'app' }, at('2026-06-15T00:00:00Z'));

    expect(plan.tables.map((t) => t.id)).toEqual(['app.orders']);
    expect(plan.skipped).toEqual([
      { table: 'app.customers', reason: 'no column closed_at (retention closed, after: closed_at)' },
      { table: 'app.lines', reason: 'no such table in system app' },
    ]);
  });
});

describe('--system and --table', () => {
  const map = load(MAP);
  const ids = (sel: { system?: string; table?: string }) => selectSweptTables(map, sel).map((t) => t.id);

  test('narrow the sweep to a system or one table', () => {
    expect(ids({ system: 'crm' })).toEqual(['crm.customers']);
    expect(ids({ table: 'app.orders' })).toEqual(['app.orders']);
    expect(ids({ table: 'customers', system: 'app' })).toEqual(['app.customers']);
  });

  test('an unknown system or table, an ambiguous name, or a table without a rule is refused (exit 2)', () => {
    expect(() => ids({ system: 'erp' })).toThrow("--system: unknown system 'erp' (declared: app, crm)");
    expect(() => ids({ table: 'app.nope' })).toThrow("--table: unknown table 'app.nope'");
    expect(() => ids({ table: 'customers' })).toThrow('--table customers is in several systems (app.customers, crm.customers): name it as system.table');
    expect(() => ids({ table: 'app.notes' })).toThrow('--table app.notes: app.notes has no retention rule; nothing to sweep');
  });
});
