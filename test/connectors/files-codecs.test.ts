// Property tests of the format codecs: whatever the content and however the bytes are chunked, reading gives the
// rows back, a rewrite without changes is byte-identical, and a changed record leaves every other byte alone.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../connectors/connector.ts';
import type { FormatCodec, RecordEdit, SourceRecord } from '../../connectors/files/codec.ts';
import { csvCodec, csvField } from '../../connectors/files/csv.ts';
import { jsonCodec } from '../../connectors/files/json.ts';
import { ndjsonCodec } from '../../connectors/files/ndjson.ts';

/** The bytes as a stream of chunks cut at the given sizes (cycled), so boundaries fall anywhere, mid-character too. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

async function readAll(codec: FormatCodec, bytes: Buffer, sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const record of codec.records(chunked(bytes, sizes))) rows.push(record.row);
  return rows;
}

async function rewrite(codec: FormatCodec, bytes: Buffer, sizes: number[], edit: (r: SourceRecord) => RecordEdit) {
  const out: Buffer[] = [];
  const changed = await codec.rewrite(chunked(bytes, sizes), { write: async (b) => void out.push(Buffer.from(b)) }, edit);
  return { bytes: Buffer.concat(out), changed };
}

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '"', '\r', '\n', 'é', '東', '😀', '=', '-') , maxLength: 8 }),
  fc.string({ maxLength: 6 }),
);
/** Enough cases to hit quotes, newlines and chunk boundaries, few enough to keep the file fast. */
const RUNS = { numRuns: 50 };
const sizes = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });

interface CsvCase {
  columns: string[];
  rows: string[][];
  file: Buffer;
  /** Byte range of each data record in `file`. */
  ranges: Array<[number, number]>;
  delimiter: string;
}

const csvCase = fc
  .record({
    width: fc.integer({ min: 2, max: 4 }),
    delimiter: fc.constantFrom(',', ';'),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
    quoteAll: fc.boolean(),
    cells: fc.array(fc.array(text, { minLength: 4, maxLength: 4 }), { maxLength: 6 }),
  })
  .map(({ width, delimiter, eol, bom, finalEol, quoteAll, cells }): CsvCase => {
    const columns = Array.from({ length: width }, (_, i) => `c${i}`);
    const rows = cells.map((r) => r.slice(0, width));
    const line = (fields: string[]) => fields.map((f) => csvField(f, quoteAll, delimiter)).join(delimiter);
    const parts = [Buffer.from((bom ? '\uFEFF' : '') + line(columns) + eol, 'utf8')];
    const ranges: Array<[number, number]> = [];
    let at = parts[0].length;
    rows.forEach((r, i) => {
      const bytes = Buffer.from(line(r) + (i < rows.length - 1 || finalEol ? eol : ''), 'utf8');
      ranges.push([at, at + bytes.length]);
      parts.push(bytes);
      at += bytes.length;
    });
    return { columns, rows, file: Buffer.concat(parts), ranges, delimiter };
  });

const asRow = (columns: string[], fields: string[]) => Object.fromEntries(columns.map((c, i) => [c, fields[i]]));

describe('csv codec', () => {
  it('reads the rows back however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase, sizes, async (c, s) => {
        expect(await readAll(csvCodec, c.file, s)).toEqual(c.rows.map((r) => asRow(c.columns, r)));
      }),
      RUNS,
    );
  });

  it('rewrites byte-identically when nothing changes', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase, sizes, async (c, s) => {
        const result = await rewrite(csvCodec, c.file, s, (r) => (r.position === 1 ? { row: r.row } : undefined));
        expect(result.changed).toBe(false);
        expect(result.bytes.equals(c.file)).toBe(true);
      }),
      RUNS,
    );
  });

  it('changes only the bytes of the changed record and reads back the new values', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase.filter((c) => c.rows.length > 0), fc.nat(), fc.array(text, { minLength: 4, maxLength: 4 }), sizes, async (c, pick, values, s) => {
        const k = pick % c.rows.length;
        const replacement = values.slice(0, c.columns.length);
        const result = await rewrite(csvCodec, c.file, s, (r) => (r.position === k + 1 ? { row: asRow(c.columns, replacement) } : undefined));
        const [start, end] = c.ranges[k];
        expect(result.bytes.subarray(0, start).equals(c.file.subarray(0, start))).toBe(true);
        const tail = c.file.subarray(end);
        expect(result.bytes.subarray(result.bytes.length - tail.length).equals(tail)).toBe(true);
        const expected = c.rows.map((r, i) => asRow(c.columns, i === k ? replacement : r));
        expect(await readAll(csvCodec, result.bytes, [64])).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('drops a record and keeps the rest', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase.filter((c) => c.rows.length > 0), fc.nat(), sizes, async (c, pick, s) => {
        const k = pick % c.rows.length;
        const result = await rewrite(csvCodec, c.file, s, (r) => (r.position === k + 1 ? { drop: true } : undefined));
        expect(await readAll(csvCodec, result.bytes, [64])).toEqual(c.rows.filter((_, i) => i !== k).map((r) => asRow(c.columns, r)));
      }),
      RUNS,
    );
  });
});

const jsonRow = fc.dictionary(fc.constantFrom('id', 'email', 'name', 'tags', 'n'), fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 2 })), {
  minKeys: 1,
});
const jsonCase = fc.record({
  rows: fc.array(jsonRow, { maxLength: 6 }),
  indent: fc.constantFrom(0, 2, 4),
  trailing: fc.constantFrom('', '\n', '\r\n'),
});

describe('json and ndjson codecs', () => {
  it('json: reads, rewrites unchanged byte-identically, and writes a changed or dropped element back', async () => {
    await fc.assert(
      fc.asyncProperty(jsonCase, fc.nat(), jsonRow, fc.boolean(), sizes, async ({ rows, indent, trailing }, pick, replacement, drop, s) => {
        const file = Buffer.from(JSON.stringify(rows, null, indent) + trailing, 'utf8');
        expect(await readAll(jsonCodec, file, s)).toEqual(rows);
        const same = await rewrite(jsonCodec, file, s, () => undefined);
        expect(same.bytes.equals(file)).toBe(true);
        if (rows.length === 0) return;
        const k = pick % rows.length;
        const changed = await rewrite(jsonCodec, file, s, (r) => (r.position !== k + 1 ? undefined : drop ? { drop: true } : { row: replacement }));
        const expected = drop ? rows.filter((_, i) => i !== k) : rows.map((r, i) => (i === k ? replacement : r));
        expect(JSON.parse(changed.bytes.toString('utf8'))).toEqual(expected);
        if (!drop) expect(changed.bytes.toString('utf8')).toBe(JSON.stringify(expected, null, indent) + trailing);
      }),
      RUNS,
    );
  });

  it('ndjson: reads, rewrites unchanged byte-identically, and changes or drops only the picked line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonRow, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.nat(), jsonRow, fc.boolean(), sizes, async (rows, eol, pick, replacement, drop, s) => {
        const lines = rows.map((r) => JSON.stringify(r) + eol);
        const file = Buffer.from(lines.join(''), 'utf8');
        expect(await readAll(ndjsonCodec, file, s)).toEqual(rows);
        if (rows.length === 0) return;
        const k = pick % rows.length;
        const changed = await rewrite(ndjsonCodec, file, s, (r) => (r.position !== k + 1 ? undefined : drop ? { drop: true } : { row: replacement }));
        const expectedLines = drop ? lines.filter((_, i) => i !== k) : lines.map((l, i) => (i === k ? JSON.stringify(replacement) + eol : l));
        expect(changed.bytes.toString('utf8')).toBe(expectedLines.join(''));
      }),
      RUNS,
    );
  });
});
