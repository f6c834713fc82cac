// The privacy models beyond k and distinct-l, on the people table (test/extract/people-fixture.ts) in PostgreSQL,
// MariaDB, SQLite and a CSV file. Subject: id (one person per row). The classes, worked out by hand:
//   (year, prefix-3):     {1,2} flu+cold   {3,4} flu+flu   {5,6} cold+flu   {7,8} cold+flu
//   (10-years, prefix-3): {1-4} flu 3, cold 1             {5-8} flu 2, cold 2
//   (*, *):               flu 5, cold 3
// Coarser nodes than (10-years, prefix-3) other than (*, *) form the same two classes (zip prefix-1 is 1 or 5).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPeopleSystems, dsar, type PeopleSystems } from '../extract/people-fixture.ts';

const SYSTEMS = ['pg', 'my', 'lite', 'files'] as const;

let fx: PeopleSystems;

beforeAll(async () => {
  fx = await createPeopleSystems();
});

afterAll(async () => {
  await fx?.dispose();
});

const extract = (s: string, name: string, privacy: string) => `  ${name}_${s}:
    from: ${s}.people
    subject: id
    columns:
      birth_date: { role: quasi, generalize: [year, 10-years, "*"] }
      zip:        { role: quasi, generalize: [prefix-3, prefix-1, "*"] }
      diagnosis:  { role: sensitive }
    privacy: ${privacy}
    output: ndjson`;

async function run(name: string, privacy: string) {
  const map = fx.datamap(SYSTEMS.map((s) => extract(s, name, privacy)).join('\n'));
  const out = [];
  for (const s of SYSTEMS) out.push({ s, r: await dsar(map, ['extract', `${name}_${s}`]) });
  return out;
}

const rows = (file: string) =>
  readFileSync(path.join(fx.dir, 'extracts', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('diversity models: the same data, three answers', () => {
  test('distinct-l (l: 2): (10-years, prefix-3) keeps every row, both classes show flu and cold', async () => {
    for (const { s, r } of await run('distinct', '{ k: 2, l: { distinct: 2 }, max_suppression: 0 }')) {
      expect(r.code, s).toBe(0);
      expect(r.json.levels, s).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
      expect([r.json.rowsIn, r.json.rowsOut, r.json.rowsSuppressed], s).toEqual([8, 8, 0]);
      expect(r.json.risk.privacy, s).toEqual({ k: 2, l: 2, diversity: 'distinct', maxSuppression: 0 });
    }
  });

  test('entropy-l (l: 2) refuses: {1-4} is flu 3, cold 1 (entropy 0.56 < ln 2) and the whole table flu 5, cold 3 (0.66)', async () => {
    for (const { s, r } of await run('entropy', '{ k: 2, l: { entropy: 2 }, max_suppression: 0 }')) {
      expect(r.code, s).toBe(1);
      expect(r.json.closest, s).toEqual({ suppressedRows: 8, rows: 8, allowed: 0, levels: { birth_date: '*', zip: '*' } });
    }
  });

  test('entropy-l (l: 1.8, ln 1.8 = 0.588): only the whole table qualifies, so both columns go to *', async () => {
    for (const { s, r } of await run('entropy18', '{ k: 2, l: { entropy: 1.8 }, max_suppression: 0 }')) {
      expect(r.code, s).toBe(0);
      expect(r.json.levels, s).toEqual({ birth_date: '*', zip: '*' });
      expect(rows(`entropy18_${s}.ndjson`).map((x) => x.diagnosis).sort(), s).toEqual(['cold', 'cold', 'cold', 'flu', 'flu', 'flu', 'flu', 'flu']);
    }
  });

  test('recursive-(c,l): c = 3 fails {1-4} (3 < 3 x 1 is false), c = 4 passes it', async () => {
    for (const { s, r } of await run('rec3', '{ k: 2, l: { recursive: { c: 3, l: 2 } }, max_suppression: 0 }')) {
      expect(r.code, s).toBe(0);
      expect(r.json.levels, s).toEqual({ birth_date: '*', zip: '*' }); // 5 < 3 x 3
    }
    for (const { s, r } of await run('rec4', '{ k: 2, l: { recursive: { c: 4, l: 2 } }, max_suppression: 0 }')) {
      expect(r.code, s).toBe(0);
      expect(r.json.levels, s).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
    }
  });
});

describe('t-closeness', () => {
  test('k alone stops at (year, prefix-3); t = 0.2 forces 10-years: {3,4} (flu only) is 0.375 from flu 5/8, cold 3/8', async () => {
    for (const { s, r } of await run('konly', '{ k: 2, max_suppression: 0 }')) {
      expect(r.json.levels, s).toEqual({ birth_date: 'year', zip: 'prefix-3' });
    }
    for (const { s, r } of await run('close', '{ k: 2, t: 0.2, max_suppression: 0 }')) {
      expect(r.code, s).toBe(0);
      // Both classes of (10-years, prefix-3) are 0.125 away.
      expect(r.json.levels, s).toEqual({ birth_date: '10-years', zip: 'prefix-3' });
      expect(r.json.risk.privacy, s).toEqual({ k: 2, l: null, t: 0.2, maxSuppression: 0 });
    }
  });

  test('with suppression allowed, t = 0.2 keeps (year, prefix-3) and suppresses the flu-only class {3,4}', async () => {
    for (const { s, r } of await run('closesup', '{ k: 2, t: 0.2, max_suppression: 0.25 }')) {
      expect(r.code, s).toBe(0);
      expect(r.json.levels, s).toEqual({ birth_date: 'year', zip: 'prefix-3' });
      expect([r.json.rowsOut, r.json.rowsSuppressed], s).toEqual([6, 2]);
      expect(rows(`closesup_${s}.ndjson`).filter((x) => x.birth_date === '1981'), s).toEqual([]);
    }
  });
});

describe('the risk report', () => {
  test('utility: discernibility, average class size and non-uniform entropy of what was written', async () => {
    for (const { s, r } of await run('utility', '{ k: 2, l: 2, max_suppression: 0 }')) {
      const u = r.json.risk.record.utility;
      // Two classes of 4 rows, nothing suppressed: 4^2 + 4^2; 8 rows / 2 classes, / k = 2.
      expect([u.discernibility, u.averageClassSize, u.averageClassSizeNormalized], s).toEqual([32, 4, 2]);
      // Raw values are all distinct (1/8 each); each row's generalized values are shared by 4: log2(4/1) bits per
      // column, against log2(8/1) for `*`: (2 + 2) / (3 + 3).
      expect(u.nonUniformEntropy.bits, s).toBeCloseTo(8 * 4, 9);
      expect(u.nonUniformEntropy.normalized, s).toBeCloseTo(4 / 6, 9);
      expect(r.json.risk.generalization.search.frequencies, s).toEqual({ how: 'memory', bound: 1_000_000, groups: 8, baseClasses: 8, preGeneralized: [] });
    }
  });

  test('the HTML report names the model asked and the utility measures', async () => {
    const [{ r }] = (await run('html', '{ k: 2, l: { entropy: 1.8 }, t: 0.5, max_suppression: 0 }')).filter((x) => x.s === 'lite');
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(fx.dir, 'extracts', 'html_lite.ndjson.risk.html'), 'utf8');
    expect(html).toContain('k = 2, entropy l = 1.8, t = 0.5, at most 0.0% suppressed');
    // (*, *): one class of 8 rows: discernibility 64, every value generalized to * (100%).
    expect(html).toMatch(/discernibility[^<]*<\/th><td>64</);
    expect(html).toMatch(/non-uniform entropy[^<]*<\/th><td>48 bits \(100\.0%\)/);
  });

  test('--memory-groups below 1 is refused (exit 2) before anything is read', async () => {
    const map = fx.datamap(extract('lite', 'bad', '{ k: 2 }'));
    const r = await dsar(map, ['extract', 'bad_lite', '--memory-groups', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--memory-groups must be a whole number of at least 1');
  });
});
