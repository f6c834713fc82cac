// JSON files holding one array of objects, streamed: a small byte-level scanner splits the array into its elements
// and the text between them, so no more than one element is in memory at a time. A rewrite keeps the bytes of every
// untouched element and of the separators; a changed element is written in the style of the original one
// (indented with the same unit and base indentation when it spanned lines, compact otherwise).
import type { Readable } from 'node:stream';
import type { Row } from '../connector.ts';
import { FileSyntaxError, parseJsonObject, type FormatCodec, type SourceRecord } from './codec.ts';

/** The file as a sequence: gap, element, gap, element, ..., gap. Gaps hold `[`, `,`, `]` and whitespace. */
type JsonPiece = { kind: 'gap'; bytes: Buffer } | { kind: 'element'; bytes: Buffer; line: number };

export const jsonCodec: FormatCodec = {
  async fixedColumns() {
    return undefined;
  },

  async *records(source) {
    let position = 0;
    let gapSize = 0;
    for await (const piece of jsonPieces(source)) {
      if (piece.kind === 'gap') gapSize = piece.bytes.length;
      else yield { position: ++position, line: piece.line, size: gapSize + piece.bytes.length, row: parseJsonObject(piece.bytes, piece.line) };
    }
  },

  async rewrite(source, sink, edit) {
    let gap: Buffer | undefined; // the gap read last: before the next element, or the tail at the end
    let head: Buffer | undefined; // the gap before the first element: `[` and the whitespace after it
    let keptAny = false;
    let lastKept = false;
    let separator: Buffer = Buffer.alloc(0); // the gap that followed the last element kept
    let position = 0;
    let changed = false;
    for await (const piece of jsonPieces(source)) {
      if (piece.kind === 'gap') {
        gap = piece.bytes;
        if (lastKept) separator = piece.bytes;
        continue;
      }
      const before = gap ?? Buffer.alloc(0);
      head ??= before;
      const row = parseJsonObject(piece.bytes, piece.line);
      const record: SourceRecord = { position: ++position, line: piece.line, size: before.length + piece.bytes.length, row };
      const change = edit(record);
      lastKept = change === undefined || !('drop' in change);
      if (!lastKept) {
        changed = true;
        continue;
      }
      await sink.write(keptAny ? separator : head);
      keptAny = true;
      const bytes = change === undefined || 'drop' in change ? piece.bytes : elementText(piece.bytes, row, change.row, before);
      changed ||= bytes !== piece.bytes;
      await sink.write(bytes);
    }
    // Every element deleted: `[` without the indentation that led to the first element, then the tail.
    if (head && !keptAny) await sink.write(head.subarray(0, head.lastIndexOf(0x5b) + 1));
    if (gap) await sink.write(gap); // the tail (or, for an array without elements, the whole file)
    return changed;
  },
};

/** A changed element, laid out like the original one; the original bytes when nothing changed. */
function elementText(original: Buffer, before: Row, after: Row, gapBefore: Buffer): Buffer {
  if (JSON.stringify(before) === JSON.stringify(after)) return original;
  const text = original.toString('utf8');
  if (!text.includes('\n')) return Buffer.from(JSON.stringify(after), 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const gapText = gapBefore.toString('utf8');
  const base = gapText.includes('\n') ? gapText.slice(gapText.lastIndexOf('\n') + 1) : '';
  const secondLine = text.split('\n')[1] ?? '';
  const indent = /^[ \t]*/.exec(secondLine)![0].slice(base.length) || '  ';
  return Buffer.from(JSON.stringify(after, null, indent).split('\n').join(eol + base), 'utf8');
}

const LF = 0x0a;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

type ScanState = 'start' | 'first' | 'element' | 'after' | 'next' | 'end';

/** Splits a JSON array of objects into pieces, byte-exact, without holding more than one element. */
async function* jsonPieces(source: Readable): AsyncGenerator<JsonPiece> {
  let state: ScanState = 'start';
  let line = 1;
  let offset = 0; // absolute offset of the current chunk
  let parts: Buffer[] = []; // bytes of the current piece from earlier chunks
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementLine = 0;

  const fail = (message: string): never => {
    throw new FileSyntaxError(line, message);
  };

  for await (const chunk of source as AsyncIterable<Buffer>) {
    let pieceStart = 0;
    const cut = (end: number): Buffer => {
      const bytes = Buffer.concat([...parts, chunk.subarray(pieceStart, end)]);
      parts = [];
      pieceStart = end;
      return bytes;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (state === 'element') {
        if (b === LF) line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (b === 0x5c) escaped = true; // backslash
          else if (b === 0x22) inString = false;
        } else if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++; // { [
        else if (b === 0x7d || b === 0x5d) {
          // } ]
          if (--depth === 0) {
            yield { kind: 'element', bytes: cut(i + 1), line: elementLine };
            state = 'after';
          }
        }
        continue;
      }
      if (isSpace(b)) {
        if (b === LF) line++;
        continue;
      }
      if (state === 'start') {
        const isBom = offset + i < 3 && b === [0xef, 0xbb, 0xbf][offset + i];
        if (isBom) continue;
        if (b !== 0x5b) fail('expected a JSON array of objects');
        state = 'first';
      } else if ((state === 'first' || state === 'next') && b === 0x7b) {
        yield { kind: 'gap', bytes: cut(i) };
        state = 'element';
        depth = 1;
        elementLine = line;
      } else if (state === 'first' && b === 0x5d) {
        state = 'end';
      } else if (state === 'first' || state === 'next') {
        fail('expected an object as array element');
      } else if (state === 'after' && b === 0x2c) {
        state = 'next';
      } else if (state === 'after' && b === 0x5d) {
        state = 'end';
      } else if (state === 'after') {
        fail('expected "," or "]" after an array element');
      } else {
        fail('unexpected text after the array');
      }
    }
    parts.push(chunk.subarray(pieceStart));
    offset += chunk.length;
  }
  // A file of nothing but whitespace is a table without rows.
  if (state !== 'end' && state !== 'start') fail('the file ends before the array is closed');
  yield { kind: 'gap', bytes: Buffer.concat(parts) };
}
