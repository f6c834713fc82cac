// NDJSON: one JSON object a line, read line by line. A rewrite keeps every untouched line (and blank lines)
// byte-identical; a changed line is written compact with the line's own ending.
import type { Readable } from 'node:stream';
import { isBlank, parseJsonObject, startsWithBom, UTF8_BOM, type FormatCodec, type SourceRecord } from './codec.ts';

export const ndjsonCodec: FormatCodec = {
  async fixedColumns() {
    return undefined;
  },

  async *records(source) {
    for await (const { record } of ndjsonLines(source)) if (record) yield record;
  },

  async rewrite(source, sink, edit) {
    let changed = false;
    for await (const { bytes, record, first } of ndjsonLines(source)) {
      const change = record ? edit(record) : undefined;
      if (change === undefined || ('row' in change && JSON.stringify(change.row) === JSON.stringify(record!.row))) {
        await sink.write(bytes);
        continue;
      }
      changed = true;
      const bom = first && startsWithBom(bytes) ? UTF8_BOM : Buffer.alloc(0); // the BOM belongs to the file, not the line
      if ('drop' in change) {
        await sink.write(bom);
      } else {
        const ending = bytes.subarray(bytes.length - lineEndingLength(bytes));
        await sink.write(Buffer.concat([bom, Buffer.from(JSON.stringify(change.row), 'utf8'), ending]));
      }
    }
    return changed;
  },
};

/** Every line with its ending; data lines come with their record, blank ones without. */
async function* ndjsonLines(source: Readable): AsyncGenerator<{ bytes: Buffer; record?: SourceRecord; first: boolean }> {
  let line = 0;
  let position = 0;
  for await (const bytes of splitLines(source)) {
    line++;
    const blank = isBlank(bytes, line === 1 && startsWithBom(bytes) ? 3 : 0);
    const record = blank ? undefined : { position: ++position, line, size: bytes.length, row: parseJsonObject(bytes, line) };
    yield { bytes, record, first: line === 1 };
  }
}

/** Lines with their LF (or CRLF) kept; the last one may have none. */
async function* splitLines(source: Readable): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let start = 0;
    for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, lf + 1);
      yield carry.length ? Buffer.concat([...carry, piece]) : piece;
      carry = [];
      start = lf + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length) yield Buffer.concat(carry);
}

function lineEndingLength(bytes: Buffer): number {
  const n = bytes.length;
  if (n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a) return 2;
  return n >= 1 && bytes[n - 1] === 0x0a ? 1 : 0;
}
