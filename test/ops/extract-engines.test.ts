import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execMysql, execPostgres } from '../helpers/databases.ts';
import { createPeopleSystems, dsar, parseCsv, type PeopleSystems, type Run } from '../extract/people-fixture.ts';

const SYSTEMS = ['pg', 'my', 'lite', 'files'] as const;
type System = (typeof SYSTEMS)[number];

let fx: PeopleSystems;
let map: string;

const extracts = (s: System) => `  rec_${s}:
    from: ${s}.people
    exclude_optouts: sharing
    columns:
      birth_date: { role: quasi, generalize: [year, 10-years, "*"] }
      zip:        { role: quasi, generalize: [prefix-3, prefix-1, "*"] }
      amount:     { role: quasi, generalize: [bucket-20, bucket-40, "*"] }
      diagnosis:  { role: sensitive }
      plan:       { role: keep }
      household:  { role: pseudonym }
    privacy: { k: 2, l: 2, max_suppression: 0.3 }
    output: ndjson
  agg_${s}:
    from: ${s}.people
    group_by: [plan, birth_date]
    columns:
      birth_date: { role: quasi, generalize: [year, 10-years, "*"] }
    subject: household
    measures:
      people: count
      spent: { fn: sum, column: amount }
      average: { fn: avg, column: amount }
      households: count_distinct(household)
      first_zip: { fn: min, column: zip }
      last_zip: { fn: max, column: zip }
    privacy: { k: 2, max_suppression: 0.5 }
    output: csv`;

const runs = new Map<string, Run>();

beforeAll(async () => {
  fx = await createPeopleSystems();
  map = fx.datamap(SYSTEMS.map(extracts).join('\n'));
  expect((await dsar(map, ['optout', 'Cid@Example.com', '--scope', 'sharing'])).code).toBe(0);
  for (const s of SYSTEMS) {
    for (const kind of ['rec', 'agg']) runs.set(`${kind}_${s}`, await dsar(map, ['extract', `${kind}_${s}`]));
  }
});

afterAll(async () => {
  await fx?.dispose();
});

const file = (name: string) => path.join(fx.dir, 'extracts', name);
/** What must be the same whatever the engine: the report without times, hashes and file names. */
function comparable(r: Run) {
  const { createdAt, data, ...report } = r.json.risk;
  return { levels: r.json.levels, rows: [r.json.rowsIn, r.json.rowsOut, r.json.rowsSuppressed], report: { ...report, source: { ...report.source, system: undefined }, extract: undefined, subject: undefined } };
}

describe('the same extract from PostgreSQL, MariaDB, SQLite and a CSV file', () => {
  test('record-level: the same generalization, rows and risk (opted-out cid excluded everywhere)', () => {
    const lines = (s: System) =>
      readFileSync(file(`rec_${s}.ndjson`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const withoutPseudonyms = (s: System) => lines(s).map(({ household, ...rest }) => JSON.stringify(rest)).sort();

    const lite = runs.get('rec_lite')!;
    expect(lite.code).toBe(0);
    // 7 rows after the opt-out (cid, row 3, is gone). At the least loss that qualifies (5/9) two nodes tie:
    // (year, prefix-3, *) suppresses dee's class {4} (1 row), (10-years, prefix-3, bucket-40) classes {4} and {8}
    // (2 rows): the one suppressing fewer rows wins. No node of less loss keeps 5 rows in l-diverse classes of 2+.
    expect(lite.json.levels).toEqual({ birth_date: 'year', zip: 'prefix-3', amount: '*' });
    expect([lite.json.rowsIn, lite.json.rowsOut, lite.json.rowsSuppressed]).toEqual([7, 6, 1]);
    expect(withoutPseudonyms('lite')).toEqual(
      [
        { birth_date: '1980', zip: '123', amount: '*', diagnosis: 'flu', plan: 'free' },
        { birth_date: '1980', zip: '123', amount: '*', diagnosis: 'cold', plan: 'pro' },
        { birth_date: '1992', zip: '543', amount: '*', diagnosis: 'cold', plan: 'free' },
        { birth_date: '1992', zip: '543', amount: '*', diagnosis: 'flu', plan: 'pro' },
        { birth_date: '1995', zip: '543', amount: '*', diagnosis: 'cold', plan: 'free' },
        { birth_date: '1995', zip: '543', amount: '*', diagnosis: 'flu', plan: 'pro' },
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
    for (const s of SYSTEMS) {
      expect(runs.get(`rec_${s}`)!.code, s).toBe(0);
      expect(withoutPseudonyms(s), s).toEqual(withoutPseudonyms('lite'));
      expect(comparable(runs.get(`rec_${s}`)!), s).toEqual(comparable(lite));
      // Households H1 (ann, bob), H3 (eve, fay), H4 (gus, hal): one pseudonym each.
      expect(new Set(lines(s).map((r) => r.household)).size, s).toBe(3);
    }
  });

  test('aggregate: the same cells, measures, suppression and totals', () => {
    const lite = runs.get('agg_lite')!;
    expect(lite.code).toBe(0);
    const csv = (s: System) => readFileSync(file(`agg_${s}.csv`), 'utf8');
    // Households per (plan, decade): free 80s {H1,H2} 90s {H3,H4}; pro 80s {H1} 90s {H3,H4}; team 80s {H2}.
    expect(lite.json.levels).toEqual({ plan: 'raw', birth_date: '10-years' });
    expect(csv('lite')).toBe(
      [
        'plan,birth_date,people,spent,average,households,first_zip,last_zip,suppressed',
        'free,1980-1989,2,40,20,2,12311,12345,false',
        'free,1990-1999,2,120,60,2,54300,54321,false',
        'pro,1980-1989,,,,,,,true',
        'pro,1990-1999,2,140,70,2,54311,54399,false',
        'team,1980-1989,,,,,,,true',
        '*,*,8,360,45,,12311,54399,false',
        '',
      ].join('\r\n'),
    );
    for (const s of SYSTEMS) {
      expect(runs.get(`agg_${s}`)!.code, s).toBe(0);
      expect(csv(s), s).toBe(csv('lite'));
      expect(comparable(runs.get(`agg_${s}`)!), s).toEqual(comparable(lite));
    }
  });
});

describe('k and l count subjects, not rows', () => {
  // Households are the subjects: H1 (ann, bob), H2 (cid, dee), H3 (eve, fay), H4 (gus, hal), two rows each.
  const bySubject = (s: System, name: string, subject: string, quasi: string, privacy: string) => `  ${name}_${s}:
    from: ${s}.people
${subject}    columns:
${quasi}
      household: { role: pseudonym }
    privacy: ${privacy}`;

  test.each(SYSTEMS)('%s: a class of 4 rows from 2 households is a class of 2, so k=3 takes zip to *', async (s) => {
    const zip = '      zip: { role: quasi, generalize: [prefix-3, prefix-1, "*"] }';
    const m = fx.datamap(
      [bySubject(s, 'hh', '    subject: household\n', zip, '{ k: 3, max_suppression: 0 }'), bySubject(s, 'rows', '', zip, '{ k: 3, max_suppression: 0 }')].join('\n'),
    );
    const households = await dsar(m, ['extract', `hh_${s}`]);
    const people = await dsar(m, ['extract', `rows_${s}`]);

    expect(households.code).toBe(0);
    expect(households.json.levels).toEqual({ zip: '*' });
    expect(households.json.risk.record).toMatchObject({ kAchieved: 4, subjectsOut: 4, rowsOut: 8, classSizes: [{ subjects: 4, size: 8, classes: 1, suppressed: false }] });
    expect(households.json.risk.subject).toEqual({ column: 'household', determinedBy: 'subject: household' });
    // Each person is a subject of their own (the declared table's key): 4 people share each 3-digit prefix.
    expect(people.json.levels).toEqual({ zip: 'prefix-3' });
    expect(people.json.risk.record.kAchieved).toBe(4);
  });

  test.each(SYSTEMS)('%s: two diagnoses of one household are no diversity: l=2 needs two households per class', async (s) => {
    const quasi = '      birth_date: { role: quasi, generalize: [year, 10-years, "*"] }\n      diagnosis: { role: sensitive }';
    const privacy = '{ k: 1, l: 2, max_suppression: 0.25 }';
    const m = fx.datamap([bySubject(s, 'lhh', '    subject: household\n', quasi, privacy), bySubject(s, 'lrows', '', quasi, privacy)].join('\n'));
    const households = await dsar(m, ['extract', `lhh_${s}`]);
    const people = await dsar(m, ['extract', `lrows_${s}`]);

    // By year every class is one household: none is l-diverse. By decade two households each.
    expect(households.json.levels).toEqual({ birth_date: '10-years' });
    expect(households.json.risk.record).toMatchObject({ lAchieved: 2, rowsSuppressed: 0 });
    // People: by year only 1981 (cid and dee, both flu) fails, 2 of 8 rows, within max_suppression.
    expect(people.json.levels).toEqual({ birth_date: 'year' });
    expect(people.json.risk.record).toMatchObject({ lAchieved: 2, rowsSuppressed: 2 });
  });
});

describe('links: an extract from a view without any identity column', () => {
  test('opted-out people are excluded through the link, within a system and across systems, and the link names the subject', async () => {
    await execPostgres(fx.pg.url, 'CREATE VIEW customer_view AS SELECT id, zip, plan FROM people');
    const db = new Database(fx.sqlitePath);
    db.exec('CREATE VIEW IF NOT EXISTS customer_view AS SELECT id, zip, plan FROM people');
    db.close();
    writeFileSync(path.join(fx.filesDir, 'customer_view.csv'), ['id,zip,plan', ...[1, 2, 3, 4, 5, 6, 7, 8].map((id) => `${id},10115,free`)].join('\n') + '\n');
    const view = (name: string, from: string, references: string) => `  ${name}:
    from: ${from}
    links: [{ column: id, references: ${references} }]
    exclude_optouts: sharing
    columns:
      zip: { role: quasi, generalize: ["*"] }
      plan: { role: keep }
      id: { role: pseudonym }
    privacy: { k: 2 }`;
    const m = fx.datamap([view('view_pg', 'pg.customer_view', 'pg.people.id'), view('view_lite', 'lite.customer_view', 'lite.people.id'), view('view_files', 'files.customer_view', 'lite.people.id')].join('\n'));
    // Cid (id 3) opted out of sharing in beforeAll.
    for (const name of ['view_pg', 'view_lite', 'view_files']) {
      const r = await dsar(m, ['extract', name]);
      expect(r.code, name).toBe(0);
      expect(r.json.rowsIn, name).toBe(7);
      expect(r.json.risk.source.optedOutValuesExcluded, name).toBe(1);
      expect(r.json.risk.subject.determinedBy, name).toMatch(/^links: id references (pg|lite)\.people\.id$/);
    }
  });

  test('`subject:` naming no column of the source, or a view whose subject cannot be known, is a located error, exit 2', async () => {
    const m = fx.datamap(`  no_column:
    from: pg.customer_view
    subject: customer
    columns:
      zip: { role: quasi, generalize: ["*"] }
    privacy: { k: 2 }
  unknown_subject:
    from: pg.customer_view
    columns:
      zip: { role: quasi, generalize: ["*"] }
    privacy: { k: 2 }`);
    const missing = await dsar(m, ['extract', 'no_column']);
    const unknown = await dsar(m, ['extract', 'unknown_subject']);
    expect([missing.code, unknown.code]).toEqual([2, 2]);
    expect(missing.stderr).toMatch(/datamap\.yaml:\d+:\d+: extracts\.no_column\.subject: no column `customer` in pg\.customer_view \(it has: id, zip, plan\)/);
    expect(unknown.stderr).toMatch(/extracts\.unknown_subject\.subject: dsar cannot tell whose each row of pg\.customer_view is, so k would count rows, not people: name the column/);
  });

  test('a link to a table without identify cannot carry opt-outs: a located error, exit 2', async () => {
    const m = fx.datamap(`  bad_link:
    from: pg.customer_view
    links: [{ column: id, references: pg.nobody.id }]
    exclude_optouts: sharing
    columns:
      zip: { role: quasi, generalize: ["*"] }
    privacy: { k: 2 }`);
    const r = await dsar(m, ['extract', 'bad_link']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/extracts\.bad_link\.links\[0\]\.references: unknown table `pg\.nobody`/);
  });
});

describe('output order', () => {
  test.each(SYSTEMS)('%s: rows leave in a fresh random order each run, never in the source’s order', async (s) => {
    const rows = Array.from({ length: 300 }, (_, i) => [i + 1, '10115', `r${String(i + 1).padStart(3, '0')}`]);
    if (s === 'pg' || s === 'my') {
      const values = rows.map(([id, zip, rank]) => `(${id}, '${zip}', '${rank}')`).join(', ');
      const ddl = `CREATE TABLE IF NOT EXISTS queue (id int PRIMARY KEY, zip varchar(10), rank_code varchar(10));\nDELETE FROM queue;\nINSERT INTO queue VALUES ${values}`;
      await (s === 'pg' ? execPostgres(fx.pg.url, ddl) : execMysql(fx.my.url, ddl));
    } else if (s === 'lite') {
      const db = new Database(fx.sqlitePath);
      db.exec('CREATE TABLE IF NOT EXISTS queue (id integer PRIMARY KEY, zip text, rank_code text); DELETE FROM queue;');
      const insert = db.prepare('INSERT INTO queue VALUES (?, ?, ?)');
      for (const r of rows) insert.run(...r);
      db.close();
    } else writeFileSync(path.join(fx.filesDir, 'queue.csv'), ['id,zip,rank_code', ...rows.map((r) => r.join(','))].join('\n') + '\n');
    const m = fx.datamap(`  queue_${s}:
    from: ${s}.queue
    subject: id
    columns:
      zip: { role: quasi }
      rank_code: { role: keep }
    privacy: { k: 2 }`);
    const order = async () => {
      expect((await dsar(m, ['extract', `queue_${s}`])).code).toBe(0);
      return parseCsv(readFileSync(file(`queue_${s}.csv`), 'utf8')).slice(1).map((r) => r[1]);
    };
    const [first, second] = [await order(), await order()];
    const inSourceOrder = rows.map((r) => r[2]);

    expect([...first].sort()).toEqual(inSourceOrder);
    expect([...second].sort()).toEqual(inSourceOrder);
    expect(first).not.toEqual(inSourceOrder);
    expect(second).not.toEqual(first);
  });
});

describe('exact numerics', () => {
  test('sums and averages of DECIMAL amounts are exact in cells and totals: 2328.60, not 2328.599999999999', async () => {
    const rows = [
      [1, 'a', '0.10'],
      [2, 'a', '0.20'],
      [3, 'a', '1164.10'],
      [4, 'b', '1164.20'],
      [5, 'b', '0.01'],
    ];
    const values = rows.map(([id, g, amount]) => `(${id}, '${g}', ${amount})`).join(', ');
    await execPostgres(fx.pg.url, `CREATE TABLE payments (id int PRIMARY KEY, grp text, amount numeric(10,2));\nINSERT INTO payments VALUES ${values}`);
    await execMysql(fx.my.url, `CREATE TABLE payments (id int PRIMARY KEY, grp varchar(5), amount decimal(10,2));\nINSERT INTO payments VALUES ${values}`);
    writeFileSync(path.join(fx.filesDir, 'payments.csv'), ['id,grp,amount', ...rows.map((r) => r.join(','))].join('\n') + '\n');
    const agg = (s: string) => `  pay_${s}:
    from: ${s}.payments
    group_by: [grp]
    subject: id
    measures:
      total: { fn: sum, column: amount }
      average: { fn: avg, column: amount }
    privacy: { k: 1 }`;
    const payments = fx.datamap(['pg', 'my', 'files'].map(agg).join('\n'));
    for (const s of ['pg', 'my', 'files']) {
      const r = await dsar(payments, ['extract', `pay_${s}`]);
      expect(r.code, s).toBe(0);
      expect(parseCsv(readFileSync(file(`pay_${s}.csv`), 'utf8')), s).toEqual([
        ['grp', 'total', 'average', 'suppressed'],
        ['a', '1164.4', '388.133333', 'false'],
        ['b', '1164.21', '582.105', 'false'],
        ['*', '2328.61', '465.722', 'false'],
      ]);
    }
  });
});

describe('MariaDB collations', () => {
  test('a case-insensitive column does not merge `A` and `a` into one class: each is its own (and suppressed)', async () => {
    await execMysql(fx.my.url, `CREATE TABLE codes (id int PRIMARY KEY, code varchar(10) COLLATE utf8mb4_unicode_ci);
      INSERT INTO codes VALUES (1, 'A'), (2, 'a'), (3, 'b'), (4, 'b');`);
    const codes = fx.datamap(`  codes:
    from: my.codes
    subject: id
    columns:
      code: { role: quasi }
    privacy: { k: 2, max_suppression: 0.5 }`);

    const r = await dsar(codes, ['extract', 'codes']);

    expect(r.code).toBe(0);
    expect(r.json.levels).toEqual({ code: 'raw' });
    expect(parseCsv(readFileSync(file('codes.csv'), 'utf8'))).toEqual([['code'], ['b'], ['b']]);
  });
});
