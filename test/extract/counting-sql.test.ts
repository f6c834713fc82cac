// A count may group a raw date or time by its value instead of its text (countingSql): only where both form the
// same groups. Checked on each engine with values whose text is tricky: instants entered with different offsets,
// BC and infinite dates, fractions of seconds, NULL.
import { sql, type RawBuilder } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { Row, SqlConnector, TypeFamily } from '../../connectors/connector.ts';
import type { Ladder } from '../../src/extract/ladder.ts';
import { countingSql, generalizedSql } from '../../src/extract/sql-generalize.ts';
import { connectedEngine } from '../helpers/connected-engine.ts';

const raw = (column: string, family: TypeFamily): Ladder => ({ column, family, steps: [{ kind: 'raw' }, { kind: 'star' }], minLevel: 0 });

/** The groups the database forms by `expr` over `moments`, each as the sorted ids of its rows. */
async function groups(c: SqlConnector, expr: RawBuilder<unknown>): Promise<number[][]> {
  const rows = await c.queryRows(sql<Row>`select id, min(id) over (partition by ${expr}) as first from moments order by id`);
  const byFirst = new Map<number, number[]>();
  for (const r of rows) byFirst.set(Number(r.first), [...(byFirst.get(Number(r.first)) ?? []), Number(r.id)]);
  return [...byFirst.values()].sort((a, b) => a[0] - b[0]);
}

describe('PostgreSQL', () => {
  const pg = connectedEngine('postgres', {
    prefix: 'counting',
    system: 'pg',
    setupSql: `create table moments (id int primary key, d date, ts timestamptz, t timetz);
       insert into moments values
         (1, '2024-03-31', '2024-03-31 01:30:00+00', '10:00:00+02'),
         (2, '2024-03-31', '2024-03-31 03:30:00+02', '08:00:00+00'),
         (3, '0044-03-15 BC', '2024-03-31 01:30:00.000001+00', '10:00:00+02'),
         (4, '0044-03-15', 'infinity', null),
         (5, 'infinity', null, '10:00:00.5+02'),
         (6, null, '2024-03-31 02:30:00+01', '10:00:00+02');`,
  });

  test('dates, timestamps with time zone and times with time zone group by value exactly as by text', async () => {
    const c = pg.connector;
    for (const [column, family] of [['d', 'date'], ['ts', 'timestamp'], ['t', 'time']] as const) {
      const ladder = raw(column, family);
      expect(countingSql(c, ladder, 0)!.compile(c.db).sql).toBe(`"${column}"`);
      expect(await groups(c, countingSql(c, ladder, 0)!)).toEqual(await groups(c, generalizedSql(c, ladder, 0)!));
    }
    expect(await groups(c, countingSql(c, raw('ts', 'timestamp'), 0)!)).toEqual([[1, 2, 6], [3], [4], [5]]);
  });
});

describe('MariaDB', () => {
  const my = connectedEngine('mysql', {
    prefix: 'counting',
    system: 'my',
    setupSql: `create table moments (id int primary key, d date, t time(3), dt datetime(3));
       insert into moments values (1, '2024-03-31', '10:00:00', '2024-03-31 01:30:00'), (2, '2024-03-31', '10:00:00.001', '2024-03-31 01:30:00.001'),
         (3, '1000-01-01', '-10:00:00', null), (4, null, '10:00:00', '2024-03-31 01:30:00');`,
  });

  test('dates and times group by value exactly as by text; datetimes keep their text (time zones)', async () => {
    const c = my.connector;
    for (const [column, family] of [['d', 'date'], ['t', 'time']] as const) {
      const ladder = raw(column, family);
      expect(countingSql(c, ladder, 0)!.compile(c.db).sql).toBe(`\`${column}\``);
      expect(await groups(c, countingSql(c, ladder, 0)!)).toEqual(await groups(c, generalizedSql(c, ladder, 0)!));
    }
    expect(await groups(c, countingSql(c, raw('d', 'date'), 0)!)).toEqual([[1, 2], [3], [4]]);
    expect(countingSql(c, raw('dt', 'timestamp'), 0)!.compile(c.db).sql).toBe(generalizedSql(c, raw('dt', 'timestamp'), 0)!.compile(c.db).sql);
  });
});
