// Writing an extract as its rows stream out: into a private temp file beside the target (0600 whatever the umask),
// hashed as it is written, renamed into place only once complete, so a failed run never leaves half a data set.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.ts';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export type ExtractFormat = 'csv' | 'ndjson' | 'json';

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ExtractFile {
  /** Appends rows (values in `columns` order, already as written: string, number, boolean or null). */
  write(rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Completes the file and moves it into place. */
  finish(): Promise<WrittenFile>;
  /** Removes the temp file (after a failure). */
  abort(): Promise<void>;
}

/** Opens `target` for writing in `format`; the directory is created private when missing. */
export async function openExtractFile(target: string, format: ExtractFormat, columns: readonly string[]): Promise<ExtractFile> {
  const temp = await openTemp(target);
  const hash = createHash('sha256');
  let bytes = 0;
  let first = true;
  // One write in flight while the caller prepares the next rows; its failure surfaces at the next put or finish.
  let writing: Promise<unknown> = Promise.resolve();
  const put = async (text: string) => {
    if (!text) return;
    const buffer = Buffer.from(text, 'utf8');
    hash.update(buffer);
    bytes += buffer.length;
    await writing;
    writing = temp.handle.write(buffer);
    writing.catch(() => undefined); // awaited by the next put or finish
  };
  const encode = encoder(format, columns);
  try {
    await put(encode.head);
  } catch (err) {
    await temp.discard();
    throw err;
  }
  return {
    async write(rows) {
      if (!rows.length) return;
      let text = '';
      for (const row of rows) {
        text += encode.row(row, first);
        first = false;
      }
      await put(text);
    },
    async finish() {
      await put(encode.tail);
      await writing;
      await temp.handle.sync();
      await temp.handle.close();
      await rename(temp.file, target);
      return { path: target, sha256: hash.digest('hex'), bytes };
    },
    async abort() {
      await writing.catch(() => undefined);
      await temp.discard();
    },
  };
}

/** Writes a whole small file (the risk reports) the same private, atomic way. */
export async function writeWholeFile(target: string, content: string): Promise<WrittenFile> {
  const temp = await openTemp(target);
  const buffer = Buffer.from(content, 'utf8');
  try {
    await temp.handle.write(buffer);
    await temp.handle.sync();
    await temp.handle.close();
    await rename(temp.file, target);
  } catch (err) {
    await temp.discard();
    throw err;
  }
  return { path: target, sha256: createHash('sha256').update(buffer).digest('hex'), bytes: buffer.length };
}

async function openTemp(target: string): Promise<{ file: string; handle: FileHandle; discard(): Promise<void> }> {
  const dir = path.dirname(target);
  const s = await stat(dir).catch(() => undefined);
  if (s && !s.isDirectory()) throw new UsageError(`--out: ${dir} is not a directory`);
  if (!s) {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`--out: ${target} is a directory`);
  const file = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(file, 'wx', FILE_MODE);
  await handle.chmod(FILE_MODE); // open's mode is masked by the umask; chmod is not
  return {
    file,
    handle,
    async discard() {
      await handle.close().catch(() => undefined);
      await rm(file, { force: true });
    },
  };
}

interface Encoder {
  head: string;
  row(values: readonly unknown[], first: boolean): string;
  tail: string;
}

function encoder(format: ExtractFormat, columns: readonly string[]): Encoder {
  if (format === 'csv') {
    const row = (values: readonly unknown[]) => {
      let line = csvCell(values[0]);
      for (let i = 1; i < values.length; i++) line += ',' + csvCell(values[i]);
      return line + '\r\n';
    };
    return { head: row(columns), row, tail: '' };
  }
  const object = (values: readonly unknown[]) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) o[columns[i]] = values[i] ?? null;
    return JSON.stringify(o);
  };
  if (format === 'ndjson') return { head: '', row: (values) => object(values) + '\n', tail: '' };
  return { head: '[', row: (values, first) => (first ? '\n' : ',\n') + object(values), tail: '\n]\n' };
}

// A spreadsheet runs a cell starting with one of these as a formula (CSV injection); a leading ' makes it text.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const NEEDS_CARE = /^[=+\-@\t\r]|[",\r\n]/;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; text that would run as a formula is defused. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string' && !NEEDS_CARE.test(v)) return v; // most cells: one test
  let text = String(v);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
