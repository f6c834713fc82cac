// Differentially private aggregates on PostgreSQL, MariaDB, SQLite and a CSV file. The data: subject 1 has ten rows
// in ten plans (p0..p9, amount 100 each); subjects 2..21 have one row each in p0, p1 or p2 (amount 50). With
// max_cells_per_subject 3, subject 1 counts in three of its plans only, with its amount clamped to 80; the
// others: p0 7 subjects, p1 6, p2 7.
import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dsarMain, jsonOf } from '../helpers/dsar-main.ts';
import { loadDataMap } from '../../src/datamap/load.ts';
import { seededBits } from '../../src/extract/dp/bits.ts';
import { runExtract } from '../../src/ops/extract.ts';
import { openStateFor } from '../../src/state/for-map.ts';
import { pino } from 'pino';
import Database from 'better-sqlite3';
import { createFourEngines, FOUR_SYSTEMS, type FourEngines } from '../helpers/four-engines.ts';

const others = Array.from({ length: 20 }, (_, k) => ({ user: k + 2, plan: `p${(k + 2) % 3}`, amount: 50 }));
const ROWS = [...Array.from({ length: 10 }, (_, k) => ({ user: 1, plan: `p${k}`, amount: 100 })), ...others].map((r, i) => ({ id: i + 1, ...r }));
const BASE: Record<string, number> = { p0: 7, p1: 6, p2: 7 };
const PLANS = [...Array.from({ length: 10 }, (_, k) => `p${k}`), 'px'];

let fx: FourEngines;

beforeAll(async () => {
  fx = await createFourEngines('dpx', {
    create: {
      pg: 'CREATE TABLE people (id int PRIMARY KEY, user_id int NOT NULL, plan text NOT NULL, amount numeric(10,2))',
      my: 'CREATE TABLE people (id int PRIMARY KEY, user_id int NOT NULL, plan varchar(10) NOT NULL, amount decimal(10,2))',
      lite: 'CREATE TABLE people (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, plan TEXT NOT NULL, amount REAL)',
    },
    values: ROWS.map((r) => `(${r.id}, ${r.user}, '${r.plan}', ${r.amount})`).join(', '),
    csv: ['id,user_id,plan,amount', ...ROWS.map((r) => `${r.id},${r.user},${r.plan},${r.amount}`)].join('\n') + '\n',
    table: '    key: id\n    unlinked: "test data"\n',
  });
  // A reference table of the plans, for a domain read from the database.
  const lite = new Database(path.join(fx.dir, 'app.db'));
  lite.exec(`CREATE TABLE plans (name TEXT PRIMARY KEY); INSERT INTO plans VALUES ${PLANS.map((p) => `('${p}')`).join(', ')}`);
  lite.close();
  const extracts = FOUR_SYSTEMS.flatMap((s) => [
    `  exact_${s}:
    from: ${s}.people
    subject: user_id
    group_by: [plan]
    measures: { subjects: count, spend: sum(amount), mean: avg(amount) }
    domain: { plan: [${PLANS.join(', ')}] }
    privacy: { dp: { epsilon: 1000000, max_cells_per_subject: 3, bounds: { amount: [0, 80] } } }
    budget: { epsilon: 100000000, per: 365d }
    output: ndjson`,
  ]);
  appendFileSync(
    fx.map,
    `extracts:
${extracts.join('\n')}
  monthly:
    from: lite.people
    subject: user_id
    group_by: [plan]
    measures: { subjects: count }
    domain: { plan: [p0, p1, p2] }
    privacy: { dp: { epsilon: 1, max_cells_per_subject: 1 } }
    budget: { epsilon: 2, delta: 1e-6, per: 30d }
    budget_group: partner
    output: csv
  weekly:
    from: lite.people
    subject: user_id
    group_by: [plan]
    measures: { subjects: count }
    domain: { plan: [p0, p1, p2] }
    privacy: { dp: { epsilon: 1, delta: 1e-7, mechanism: gaussian, max_cells_per_subject: 1 } }
    budget: { epsilon: 2, delta: 1e-6, per: 30d }
    budget_group: partner
    output: csv
  from_table:
    from: lite.people
    subject: user_id
    group_by: [plan]
    domain: { plan: lite.plans.name }
    privacy: { dp: { epsilon: 1000000, max_cells_per_subject: 3 } }
    budget: { epsilon: 100000000, per: 365d }
    output: ndjson
  once:
    from: lite.people
    subject: user_id
    group_by: [plan]
    domain: { plan: [p0, p1, p2] }
    privacy: { dp: { epsilon: 1 } }
    budget: { epsilon: 1, per: 365d }
  bad_max:
    from: lite.people
    subject: user_id
    group_by: [plan]
    measures: { top: max(amount), spend: sum(amount) }
    privacy: { dp: { epsilon: 1, delta: 1e-6 } }
    budget: { epsilon: 1, delta: 1e-6, per: 365d }
  bad_ladder:
    from: lite.people
    subject: user_id
    group_by: [plan]
    columns: { plan: { role: quasi, generalize: [prefix-1] } }
    privacy: { dp: { epsilon: 1 } }
    budget: { epsilon: 1, per: 365d }
  bad_record:
    from: lite.people
    subject: user_id
    columns: { plan: { role: quasi } }
    privacy: { dp: { epsilon: 1 } }
    budget: { epsilon: 1, per: 365d }
  threshold:
    from: lite.people
    subject: user_id
    group_by: [plan]
    measures: { subjects: count, spend: sum(amount) }
    privacy: { dp: { epsilon: 5, delta: 1e-3, max_cells_per_subject: 1, bounds: { amount: [0, 100] } } }
    budget: { epsilon: 10, delta: 1e-2, per: 365d }
    output: ndjson
`,
  );
});

afterAll(async () => fx?.dispose());

async function dsar(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
  Object.assign(process.env, fx.env);
  process.env.DSAR_STATE_DIR = fx.dir;
  const run = await dsarMain(fx.map, '--json', ...argv);
  return { ...run, json: jsonOf(run.stdout) };
}

const ndjson = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('contributions are bounded exactly on every engine', () => {
  test.each(FOUR_SYSTEMS)('%s: subject 1 counts in 3 of its 10 cells, its amounts clamped to 80; every domain cell is published', async (s) => {
    const out = path.join(fx.dir, 'out', `exact_${s}.ndjson`);
    const r = await dsar(['extract', `exact_${s}`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // epsilon 10^6: the noise scale is about 10^-5, so every draw is 0 and the released values are the bounded truth.
    const rows = ndjson(out);
    expect(rows.map((x) => x.plan)).toEqual(PLANS);
    const extra = rows.map((x) => x.subjects - (BASE[x.plan] ?? 0));
    expect(extra.every((d) => d === 0 || d === 1)).toBe(true);
    expect(extra.reduce((a, b) => a + b, 0)).toBe(3);
    for (const x of rows) expect(x.spend).toBe((BASE[x.plan] ?? 0) * 50 + (x.subjects - (BASE[x.plan] ?? 0)) * 80);
    expect(rows.find((x) => x.plan === 'px')).toEqual({ plan: 'px', subjects: 0, spend: 0, mean: null });
    expect(r.json.risk.dp).toMatchObject({ mechanism: 'laplace', epsilon: 1000000, maxCellsPerSubject: 3, cells: { published: 11, from: 'domain' } });
  });
});

test('a domain read from a reference table publishes each of its values, the empty ones too', async () => {
  const out = path.join(fx.dir, 'out', 'from_table.ndjson');
  const r = await dsar(['extract', 'from_table', '--out', out]);
  expect(r.code).toBe(0);
  expect(ndjson(out).map((x) => x.plan)).toEqual(PLANS);
  expect(ndjson(out).find((x) => x.plan === 'px')).toEqual({ plan: 'px', count: 0 });
  expect(readFileSync(`${out}.risk.html`, 'utf8')).toContain('<h2>Differential privacy</h2>');
});

describe('the budget', () => {
  const at = (iso: string) => new Date(iso);
  async function release(name: string, now: Date) {
    const map = loadDataMap(fx.map);
    const store = await openStateFor(map);
    try {
      return await runExtract(map, name, { out: path.join(fx.dir, 'out', `${name}-${now.getTime()}.csv`), store, log: pino({ level: 'silent' }), now, bits: seededBits(`${name}${now.getTime()}`) });
    } finally {
      await store.close();
    }
  }

  test('releases are charged to their group until it is spent; the next is refused, nothing written, naming what is left', async () => {
    expect((await release('monthly', at('2026-03-01T00:00:00Z'))).ok).toBe(true);
    // The same release again spends again.
    expect((await release('monthly', at('2026-03-02T00:00:00Z'))).ok).toBe(true);
    const refused = release('monthly', at('2026-03-03T00:00:00Z'));
    await expect(refused).rejects.toThrow('extract monthly: budget group partner has epsilon 0, delta 0.000001 left in its 30d window (spent epsilon 2, delta 0); this release needs epsilon 1, delta 0: nothing written');
    expect(existsSync(path.join(fx.dir, 'out', `monthly-${at('2026-03-03T00:00:00Z').getTime()}.csv`))).toBe(false);
    // A Gaussian release of the same group is refused as well.
    await expect(release('weekly', at('2026-03-04T00:00:00Z'))).rejects.toThrow(/budget group partner has epsilon 0/);
  });

  test('a window rolls over: 30 days after the first release, its epsilon is back', async () => {
    expect((await release('monthly', at('2026-03-31T00:00:01Z'))).ok).toBe(true);
    await expect(release('monthly', at('2026-03-31T00:00:02Z'))).rejects.toThrow(/has epsilon 0, delta 0.000001 left/);
  });

  test('dsar budget shows each group spent and left, and checks the chain', async () => {
    const r = await dsar(['budget', 'partner']);
    expect(r.code).toBe(0);
    const g = r.json.groups[0];
    expect(g).toMatchObject({ group: 'partner', extracts: ['monthly', 'weekly'], budget: { epsilon: 2, delta: 1e-6, per: '30d' } });
    expect(r.json.chain).toMatchObject({ ok: true, problems: [] });
  });

  test('on the command line, a release over budget is exit 1 with what is left, and no file', async () => {
    const out = path.join(fx.dir, 'out', 'once.csv');
    expect((await dsar(['extract', 'once', '--out', out])).code).toBe(0);
    const again = await dsar(['extract', 'once', '--out', path.join(fx.dir, 'out', 'once-again.csv')]);
    expect(again.code).toBe(1);
    expect(again.json.error.message).toBe('extract once: budget group once has epsilon 0, delta 0 left in its 365d window (spent epsilon 1, delta 0); this release needs epsilon 1, delta 0: nothing written');
    expect(existsSync(path.join(fx.dir, 'out', 'once-again.csv'))).toBe(false);
  });
});

describe('what a dp release may not ask is refused before anything is read (exit 2, located)', () => {
  test.each([
    ['bad_max', /max publishes one row's value, which noise does not protect: with dp, use count, sum or avg/],
    ['bad_max', /sum\(amount\) needs bounds: `dp: \{ bounds: \{ amount: \[lo, hi\] \} \}`/],
    ['bad_ladder', /`plan`: with dp, group columns are published as they are \(a generalization search reads true counts\); drop its generalize ladder/],
    ['bad_record', /`dp` applies to aggregates \(group_by and measures\)/],
  ])('%s: %s', async (name, message) => {
    const r = await dsar(['extract', name]);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(message);
    expect(r.json.error.message).toMatch(/datamap\.yaml:\d+:\d+/);
  });
});

describe('no true value leaves the process', () => {
  test('a thresholded release: noisy cells only; the report, the ledger and the logs carry no true sum or count of the source', async () => {
    const out = path.join(fx.dir, 'out', 'threshold.ndjson');
    const logs: string[] = [];
    const map = loadDataMap(fx.map);
    const store = await openStateFor(map);
    let result;
    try {
      const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
      result = await runExtract(map, 'threshold', { out, store, log, bits: seededBits('threshold') });
    } finally {
      await store.close();
    }
    expect(result.rowsIn).toBe(0);
    // True per-cell sums (p0 with or without subject 1's 100): none may appear outside the noisy cells.
    const truths = ['350', '450', '300', '400'];
    const texts = [readFileSync(`${out}.risk.json`, 'utf8'), readFileSync(`${out}.risk.html`, 'utf8'), JSON.stringify(result), logs.join('')];
    const data = ndjson(out);
    for (const row of data) expect(truths).not.toContain(String(row.spend));
    for (const text of texts) for (const t of truths) expect(text).not.toMatch(new RegExp(`[^0-9.]${t}[^0-9]`));
    expect(result.risk!.dp!.cells.from).toBe('threshold');
  });
});
