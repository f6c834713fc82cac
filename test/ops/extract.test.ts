import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { createPeopleSystems, dsar, parseCsv, PEOPLE, type PeopleSystems } from '../extract/people-fixture.ts';

let fx: PeopleSystems;

beforeAll(async () => {
  fx = await createPeopleSystems();
});

afterAll(async () => {
  await fx?.dispose();
});

const quasi = `
      birth_date: { role: quasi, generalize: [year, 10-years, "*"] }
      zip:        { role: quasi, generalize: [prefix-3, prefix-1, "*"] }`;

/** A record-level extract of lite.people (SQLite) with the quasi columns above. */
function recordExtract(name: string, body: string, privacy: string, system = 'lite'): string {
  return `  ${name}:
    from: ${system}.people
    columns:${quasi}
${body}
    privacy: ${privacy}`;
}

const csvOf = (file: string) => parseCsv(readFileSync(file, 'utf8'));
const out = (name: string, ext = 'csv') => path.join(fx.dir, 'extracts', `${name}.${ext}`);

describe('record-level: the least lossy generalization that qualifies', () => {
  test('k=2: birth year and 3-digit zip prefix, every row kept, pseudonyms instead of ids', async () => {
    const map = fx.datamap(recordExtract('k2', '      plan: { role: sensitive }\n      id: { role: pseudonym }', '{ k: 2, max_suppression: 0 }'));
    const r = await dsar(map, ['extract', 'k2']);

    expect(r.code).toBe(0);
    expect(r.json.levels).toEqual({ birth_date: 'year', zip: 'prefix-3' });
    expect(r.json.informationLoss).toBeCloseTo(1 / 3);
    const rows = csvOf(out('k2'));
    expect(rows[0]).toEqual(['birth_date', 'zip', 'plan', 'id']);
    expect(rows.slice(1).map((row) => row.slice(0, 3)).sort((a, b) => (a.join() < b.join() ? -1 : 1))).toEqual([
      ['1980', '123', 'free'],
      ['1980', '123', 'pro'],
      ['1981', '123', 'free'],
      ['1981', '123', 'team'],
      ['1992', '543', 'free'],
      ['1992', '543', 'pro'],
      ['1995', '543', 'free'],
      ['1995', '543', 'pro'],
    ].sort((a, b) => (a.join() < b.join() ? -1 : 1)) as string[][]);
    const pseudonyms = rows.slice(1).map((row) => row[3]);
    expect(new Set(pseudonyms).size).toBe(8);
    for (const p of pseudonyms) expect(p).toMatch(/^[0-9a-f]{32}$/);
  });

  test('k=4 (every class of 4): birth decade and zip prefix; k=5: only the most general node', async () => {
    const map = fx.datamap(`${recordExtract('k4', '      plan: { role: sensitive }', '{ k: 4, max_suppression: 0 }')}\n${recordExtract('k5', '      plan: { role: sensitive }', '{ k: 5, max_suppression: 0 }')}`);

    const four = await dsar(map, ['extract', 'k4']);
    const five = await dsar(map, ['extract', 'k5']);

    expect(four.json.levels).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
    expect(four.json.risk.record.kAchieved).toBe(4);
    expect(csvOf(out('k4')).slice(1).map((r) => r.slice(0, 2).join(' '))).toEqual([...Array(4).fill('1980-1989 123'), ...Array(4).fill('1990-1999 543')]);
    expect(five.json.levels).toEqual({ birth_date: '*', zip: '*' });
    expect(five.json.risk.record.kAchieved).toBe(8);
  });

  test('k larger than the table: exit 1, nothing written, and what was closest', async () => {
    const map = fx.datamap(recordExtract('k9', '      plan: { role: sensitive }', '{ k: 9, max_suppression: 0.5 }'));
    const r = await dsar(map, ['extract', 'k9']);

    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.closest).toEqual({ suppressedRows: 8, rows: 8, allowed: 4, levels: { birth_date: '*', zip: '*' } });
    expect(existsSync(out('k9'))).toBe(false);
  });

  test('l=2 on diagnosis: class {3,4} (both flu) forces the birth decade; without l, the birth year', async () => {
    const body = '      diagnosis: { role: sensitive }';
    const map = fx.datamap(`${recordExtract('l2', body, '{ k: 2, l: 2, max_suppression: 0 }')}\n${recordExtract('l1', body, '{ k: 2, l: 1, max_suppression: 0 }')}`);

    const l2 = await dsar(map, ['extract', 'l2']);
    const l1 = await dsar(map, ['extract', 'l1']);

    expect(l2.json.levels).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
    expect(l2.json.risk.record.lAchieved).toBe(2);
    expect(l1.json.levels).toEqual({ birth_date: 'year', zip: 'prefix-3' });
    expect(l1.json.risk.record.lAchieved).toBe(1);
  });

  test('max_suppression at its boundary: 2 of 8 rows (0.25) suppresses class {3,4}; 0.24 does not allow it', async () => {
    const body = '      diagnosis: { role: sensitive }';
    const map = fx.datamap(`${recordExtract('s25', body, '{ k: 2, l: 2, max_suppression: 0.25 }')}\n${recordExtract('s24', body, '{ k: 2, l: 2, max_suppression: 0.24 }')}`);

    const at = await dsar(map, ['extract', 's25']);
    const under = await dsar(map, ['extract', 's24']);

    expect(at.json.levels).toEqual({ birth_date: 'year', zip: 'prefix-3' });
    expect([at.json.rowsIn, at.json.rowsOut, at.json.rowsSuppressed]).toEqual([8, 6, 2]);
    expect(csvOf(out('s25')).slice(1).map((r) => r[0])).not.toContain('1981');
    expect(at.json.risk.record.classesSuppressed).toBe(1);
    expect(under.json.levels).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
    expect(under.json.rowsSuppressed).toBe(0);
  });

  test('a pseudonym is the same for the same value within one extract, and different in the next one', async () => {
    const map = fx.datamap(recordExtract('households', '      household: { role: pseudonym }', '{ k: 2 }'));

    await dsar(map, ['extract', 'households']);
    const first = csvOf(out('households')).slice(1);
    await dsar(map, ['extract', 'households']);
    const second = csvOf(out('households')).slice(1);

    // Rows come ordered by class: (1980,123) holds H1 twice, (1981,123) H2 twice, and so on.
    const byClass = (rows: string[][]) => rows.map((r) => r[2]);
    const firstIds = byClass(first);
    expect(firstIds[0]).toBe(firstIds[1]);
    expect(firstIds[2]).toBe(firstIds[3]);
    expect(new Set(firstIds).size).toBe(4);
    expect(new Set([...firstIds, ...byClass(second)]).size).toBe(8);
  });

  test('no email, name or phone of the source anywhere in the data or the risk report', async () => {
    const map = fx.datamap(
      recordExtract('identifiers', '      email: { role: pseudonym }\n      phone: { role: pseudonym }\n      plan: { role: keep }', '{ k: 2 }'),
    );
    const r = await dsar(map, ['extract', 'identifiers']);

    expect(r.code).toBe(0);
    const written = ['', '.risk.json', '.risk.html'].map((s) => readFileSync(out('identifiers') + s, 'utf8')).join('\n');
    for (const person of PEOPLE) {
      for (const value of [person[1], person[2], person[2].split(' ')[1], person[3], person[3].replace(/\D/g, '')]) {
        expect(written.toLowerCase()).not.toContain(value.toLowerCase());
      }
    }
  });

  test('an identifying column kept raw is refused before anything runs (exit 2, file:line)', async () => {
    const map = fx.datamap(recordExtract('leaky', '      email: { role: keep }', '{ k: 2 }'));
    const r = await dsar(map, ['extract', 'leaky']);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/datamap\.yaml:\d+:\d+: extracts\.leaky\.columns\.email: `email` identifies a subject/);
    expect(existsSync(out('leaky'))).toBe(false);
  });

  test('without hmac_key: exit 2 and nothing read or written', async () => {
    const map = fx.datamap(recordExtract('nokey', '      id: { role: pseudonym }', '{ k: 2 }'));
    const r = await dsar(map, ['extract', 'nokey'], null);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('secrets.hmac_key is not set');
    expect(existsSync(out('nokey'))).toBe(false);
  });

  test('files are 0600, the risk report sits beside the data, and the ledger records the hashes', async () => {
    const map = fx.datamap(recordExtract('audited', '      plan: { role: sensitive }', '{ k: 2 }'));
    const umask = process.umask(0);
    let r;
    try {
      r = await dsar(map, ['extract', 'audited', '--out', path.join(fx.dir, 'deep', 'audited.csv')]);
    } finally {
      process.umask(umask);
    }

    const files = ['audited.csv', 'audited.csv.risk.json', 'audited.csv.risk.html'].map((f) => path.join(fx.dir, 'deep', f));
    expect(files.map((f) => (statSync(f).mode & 0o777).toString(8))).toEqual(['600', '600', '600']);
    expect((statSync(path.join(fx.dir, 'deep')).mode & 0o777).toString(8)).toBe('700');
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(r.json.files.map((f: { sha256: string }) => f.sha256)).toEqual(files.map(sha));

    // The ledger lives in the data map's directory (no state.url): its last extract entry.
    const db = new Database(path.join(fx.dir, '.dsar', 'state.db'), { readonly: true });
    try {
      const last = db.prepare(`select event, outcome, row_counts, detail from dsar_ledger where kind = 'extract' order by id desc limit 1`).get() as Record<string, string>;
      expect([last.event, last.outcome]).toEqual(['completed', 'ok']);
      expect(JSON.parse(last.row_counts)).toEqual({ in: 8, out: 8, suppressed: 0 });
      const detail = JSON.parse(last.detail);
      expect(detail.extract).toBe('audited');
      expect(detail.files.map((f: { sha256: string }) => f.sha256)).toEqual(files.map(sha));
    } finally {
      db.close();
    }
  });

  test('the risk report: levels, k, prosecutor risk and an inline SVG histogram, nothing fetched', async () => {
    const map = fx.datamap(recordExtract('reported', '      diagnosis: { role: sensitive }', '{ k: 2, l: 2, max_suppression: 0.25 }'));
    await dsar(map, ['extract', 'reported']);

    const report = JSON.parse(readFileSync(out('reported') + '.risk.json', 'utf8'));
    expect(report.generalization.columns.map((c: { column: string; step: string; loss: number }) => [c.column, c.step, c.loss])).toEqual([
      ['birth_date', 'year', 1 / 3],
      ['zip', 'prefix-3', 1 / 3],
    ]);
    expect(report.record).toMatchObject({
      kAchieved: 2,
      lAchieved: 2,
      rowsIn: 8,
      rowsOut: 6,
      rowsSuppressed: 2,
      classesOut: 3,
      classesSuppressed: 1,
      output: { max: 0.5, average: 0.5, shareAboveThreshold: 0, threshold: 0.5 },
      classSizes: [
        { size: 2, classes: 3, suppressed: false },
        { size: 2, classes: 1, suppressed: true },
      ],
    });
    const html = readFileSync(out('reported') + '.risk.html', 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

describe('opt-outs', () => {
  test('an opted-out subject’s row is absent, matched through the normalized email', async () => {
    const map = fx.datamap(`  raw:
    from: lite.people
    exclude_optouts: sharing
    columns:
      birth_date: { role: quasi, generalize: ["*"] }
      zip: { role: quasi, generalize: ["*"] }
    privacy: { k: 1 }`);
    const opt = await dsar(map, ['optout', '  CID@Example.com ', '--scope', 'sharing']);
    expect(opt.code).toBe(0);

    const r = await dsar(map, ['extract', 'raw']);

    expect(r.code).toBe(0);
    expect(r.json.risk.source.optedOutValuesExcluded).toBe(1);
    expect(csvOf(out('raw')).slice(1).map((row) => row[0])).toEqual(['1980-03-01', '1980-07-15', '1981-12-30', '1992-05-05', '1992-06-06', '1995-01-01', '1995-02-02']);
  });
});

describe('aggregates', () => {
  const aggregate = (name: string, extra: string, privacy: string) => `  ${name}:
    from: lite.people
    group_by: [plan]
${extra}
    privacy: ${privacy}`;
  const measures = `    measures:
      people: count
      spent: { fn: sum, column: amount }
      average: { fn: avg, column: amount }
      households: count_distinct(household)`;

  test('the team cell (1 subject) is suppressed, pro too so that the totals cannot give team back', async () => {
    const map = fx.datamap(aggregate('plans', measures, '{ k: 2, max_suppression: 0.125 }'));
    const r = await dsar(map, ['extract', 'plans']);

    expect(r.code).toBe(0);
    expect(csvOf(out('plans'))).toEqual([
      ['plan', 'people', 'spent', 'average', 'households', 'suppressed'],
      ['free', '4', '160', '40', '4', 'false'],
      ['pro', '', '', '', '', 'true'],
      ['team', '', '', '', '', 'true'],
      ['*', '8', '360', '45', '', 'false'],
    ]);
    // Distinct households do not add up across cells: the totals row leaves them out rather than read the table again.
    // Totals minus what is published: 4 people and 200 spent, the union of pro and team, never one of them.
    expect(r.json.risk.aggregate).toMatchObject({ cells: 3, cellsPublished: 1, cellsSuppressedPrimary: 1, cellsSuppressedSecondary: 1, smallestPublishedCell: 4 });
    expect(r.json.risk.aggregate.suppressedCells).toEqual([
      { group: { plan: 'team' }, reason: 'primary' },
      { group: { plan: 'pro' }, reason: 'secondary' },
    ]);
  });

  test('without max_suppression an aggregate suppresses its cells under k and writes, it does not refuse', async () => {
    const map = fx.datamap(aggregate('plans_default', measures, '{ k: 2 }'));
    const r = await dsar(map, ['extract', 'plans_default']);

    expect(r.code).toBe(0);
    expect(r.json.risk.privacy.maxSuppression).toBe(1);
    expect(csvOf(out('plans_default')).map((row) => [row[0], row.at(-1)])).toEqual([
      ['plan', 'suppressed'],
      ['free', 'false'],
      ['pro', 'true'],
      ['team', 'true'],
      ['*', 'false'],
    ]);
  });

  test('a refused run moves the earlier output aside, by path, so that none looks current', async () => {
    const ok = fx.datamap(aggregate('monthly', measures, '{ k: 2 }'));
    expect((await dsar(ok, ['extract', 'monthly'])).code).toBe(0);
    const before = readFileSync(out('monthly'), 'utf8');
    const refused = fx.datamap(aggregate('monthly', measures, '{ k: 2, max_suppression: 0.12 }'));
    const r = await dsar(refused, ['extract', 'monthly']);

    expect(r.code).toBe(1);
    expect(r.json.movedAside).toEqual(
      ['', '.risk.json', '.risk.html'].map((ext) => ({ from: `${out('monthly')}${ext}`, to: `${out('monthly')}${ext}.stale` })),
    );
    expect(existsSync(out('monthly'))).toBe(false);
    expect(readFileSync(`${out('monthly')}.stale`, 'utf8')).toBe(before);
    // Refused again: nothing left to move, and the stale copy stays.
    expect((await dsar(refused, ['extract', 'monthly'])).json.movedAside).toEqual([]);
    expect(readFileSync(`${out('monthly')}.stale`, 'utf8')).toBe(before);
  });

  test('max_suppression counts the rows in cells under k: 1 of 8 fails at 0.12', async () => {
    const map = fx.datamap(aggregate('strict', measures, '{ k: 2, max_suppression: 0.12 }'));
    const r = await dsar(map, ['extract', 'strict']);

    expect(r.code).toBe(1);
    expect(r.json.closest).toMatchObject({ suppressedRows: 1, rows: 8, allowed: 0 });
  });

  test('subjects counted by household: two cells under k=4 protect each other; under k=5 the totals go too', async () => {
    const body = `    subject: household
    measures:
      people: count`;
    const map = fx.datamap(`${aggregate('hh4', body, '{ k: 4, max_suppression: 1 }')}\n${aggregate('hh5', body, '{ k: 5, max_suppression: 1 }')}`);

    await dsar(map, ['extract', 'hh4']);
    await dsar(map, ['extract', 'hh5']);

    expect(csvOf(out('hh4'))).toEqual([
      ['plan', 'people', 'suppressed'],
      ['free', '4', 'false'],
      ['pro', '', 'true'],
      ['team', '', 'true'],
      ['*', '8', 'false'],
    ]);
    expect(csvOf(out('hh5')).slice(1)).toEqual([
      ['free', '', 'true'],
      ['pro', '', 'true'],
      ['team', '', 'true'],
      ['*', '', 'true'],
    ]);
  });

  test('a group_by column with a ladder is generalized just enough: zip prefix-3', async () => {
    const map = fx.datamap(`  zips:
    from: lite.people
    group_by: [zip]
    columns:
      zip: { role: quasi, generalize: [prefix-3, prefix-1, "*"] }
    measures:
      people: count
    privacy: { k: 2, max_suppression: 0 }`);
    const r = await dsar(map, ['extract', 'zips']);

    expect(r.json.levels).toEqual({ zip: 'prefix-3' });
    expect(csvOf(out('zips'))).toEqual([
      ['zip', 'people', 'suppressed'],
      ['123', '4', 'false'],
      ['543', '4', 'false'],
      ['*', '8', 'false'],
    ]);
  });

  test('where: filters the rows counted', async () => {
    const map = fx.datamap(`  rich:
    from: lite.people
    where: { amount: { op: ">=", value: 40 } }
    group_by: [plan]
    measures:
      people: count
    privacy: { k: 1 }`);
    await dsar(map, ['extract', 'rich']);

    expect(csvOf(out('rich')).slice(1)).toEqual([
      ['free', '2', 'false'],
      ['pro', '2', 'false'],
      ['team', '1', 'false'],
      ['*', '5', 'false'],
    ]);
  });
});

describe('large extracts', () => {
  test('past 20,000 rows pseudonyms come from a worker thread: every row written, one stable pseudonym per value', async () => {
    const db = new Database(fx.sqlitePath);
    db.exec('CREATE TABLE visits (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, birth_date DATE, zip TEXT, plan TEXT)');
    const insert = db.prepare('INSERT INTO visits VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 24_000; i++) insert.run(i + 1, 100_000 + (i % 12_000), `${1980 + (i % 10)}-01-15`, `9${i % 10}107`, ['free', 'pro'][i % 2]);
    })();
    db.close();
    const map = fx.datamap(`  visits:
    from: lite.visits
    subject: user_id
    columns:
      birth_date: { role: quasi, generalize: [year, "*"] }
      zip:        { role: quasi, generalize: [prefix-2, "*"] }
      plan:       { role: sensitive }
      user_id:    { role: pseudonym }
    privacy: { k: 2, max_suppression: 0 }`);
    const r = await dsar(map, ['extract', 'visits']);

    expect(r.code, r.stderr).toBe(0);
    const rows = csvOf(out('visits')).slice(1);
    expect(rows.length).toBe(24_000);
    const byPseudonym = new Map<string, number>();
    for (const row of rows) byPseudonym.set(row[3], (byPseudonym.get(row[3]) ?? 0) + 1);
    expect(byPseudonym.size).toBe(12_000);
    expect(new Set(byPseudonym.values())).toEqual(new Set([2]));
    for (const p of byPseudonym.keys()) expect(p).toMatch(/^[0-9a-f]{32}$/);
    expect(readFileSync(out('visits'), 'utf8')).not.toContain('100000');
  });

  test('on SQLite, whose one connection a stream holds, an extract that suppresses classes lists them before streaming its rows', async () => {
    const db = new Database(fx.sqlitePath);
    db.exec('CREATE TABLE signups (id INTEGER PRIMARY KEY, birth_date DATE, zip TEXT, plan TEXT)');
    const insert = db.prepare('INSERT INTO signups VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      // 6,000 rows in classes of 3 (k met), then 7 rows alone in their class (suppressed): more than one chunk.
      for (let i = 0; i < 6_000; i++) insert.run(i + 1, `${1900 + (i % 2_000)}-06-01`, '10115', ['free', 'pro'][i % 3 === 0 ? 0 : 1]);
      for (let i = 0; i < 7; i++) insert.run(10_000 + i, `${1800 + i}-06-01`, '10115', 'free');
    })();
    db.close();
    const map = fx.datamap(`  signups:
    from: lite.signups
    subject: id
    columns:
      birth_date: { role: quasi, generalize: [year, "*"] }
      zip:        { role: quasi, generalize: ["*"] }
      plan:       { role: sensitive }
    privacy: { k: 3, max_suppression: 0.01 }`);
    const r = await dsar(map, ['extract', 'signups', '--json']);

    expect(r.code, r.stderr).toBe(0);
    expect([r.json.rowsIn, r.json.rowsOut, r.json.rowsSuppressed]).toEqual([6_007, 6_000, 7]);
    expect(r.json.levels).toEqual({ birth_date: 'raw', zip: 'raw' });
    const rows = csvOf(out('signups')).slice(1);
    expect(rows.length).toBe(6_000);
    expect(rows.filter((row) => row[0].startsWith('18'))).toEqual([]);
  });
});

