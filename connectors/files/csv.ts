// CSV: streamed with csv-parse, format-preserving on rewrite. csv-parse gives each record's fields and the byte
// offset where the record ends; a tap in front of the parser keeps the bytes so that every record also carries
// its exact original bytes (BOM, blank lines before it, its CRLF or LF). Untouched records are written back from
// those bytes; changed ones are re-serialized with the file's delimiter, quoting a field when it was quoted before
// or needs it. Values are written as they are: no formula escaping in data files (that is for exports).
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import type { Row } from '../connector.ts';
import {
  FileSyntaxError,
  countLineFeeds,
  valueText,
  type FormatCodec,
  type RecordEdit,
  type SourceRecord,
} from './codec.ts';

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];
const PEEK_LIMIT = 64 * 1024;

interface CsvRecord {
  fields: string[];
  /** The record's exact bytes: blank lines before it, the record, its line ending. The header's include the BOM. */
  raw: Buffer;
  /** Line where the record starts. */
  line: number;
}

interface CsvFile {
  delimiter: string;
  /** Header first, then data records. */
  records: AsyncGenerator<CsvRecord>;
  /** Bytes after the last record (trailing blank lines); complete once `records` is exhausted. */
  trailer(): Buffer;
}

export const csvCodec: FormatCodec = {
  async fixedColumns(source) {
    const csv = await openCsv(source);
    try {
      const first = await csv.records.next();
      return first.done ? [] : headerNames(first.value);
    } finally {
      await csv.records.return(undefined);
    }
  },

  async *records(source) {
    for await (const { record } of dataRecords(await openCsv(source))) yield record;
  },

  async rewrite(source, sink, edit) {
    const csv = await openCsv(source);
    let changed = false;
    for await (const { header, csvRecord, record } of dataRecords(csv, (raw) => sink.write(raw))) {
      const bytes = rewriteRecord(csvRecord, record, header, csv.delimiter, edit(record));
      changed ||= bytes !== csvRecord.raw;
      await sink.write(bytes);
    }
    await sink.write(csv.trailer());
    return changed;
  },
};

/** Data records with their row objects; the header's bytes go to `onHeader` untouched. */
async function* dataRecords(
  csv: CsvFile,
  onHeader?: (raw: Buffer) => Promise<void>,
): AsyncGenerator<{ header: string[]; csvRecord: CsvRecord; record: SourceRecord }> {
  let header: string[] | undefined;
  let position = 0;
  for await (const csvRecord of csv.records) {
    if (!header) {
      header = headerNames(csvRecord);
      await onHeader?.(csvRecord.raw);
      continue;
    }
    const row: Row = {};
    header.forEach((name, i) => (row[name] = csvRecord.fields[i]));
    position++;
    yield { header, csvRecord, record: { position, line: csvRecord.line, size: csvRecord.raw.length, row } };
  }
}

function headerNames(header: CsvRecord): string[] {
  const seen = new Set<string>();
  for (const name of header.fields) {
    if (seen.has(name)) throw new FileSyntaxError(header.line, `column "${name}" appears twice in the header`);
    seen.add(name);
  }
  return header.fields;
}

function rewriteRecord(csvRecord: CsvRecord, record: SourceRecord, header: string[], delimiter: string, edit: RecordEdit): Buffer {
  if (edit === undefined) return csvRecord.raw;
  if ('drop' in edit) return leadingBlankLines(csvRecord.raw);
  for (const name of Object.keys(edit.row)) {
    if (!header.includes(name)) throw new FileSyntaxError(record.line, `no column "${name}" in the header`);
  }
  const fields = header.map((name, i) => (name in edit.row ? (valueText(edit.row[name]) ?? '') : csvRecord.fields[i]));
  if (fields.every((text, i) => text === csvRecord.fields[i])) return csvRecord.raw;
  const quoted = quotedFields(csvRecord.raw, delimiter);
  const text = fields.map((f, i) => csvField(f, quoted[i], delimiter)).join(delimiter);
  return Buffer.concat([leadingBlankLines(csvRecord.raw), Buffer.from(text, 'utf8'), lineEnding(csvRecord.raw)]);
}

/** One field as CSV text: quoted (with `""` escapes) when it was quoted before or holds a delimiter, quote or newline. */
export function csvField(text: string, wasQuoted: boolean, delimiter: string): string {
  const needsQuotes = wasQuoted || text.includes(delimiter) || /["\r\n]/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Which fields of a record were quoted, read from its bytes, for records being changed only. csv-parse tells this
 * only through `cast`, per field: on for every record it made a parse 5-7x slower (300,000 records: 1.9 s -> 13.3 s),
 * and parsing one changed record again costs ~50 us against ~0.5 us here. The record already parsed, so it is
 * well-formed; test/connectors/csv-quoting.test.ts checks this reading against csv-parse's on random records.
 */
export function quotedFields(raw: Buffer, delimiter: string): boolean[] {
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  const afterBom = raw.subarray(bom);
  const text = afterBom.subarray(leadingBlankLines(afterBom).length).toString('utf8');
  const quoted: boolean[] = [];
  let i = 0;
  let fieldStart = true;
  for (;;) {
    if (fieldStart) {
      fieldStart = false;
      quoted.push(text[i] === '"');
      if (text[i] === '"') {
        // Skip to the closing quote; `""` inside is an escaped quote.
        for (i++; i < text.length; i++) {
          if (text[i] !== '"') continue;
          if (text[i + 1] !== '"') break;
          i++;
        }
        i++;
        continue;
      }
    }
    if (i >= text.length || text[i] === '\r' || text[i] === '\n') return quoted;
    if (text.startsWith(delimiter, i)) {
      i += delimiter.length;
      fieldStart = true;
    } else {
      i++;
    }
  }
}

/** Blank lines that csv-parse skipped before a record (they stay in the file when the record is changed or dropped). */
function leadingBlankLines(raw: Buffer): Buffer {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x0d || raw[i] === 0x0a)) i++;
  return raw.subarray(0, i);
}

/** The record's own line ending (CRLF, LF, CR), or nothing for a last line without one. */
function lineEnding(raw: Buffer): Buffer {
  const n = raw.length;
  if (n >= 2 && raw[n - 2] === 0x0d && raw[n - 1] === 0x0a) return raw.subarray(n - 2);
  if (n >= 1 && (raw[n - 1] === 0x0a || raw[n - 1] === 0x0d)) return raw.subarray(n - 1);
  return raw.subarray(n);
}

async function openCsv(source: Readable): Promise<CsvFile> {
  const { head, rest } = await peek(source);
  const delimiter = detectDelimiter(head);
  const tap = new ByteTap();
  const parser = parse({
    bom: true,
    delimiter,
    info: true,
    skip_empty_lines: true,
  });
  pipeline(rest, tap, parser, () => {
    // Errors reach the consumer through the parser's iterator.
  });

  let linesBefore = 0;
  async function* records(): AsyncGenerator<CsvRecord> {
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
        const raw = tap.bytesUntil(item.info.bytes);
        const line = linesBefore + 1 + countLineFeeds(leadingBlankLines(raw));
        linesBefore += countLineFeeds(raw);
        yield { fields: item.record, raw, line };
      }
    } catch (err) {
      throw err instanceof CsvError ? syntaxError(err, linesBefore + 1 + tap.blankLinesAhead()) : err;
    } finally {
      parser.destroy();
      rest.destroy();
    }
  }
  return { delimiter, records: records(), trailer: () => tap.remainder() };
}

/** csv-parse's messages quote the offending field; ours name the line and the problem only. */
function syntaxError(err: CsvError, recordStartLine: number): FileSyntaxError {
  const line = (err as CsvError & { lines?: number }).lines ?? recordStartLine;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new FileSyntaxError(recordStartLine, 'a quoted field is never closed');
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new FileSyntaxError(line, 'text follows a closing quote before the next delimiter');
    case 'INVALID_OPENING_QUOTE':
      return new FileSyntaxError(line, 'a quote inside an unquoted field');
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const counts = /expect (\d+), got (\d+)/.exec(err.message);
      return new FileSyntaxError(line, counts ? `expected ${counts[1]} fields, found ${counts[2]}` : 'wrong number of fields');
    }
    default:
      return new FileSyntaxError(line, `invalid CSV (${err.code})`);
  }
}

/** Reads up to the first line feed (or 64 KiB) to look at the header, then hands back a stream of the whole file. */
async function peek(source: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < PEEK_LIMIT) {
    const next = await it.next();
    if (next.done) break;
    chunks.push(next.value);
    size += next.value.length;
    if (next.value.includes(0x0a)) break;
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      yield* chunks;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    } finally {
      await it.return?.();
    }
  }
  return { head: Buffer.concat(chunks), rest: Readable.from(all(), { objectMode: false }) };
}

/** The candidate delimiter seen most often outside quotes on the header line; comma when none is. */
export function detectDelimiter(head: Buffer): string {
  const end = head.indexOf(0x0a);
  const line = head.subarray(0, end === -1 ? head.length : end).toString('utf8');
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && CANDIDATE_DELIMITERS.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const d of CANDIDATE_DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * Passes bytes through to the parser and keeps them until the parser reports the record they belong to.
 * Holds at most what sits in the stream buffers between tap and consumer.
 */
class ByteTap extends Transform {
  private chunks: Buffer[] = [];
  private consumed = 0; // absolute offset of the first byte not yet handed out

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done(null, chunk);
  }

  /** The bytes from the last handed-out offset up to `end` (absolute). */
  bytesUntil(end: number): Buffer {
    const parts: Buffer[] = [];
    let need = end - this.consumed;
    while (need > 0) {
      const chunk = this.chunks[0];
      if (chunk.length <= need) {
        parts.push(chunk);
        this.chunks.shift();
        need -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, need));
        this.chunks[0] = chunk.subarray(need);
        need = 0;
      }
    }
    this.consumed = end;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Blank lines at the start of the bytes not handed out yet: they come before the record being parsed. */
  blankLinesAhead(): number {
    let lines = 0;
    for (const chunk of this.chunks) {
      for (const byte of chunk) {
        if (byte === 0x0a) lines++;
        else if (byte !== 0x0d) return lines;
      }
    }
    return lines;
  }

  /** Everything not handed out yet. */
  remainder(): Buffer {
    const rest = Buffer.concat(this.chunks);
    this.consumed += rest.length;
    this.chunks = [];
    return rest;
  }
}
