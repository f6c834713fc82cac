// The search over one frequency set (in memory) against the search that asks the database at every node: on
// random tables, the same node, the same suppression, the same rows written. SQLite keeps it fast; the four-engine
// agreement is test/ops/extract-engines.test.ts and extract-models.test.ts.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDataMap } from '../../src/datamap/load.ts';
import { silentLogger } from '../../src/log.ts';
import { runExtract, type ExtractResult } from '../../src/ops/extract.ts';
import { openStateStore, type StateStore } from '../../src/state/store.ts';
import { STATE_KEY } from '../helpers/state-key.ts';

let dir: string;
let store: StateStore;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-frequency-'));
  store = await openStateStore({ dir, hmacKey: STATE_KEY });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Person = [year: number, zip: string, amount: number, diagnosis: string | null, household: string | null];

/** Birth dates vary by day within a year unless `yearOnly` (then January 1st). */
function loadTable(file: string, people: readonly Person[], yearOnly = false): void {
  rmSync(file, { force: true });
  const db = new Database(file);
  db.exec('CREATE TABLE people (id integer PRIMARY KEY, birth_date date, zip text, amount integer, diagnosis text, household text)');
  const insert = db.prepare('INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)');
  people.forEach(([year, zip, amount, diagnosis, household], i) => insert.run(i + 1, yearOnly ? `${year}-01-01` : `${year}-0${1 + (i % 9)}-1${i % 10}`, zip, amount, diagnosis, household));
  db.close();
}

/** Birth date, zip and amount are quasi-identifiers (amount: bucket-10, bucket-50, *), diagnosis is sensitive. */
const MAP = readFileSync(new URL('../fixtures/datamaps/frequency-people.yaml', import.meta.url), 'utf8');

function mapText(privacy: string): string {
  process.env.DSAR_TEST_FREQUENCY_KEY = STATE_KEY.toString('utf8');
  return `${MAP}    privacy: ${privacy}\n`;
}

async function extract(privacy: string, frequencyBound?: number): Promise<{ result: ExtractResult; rows: string[] }> {
  const map = parseDataMap(mapText(privacy), path.join(dir, 'datamap.yaml'), dir);
  const out = path.join(dir, `people-${frequencyBound ?? 'memory'}.ndjson`);
  const result = await runExtract(map, 'people', { out, store, log: silentLogger, frequencyBound });
  const rows = result.ok ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).sort() : [];
  return { result, rows };
}

const person = fc.tuple(
  fc.integer({ min: 1980, max: 1991 }),
  fc.constantFrom('12345', '12399', '13000', '54321', '54300', '60001'),
  fc.integer({ min: 0, max: 120 }),
  fc.constantFrom('flu', 'cold', 'gout', null),
  fc.constantFrom('H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8', null),
) as fc.Arbitrary<Person>;

const privacyArb = fc.record({
  k: fc.integer({ min: 1, max: 4 }),
  l: fc.constantFrom(undefined, 2, 3),
  maxSuppression: fc.constantFrom(0, 0.1, 0.3, 1),
});

describe('one read into memory, or one GROUP BY per node: the same extract', () => {
  test('random tables: the same node, rows in, out and suppressed, and the same rows written (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(person, { minLength: 0, maxLength: 40 }), privacyArb, async (people, p) => {
        loadTable(path.join(dir, 'app.db'), people);
        const privacy = `{ k: ${p.k}${p.l ? `, l: ${p.l}` : ''}, max_suppression: ${p.maxSuppression} }`;
        const memory = await extract(privacy);
        const database = await extract(privacy, 1); // a bound of one group: the database answers every node
        expect(memory.result.search).toMatch(/in memory/);
        const groups = memory.result.risk?.generalization.search.frequencies?.groups ?? 0;
        if (groups > 1) expect(database.result.search).toMatch(/one GROUP BY per node/);
        expect(memory.result.ok).toBe(database.result.ok);
        expect(memory.result.levels).toEqual(database.result.levels);
        expect([memory.result.rowsIn, memory.result.rowsOut, memory.result.rowsSuppressed]).toEqual([database.result.rowsIn, database.result.rowsOut, database.result.rowsSuppressed]);
        expect(memory.result.closest).toEqual(database.result.closest);
        expect(memory.rows).toEqual(database.rows);
      }),
      { seed: 20261207, numRuns: 60 },
    );
  }, 120_000);
});

describe('past the bound', () => {
  const people: Person[] = Array.from({ length: 24 }, (_, i) => [1980 + (i % 6), i % 2 ? '12345' : '54321', i * 5, i % 3 ? 'flu' : 'cold', `H${i % 8}`]);

  test('k and distinct-l: the database answers each node, and the report says so', async () => {
    loadTable(path.join(dir, 'app.db'), people);
    const { result } = await extract('{ k: 2, l: 2, max_suppression: 0.2 }', 5);
    expect(result.ok).toBe(true);
    expect(result.risk!.generalization.search.frequencies).toEqual({ how: 'database', bound: 5, preGeneralized: [] });
    expect(result.risk!.record!.utility.nonUniformEntropy).toBeNull();
  });

  test('entropy-l: the column with the most distinct values is read coarser until the set fits, and the report says which', async () => {
    // 24 rows, amounts 0, 5, ..., 115 all distinct, two households (one per birth year and zip), cold where i % 3 = 0:
    // 24 groups raw and at bucket-10 (each bucket holds one row of each year); at bucket-50, 4 + 4 + 3 = 11 groups
    // (household x diagnosis in [0, 50) and [50, 100); rows 20-23 are flu, cold, flu, flu).
    const fine: Person[] = Array.from({ length: 24 }, (_, i) => [1980 + (i % 2), i % 2 ? '12345' : '54321', i * 5, i % 3 ? 'flu' : 'cold', `H${i % 2}`]);
    loadTable(path.join(dir, 'app.db'), fine, true);
    const { result } = await extract('{ k: 1, l: { entropy: 1.5 }, max_suppression: 0.5 }', 20);
    expect(result.ok).toBe(true);
    expect(result.risk!.generalization.search.frequencies).toEqual({
      how: 'pre-generalized',
      bound: 20,
      groups: 11,
      baseClasses: 6,
      preGeneralized: [{ column: 'amount', fromLevel: 0, toLevel: 2 }],
    });
    expect(result.search).toMatch(/^pre-generalized: more than 20 groups at the lowest levels, so the search read amount at bucket-50 \(not raw\) and did not consider finer levels/);
    expect(['bucket-50', '*']).toContain(result.levels.amount);
  });
});

describe('sensitive values named alike by the search and the written rows', () => {
  test('t-closeness on a boolean and a decimal with trailing zeros (SQLite): the extract completes', async () => {
    const file = path.join(dir, 'app.db');
    rmSync(file, { force: true });
    const db = new Database(file);
    db.exec(`CREATE TABLE people (id integer PRIMARY KEY, birth_date date, zip text, amount integer, diagnosis text, household text, smoker boolean, fee decimal(6,2));
      INSERT INTO people VALUES (1, '1980-01-01', '12345', 1, 'flu', 'H1', 1, '12.50'), (2, '1980-02-02', '12345', 2, 'cold', 'H2', 0, '12.5'),
        (3, '1981-01-01', '12399', 3, 'flu', 'H3', 1, '7.00'), (4, '1981-02-02', '12399', 4, 'cold', 'H4', 0, '7')`);
    db.close();
    const map = parseDataMap(
      mapText('{ k: 1, t: 0.9 }').replace('      diagnosis:  { role: sensitive }', '      smoker:     { role: sensitive }\n      fee:        { role: sensitive }'),
      path.join(dir, 'datamap.yaml'),
      dir,
    );
    const result = await runExtract(map, 'people', { out: path.join(dir, 'typed.ndjson'), store, log: silentLogger });
    expect(result.ok).toBe(true);
    expect(result.rowsOut).toBe(4);
  });
});

