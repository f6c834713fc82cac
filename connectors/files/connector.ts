// kind: files: a directory of `<table>.<format>` files (csv, json, ndjson). Every read streams the file; every
// write is one atomic, format-preserving rewrite of it (files/atomic.ts, and the codec of the format).
//
// Row keys. Files have no primary key. With `key` [] or ['_row'], a row is addressed by its ordinal: its 1-based
// data row number in the file as this connector first saw it (deleting rows does not renumber the others for this
// connector; see files/ordinals.ts). Every row this connector yields carries its ordinal as a NON-ENUMERABLE
// `_row` property: `row._row` (or rowOrdinal(row)) reads it, while Object.keys, spreads and JSON.stringify leave
// it out, so exports show only the file's own columns. Copy it explicitly if you copy a row. Any other key
// addresses rows by those columns, compared as text.
//
// Values. CSV cells are strings (an empty cell is ''); JSON values are as parsed. Writing null to a CSV cell
// writes an empty cell. Values are compared as text (`"1"` matches 1).
import { normalizeIdentity } from '../../src/datamap/normalize.ts';
import { constants } from 'node:fs';
import { access, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SystemError } from '../../src/errors.ts';
import type { FileFormat, Normalizer, SystemKind } from '../../src/datamap/types.ts';
import type {
  BatchOptions,
  Connector,
  ConnectorConfig,
  KeyValues,
  KeyedChange,
  Row,
  RowsWhereInOptions,
  SchemaInfo,
  TableInfo,
} from '../connector.ts';
import { removeLeftoverTempFiles, rewriteAtomically } from './atomic.ts';
import { FileSyntaxError, valueText, type FormatCodec, type SourceRecord } from './codec.ts';
import { csvCodec } from './csv.ts';
import { TableEdits, isOrdinalKey, keyText, toOrdinal } from './edits.ts';
import { describeFile } from './introspect.ts';
import { jsonCodec } from './json.ts';
import { ndjsonCodec } from './ndjson.ts';
import { OrdinalMap } from './ordinals.ts';
import { ORDINAL_KEY, type SampleChunk, type SampleOptions } from '../connector.ts';
import { sampleRecords } from './sample.ts';

export { listLeftoverTempFiles, removeLeftoverTempFiles } from './atomic.ts';

const CODECS: Record<FileFormat, FormatCodec> = { csv: csvCodec, json: jsonCodec, ndjson: ndjsonCodec };
const READ_CHUNK = 64 * 1024;
const DEFAULT_CHUNK = 1000;

export { rowOrdinal } from '../connector.ts';

/** A data record of a table, with its ordinal. */
interface TableRecord extends SourceRecord {
  ordinal: number;
}

/** What the connector remembers about one file between calls. */
interface TableState {
  ordinals: OrdinalMap;
  /** The file as this connector last opened or wrote it (device, inode, size, mtime). */
  identity?: string;
  /** Ordinals have been handed to a caller. */
  handedOut: boolean;
  /** Another program replaced the file after ordinals were handed out: they may point at other rows now. */
  staleOrdinals: boolean;
  /** Serializes opening and rewriting the file. */
  lock: Promise<void>;
}

export class FilesConnector implements Connector {
  readonly speaksSql = false as const;
  readonly system: string;
  readonly kind: SystemKind = 'files';
  private readonly dir: string | undefined;
  private readonly format: FileFormat | undefined;
  private readonly tables = new Map<string, TableState>();

  constructor(config: ConnectorConfig) {
    this.system = config.system;
    this.dir = config.path;
    this.format = config.format;
  }

  /** Checks that the directory is there and readable, and removes temp files left by an interrupted rewrite. */
  async connect(): Promise<void> {
    const dir = this.directory();
    if (!this.format || !(this.format in CODECS)) {
      throw new SystemError(this.system, undefined, `format must be csv, json or ndjson (got ${String(this.format)})`);
    }
    try {
      if (!(await stat(dir)).isDirectory()) throw new SystemError(this.system, undefined, `${dir} is not a directory`);
      await access(dir, constants.R_OK | constants.X_OK);
      await removeLeftoverTempFiles(dir);
    } catch (err) {
      if (err instanceof SystemError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code ?? String(err)})`;
      throw new SystemError(this.system, undefined, `directory ${dir} ${reason}`, err);
    }
  }

  async close(): Promise<void> {
    // Nothing stays open between calls.
  }

  async introspect(): Promise<SchemaInfo> {
    const dir = this.directory();
    const extension = `.${this.format}`;
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith(extension) && e.name.length > extension.length)
      .map((e) => e.name.slice(0, -extension.length))
      .sort();
    const tables: TableInfo[] = [];
    for (const table of names) {
      const size = (await stat(this.fileOf(table))).size;
      tables.push(await describeFile(table, size, await this.fixedColumns(table), this.records(table)));
    }
    return { tables };
  }

  async *rowsWhereIn(table: string, column: string, values: readonly string[], opts: RowsWhereInOptions = {}): AsyncIterable<Row[]> {
    if (values.length === 0) return;
    await this.requireColumns(table, [column, ...(opts.columns ?? [])]);
    const normalize = normalizer(opts.normalize);
    const wanted = new Set(values.map(normalize).filter((v) => v !== ''));
    const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
    let chunk: Row[] = [];
    for await (const record of this.records(table, true)) {
      const text = valueText(record.row[column]);
      // An empty value never matches: `digits` of a phone-less cell must not find everyone.
      if (text === undefined || !wanted.has(normalize(text))) continue;
      chunk.push(this.output(table, record, opts.columns));
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /**
   * Rows in file order, `batchSize` at a time. With an ordinal key, `after: [n]` starts after ordinal n. With
   * key columns, `after` resumes after the first row with that key; if no row has it any more (deleted since),
   * the whole file is yielded again: for a file, redoing idempotent work is cheap and misses nothing.
   */
  async *batches(table: string, key: readonly string[], opts: BatchOptions): AsyncIterable<Row[]> {
    if (!Number.isSafeInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new SystemError(this.system, table, `batch size must be a positive integer (got ${opts.batchSize})`);
    }
    const byOrdinal = isOrdinalKey(key);
    if (!byOrdinal) await this.requireColumns(table, key);
    await this.requireColumns(table, opts.columns ?? []);
    const after = opts.after && opts.after.length > 0 ? opts.after : undefined;

    let startsAfter: (record: TableRecord) => boolean = () => true;
    if (after && byOrdinal) {
      const last = this.ordinalFrom(table, after);
      startsAfter = (record) => record.ordinal > last;
    } else if (after) {
      const afterText = keyText(after);
      let found = false;
      for await (const record of this.records(table)) {
        if (keyText(key.map((c) => record.row[c])) === afterText) {
          found = true;
          break;
        }
      }
      if (found) {
        let passed = false;
        startsAfter = (record) => {
          const before = passed;
          passed ||= keyText(key.map((c) => record.row[c])) === afterText;
          return before;
        };
      }
    }

    let batch: Row[] = [];
    for await (const record of this.records(table, true)) {
      if (!startsAfter(record)) continue;
      batch.push(this.output(table, record, opts.columns));
      if (batch.length >= opts.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async updateByKeys(table: string, key: readonly string[], changes: readonly KeyedChange[]): Promise<number> {
    const edits = this.edits(table, (e) => e.update(key, changes));
    return edits.isEmpty ? 0 : (await this.apply(table, edits)).updated;
  }

  async deleteByKeys(table: string, key: readonly string[], keys: readonly KeyValues[]): Promise<number> {
    const edits = this.edits(table, (e) => e.delete(key, keys));
    return edits.isEmpty ? 0 : (await this.apply(table, edits)).deleted;
  }

  /**
   * Runs `fn`, buffering its updates and deletes per file; then rewrites each changed file once, atomically.
   * If `fn` throws, nothing is written. Reads through `tx` see the files as they are on disk (without the
   * buffered changes), and ordinals refer to the files as they were before the transaction. Each file is
   * replaced atomically; several files are replaced one after another.
   */
  async transaction<T>(fn: (tx: Connector) => Promise<T>): Promise<T> {
    const pending = new Map<string, TableEdits>();
    const result = await fn(new FilesTransaction(this, pending));
    for (const [table, edits] of pending) await this.apply(table, edits);
    return result;
  }

  /** A reservoir sample of the file's rows (one streamed pass, `n` rows held), each row carrying its `_row`. */
  async *sample(table: string, columns: readonly string[], n: number, opts: SampleOptions = {}): AsyncIterable<SampleChunk> {
    await this.requireColumns(table, columns);
    yield* sampleRecords(this.records(table), (record) => this.output(table, record, columns), n, opts);
  }

  // ---- used by FilesTransaction ----

  /** Validates edits made by `make` against the table, without writing. */
  edits(table: string, make: (edits: TableEdits) => void): TableEdits {
    const edits = new TableEdits();
    try {
      make(edits);
    } catch (err) {
      throw new SystemError(this.system, table, (err as Error).message, err);
    }
    return edits;
  }

  /** Counts the rows that `edits` would update and delete, reading the file once. */
  async countMatches(table: string, edits: TableEdits): Promise<{ updated: number; deleted: number }> {
    await this.requireColumns(table, [...edits.columns()]);
    const counts = { updated: 0, deleted: 0 };
    for await (const record of this.records(table)) {
      const edit = edits.editFor(record.ordinal, record.row);
      if (edit) counts['drop' in edit ? 'deleted' : 'updated']++;
    }
    return counts;
  }

  // ---- reading ----

  /** The file's records with their ordinals. `handOut` marks that the ordinals reach a caller. */
  private async *records(table: string, handOut = false): AsyncGenerator<TableRecord> {
    const { handle, ordinalOf } = await this.openForRead(table);
    const source = handle.createReadStream({ autoClose: false, highWaterMark: READ_CHUNK });
    if (handOut) this.state(table).handedOut = true;
    try {
      for await (const record of this.codec().records(source)) {
        yield { ...record, ordinal: ordinalOf(record.position) };
      }
    } catch (err) {
      throw this.fileError(table, err);
    } finally {
      source.destroy();
      await handle.close();
    }
  }

  private async fixedColumns(table: string): Promise<string[] | undefined> {
    const handle = await this.openFile(table);
    const source = handle.createReadStream({ autoClose: false, highWaterMark: READ_CHUNK });
    try {
      return await this.codec().fixedColumns(source);
    } catch (err) {
      throw this.fileError(table, err);
    } finally {
      source.destroy();
      await handle.close();
    }
  }

  /** For a file with a header, every named column must be in it; JSON objects may lack any key. */
  private async requireColumns(table: string, columns: readonly string[]): Promise<void> {
    const wanted = columns.filter((c) => c !== ORDINAL_KEY);
    const header = await this.fixedColumns(table);
    if (!header) return;
    const missing = wanted.filter((c) => !header.includes(c));
    if (missing.length > 0) throw new SystemError(this.system, table, `no column ${missing.map((c) => `"${c}"`).join(', ')} in the header`);
  }

  /** The row as yielded: projected to `columns` when given, with its ordinal as non-enumerable `_row`. */
  private output(table: string, record: TableRecord, columns: readonly string[] | undefined): Row {
    if (Object.hasOwn(record.row, ORDINAL_KEY)) {
      throw new SystemError(this.system, table, `line ${record.line}: has a field named "${ORDINAL_KEY}", which dsar reserves for row numbers`);
    }
    const row: Row = columns ? Object.fromEntries(columns.map((c) => [c, record.row[c] ?? null])) : record.row;
    Object.defineProperty(row, ORDINAL_KEY, { value: record.ordinal, enumerable: false, writable: true, configurable: true });
    return row;
  }

  private ordinalFrom(table: string, after: KeyValues): number {
    try {
      return toOrdinal(after[0]);
    } catch (err) {
      throw new SystemError(this.system, table, (err as Error).message, err);
    }
  }

  // ---- writing ----

  /** One atomic rewrite applying `edits`; returns the rows updated and deleted. */
  private async apply(table: string, edits: TableEdits): Promise<{ updated: number; deleted: number }> {
    await this.requireColumns(table, [...edits.columns()]);
    return this.exclusive(table, async () => {
      const file = this.fileOf(table);
      const handle = await this.openFile(table);
      try {
        const state = this.state(table);
        this.notice(state, await identityOf(handle));
        if (edits.usesOrdinals && state.staleOrdinals) {
          throw new SystemError(
            this.system,
            table,
            'the file was replaced by another program after dsar read it; its row numbers may point at other rows now, so nothing was written: run again',
          );
        }
        const ordinalOf = state.ordinals.cursor();
        const deleted: number[] = [];
        let updated = 0;
        const written = await rewriteAtomically(file, async (sink) => {
          const source = handle.createReadStream({ autoClose: false, highWaterMark: READ_CHUNK });
          try {
            return await this.codec().rewrite(source, sink, (record) => {
              const ordinal = ordinalOf(record.position);
              const edit = edits.editFor(ordinal, record.row);
              if (edit && 'drop' in edit) deleted.push(ordinal);
              else if (edit) updated++;
              return edit;
            });
          } finally {
            source.destroy();
          }
        }, { within: this.dir });
        if (written) {
          state.ordinals.markDeleted(deleted);
          state.identity = await identityOf(file);
        }
        return { updated, deleted: deleted.length };
      } catch (err) {
        throw this.fileError(table, err);
      } finally {
        await handle.close();
      }
    });
  }

  // ---- files and their state ----

  private async openForRead(table: string): Promise<{ handle: FileHandle; ordinalOf: (position: number) => number }> {
    // Under the lock, so that a reader never opens a file between a rewrite's rename and its bookkeeping.
    return this.exclusive(table, async () => {
      const handle = await this.openFile(table);
      try {
        const state = this.state(table);
        this.notice(state, await identityOf(handle));
        return { handle, ordinalOf: state.ordinals.cursor() };
      } catch (err) {
        await handle.close();
        throw this.fileError(table, err);
      }
    });
  }

  /** Records the file's identity; a file replaced behind the connector's back restarts the numbering. */
  private notice(state: TableState, identity: string): void {
    if (state.identity !== undefined && state.identity !== identity) {
      state.ordinals.reset();
      if (state.handedOut) state.staleOrdinals = true;
    }
    state.identity = identity;
  }

  private async openFile(table: string): Promise<FileHandle> {
    try {
      return await open(this.fileOf(table), 'r');
    } catch (err) {
      throw this.fileError(table, err);
    }
  }

  async fileVersion(table: string): Promise<string> {
    try {
      return await identityOf(this.fileOf(table));
    } catch (err) {
      throw this.fileError(table, err);
    }
  }

  private fileOf(table: string): string {
    if (table === '' || /[/\\\0]/.test(table) || table.startsWith('.')) {
      throw new SystemError(this.system, table, 'is not a file name in the directory');
    }
    return join(this.directory(), `${table}.${this.format}`);
  }

  private directory(): string {
    if (!this.dir) throw new SystemError(this.system, undefined, 'no path: a files system needs the directory of its files');
    return this.dir;
  }

  private codec(): FormatCodec {
    return CODECS[this.format as FileFormat];
  }

  private state(table: string): TableState {
    let state = this.tables.get(table);
    if (!state) {
      state = { ordinals: new OrdinalMap(), handedOut: false, staleOrdinals: false, lock: Promise.resolve() };
      this.tables.set(table, state);
    }
    return state;
  }

  private async exclusive<T>(table: string, fn: () => Promise<T>): Promise<T> {
    const state = this.state(table);
    const previous = state.lock;
    let release!: () => void;
    state.lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Any failure on a file as SystemError(system, table, ...); syntax errors name the line, never the content. */
  private fileError(table: string, err: unknown): SystemError {
    if (err instanceof SystemError) return err;
    if (err instanceof FileSyntaxError) return new SystemError(this.system, table, `line ${err.line}: ${err.message}`, err);
    const code = (err as NodeJS.ErrnoException).code;
    const name = `${table}.${this.format}`;
    if (code === 'ENOENT') return new SystemError(this.system, table, `no file ${name} in ${this.dir}`, err);
    if (code === 'EACCES' || code === 'EPERM') return new SystemError(this.system, table, `permission denied on ${name}`, err);
    return new SystemError(this.system, table, (err as Error).message ?? String(err), err);
  }
}

/** A connector whose writes wait for the end of the transaction. */
class FilesTransaction implements Connector {
  readonly speaksSql = false as const;
  readonly system: string;
  readonly kind: SystemKind = 'files';

  constructor(
    private readonly files: FilesConnector,
    private readonly pending: Map<string, TableEdits>,
  ) {
    this.system = files.system;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  introspect(): Promise<SchemaInfo> {
    return this.files.introspect();
  }

  rowsWhereIn(table: string, column: string, values: readonly string[], opts?: RowsWhereInOptions): AsyncIterable<Row[]> {
    return this.files.rowsWhereIn(table, column, values, opts);
  }

  batches(table: string, key: readonly string[], opts: BatchOptions): AsyncIterable<Row[]> {
    return this.files.batches(table, key, opts);
  }

  async updateByKeys(table: string, key: readonly string[], changes: readonly KeyedChange[]): Promise<number> {
    return (await this.buffer(table, this.files.edits(table, (e) => e.update(key, changes)))).updated;
  }

  async deleteByKeys(table: string, key: readonly string[], keys: readonly KeyValues[]): Promise<number> {
    return (await this.buffer(table, this.files.edits(table, (e) => e.delete(key, keys)))).deleted;
  }

  /** Nested transactions join this one. */
  transaction<T>(fn: (tx: Connector) => Promise<T>): Promise<T> {
    return fn(this);
  }

  /** Counts what the edits match now (the return value callers expect), and keeps them for the commit. */
  private async buffer(table: string, edits: TableEdits): Promise<{ updated: number; deleted: number }> {
    if (edits.isEmpty) return { updated: 0, deleted: 0 };
    const counts = await this.files.countMatches(table, edits);
    let all = this.pending.get(table);
    if (!all) this.pending.set(table, (all = new TableEdits()));
    all.merge(edits);
    return counts;
  }
}

function normalizer(kind: Normalizer | undefined): (text: string) => string {
  switch (kind) {
    case 'lowercase-trim':
      return (t) => normalizeIdentity('lowercase-trim', t);
    case 'digits':
      return (t) => t.replace(/\D/g, '');
    default:
      // trim, none, or nothing given: compare trimmed text, so " 1" and 1 match.
      return (t) => t.trim();
  }
}

/** Device, inode, size and modification time: changes whenever the file is replaced or written. */
async function identityOf(file: FileHandle | string): Promise<string> {
  const s = typeof file === 'string' ? await stat(file, { bigint: true }) : await file.stat({ bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
}
