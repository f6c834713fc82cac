// What the files connector needs from each file format (csv, json, ndjson): read records in file order, and
// rewrite the file record by record, keeping the exact bytes of every record that is not changed.
import type { Readable } from 'node:stream';
import type { Row } from '../connector.ts';

/** One data record, numbered by its position among the file's data records (1-based). */
export interface SourceRecord {
  position: number;
  /** Line of the file where the record starts (1-based), for error messages. */
  line: number;
  /** Bytes the record takes in the file (with its line ending or separator): for row estimates. */
  size: number;
  row: Row;
}

/** What to do with one record during a rewrite: keep its bytes (undefined), drop it, or write `row` instead. */
export type RecordEdit = undefined | { drop: true } | { row: Row };

/** Where a rewrite writes the new file. */
export interface ByteSink {
  write(data: Buffer | string): Promise<void>;
}

export interface FormatCodec {
  /** Column names every record has (the CSV header); undefined for formats without a fixed set. */
  fixedColumns(source: Readable): Promise<string[] | undefined>;
  records(source: Readable): AsyncIterable<SourceRecord>;
  /**
   * Streams `source` to `sink`, asking `edit` about each record; resolves when the last byte is written, to
   * whether any byte differs from the source (a replacement equal to the original keeps the original bytes).
   */
  rewrite(source: Readable, sink: ByteSink, edit: (record: SourceRecord) => RecordEdit): Promise<boolean>;
}

/**
 * The file is not valid in its format at `line`. The message never quotes the file's content (it may be personal
 * data); the connector turns this into SystemError(system, table, "line N: ...").
 */
export class FileSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'FileSyntaxError';
  }
}

/** A value as text, the way a database's `col::text` would show it; null and undefined have none. */
export function valueText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Counts line feeds in `bytes`: line numbers for error messages. */
export function countLineFeeds(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** True when `bytes` holds only spaces, tabs, CR and LF (a blank line, a gap between JSON values). */
export function isBlank(bytes: Buffer, from = 0): boolean {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Parses one JSON record; anything but an object is an error that names the line and never the content. */
export function parseJsonObject(bytes: Buffer, line: number): Row {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message quotes the text around the error, which may be personal data.
    throw new FileSyntaxError(line, 'invalid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FileSyntaxError(line, 'expected a JSON object');
  }
  return value as Row;
}
