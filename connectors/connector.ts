// The one interface every system kind implements. Nothing outside connectors/ branches on a system's kind.
import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely';
import type { FileFormat, Normalizer, SystemKind } from '../src/datamap/types.ts';

/**
 * Rows of a table without a key (a file's records) are addressed by their ordinal under this pseudo-column: a
 * non-enumerable property of each row the connector yields (Object.keys, spreads and JSON leave it out), and the key
 * `[ORDINAL_KEY]` in its writes.
 */
export const ORDINAL_KEY = '_row';

/** The ordinal of a row addressed by ORDINAL_KEY, if it is one. */
export function rowOrdinal(row: Row): number | undefined {
  const value = (row as Record<string, unknown>)[ORDINAL_KEY];
  return typeof value === 'number' ? value : undefined;
}

export type Row = Record<string, unknown>;
/** Values of a table's key columns, in key order. */
export type KeyValues = unknown[];

/** Broad type of a column, enough to decide what a mask or a link may write into it. */
export type TypeFamily =
  | 'text'
  | 'integer'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'binary'
  | 'json'
  | 'uuid'
  | 'inet'
  | 'other';

export interface ColumnInfo {
  name: string;
  /** The engine's own type name, e.g. `character varying(16)`, `varchar(16)`, `INTEGER`. */
  type: string;
  family: TypeFamily;
  nullable: boolean;
  /** Maximum length in characters for text columns, bytes for binary; null when unbounded. */
  maxLength: number | null;
  /** Part of a UNIQUE or PRIMARY KEY constraint/index (alone or with other columns). */
  unique: boolean;
}

export interface IndexInfo {
  name: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
}

export type OnDelete = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: OnDelete;
}

export interface TriggerInfo {
  name: string;
  timing: string; // BEFORE | AFTER | INSTEAD OF
  events: string[]; // INSERT | UPDATE | DELETE
}

export interface TableInfo {
  name: string;
  kind: 'table' | 'view' | 'file';
  columns: ColumnInfo[];
  primaryKey: string[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
  /** Partitioned tables: the partitions folded into this parent (they are not listed as tables of their own). */
  partitions: string[];
  partitionKey: string[];
  triggers: TriggerInfo[];
  /** Planner's row estimate (0 when unknown). */
  estimatedRows: number;
}

export interface SchemaInfo {
  tables: TableInfo[];
}

export interface RowsWhereInOptions {
  /** Compare `normalize(column)` with the values (the values are already normalized). */
  normalize?: Normalizer;
  /** Values per IN (...) chunk; default 1,000. */
  chunkSize?: number;
  /** Columns to return; default all. */
  columns?: string[];
}

export interface BatchOptions {
  /** Rows per batch. */
  batchSize: number;
  /** Start strictly after this key (keyset pagination). */
  after?: KeyValues;
  columns?: string[];
}

export interface KeyedChange {
  key: KeyValues;
  set: Row;
}

/** A connection to one declared system. */
export interface Connector {
  readonly system: string;
  readonly kind: SystemKind;
  /** Speaks SQL: a SqlConnector (queries, streams, COPY, replication). Files systems do not. */
  readonly speaksSql: boolean;
  /** Opens the connection; throws SystemError naming the system (password removed) when unreachable. */
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Tables, views (and files) with columns, keys, indexes, foreign keys, partitions and triggers. */
  introspect(): Promise<SchemaInfo>;
  /**
   * Rows whose `column`, compared as text, is one of `values`: one query per chunk of IN (...),
   * yielded chunk by chunk. Values that cannot match the column's type are skipped, never an error.
   */
  rowsWhereIn(table: string, column: string, values: readonly string[], opts?: RowsWhereInOptions): AsyncIterable<Row[]>;
  /** Every row of the table in key order, `batchSize` at a time (keyset pagination, never OFFSET). */
  batches(table: string, key: readonly string[], opts: BatchOptions): AsyncIterable<Row[]>;
  /** Applies changes by key, set-based (one statement per bounded batch). Returns rows changed. */
  updateByKeys(table: string, key: readonly string[], changes: readonly KeyedChange[]): Promise<number>;
  /** Deletes rows by key in bounded batches. Returns rows deleted. */
  deleteByKeys(table: string, key: readonly string[], keys: readonly KeyValues[]): Promise<number>;
  /**
   * Runs `fn` in one transaction: all of its writes land or none. For files, writes inside are
   * buffered and the file is rewritten atomically (temp file, fsync, rename) at the end.
   */
  transaction<T>(fn: (tx: Connector) => Promise<T>): Promise<T>;
  /**
   * Files only: which version of the table's file this is (device, inode, size, modification time). A plan that
   * addresses rows by number was made against one version; against another it is made again, never applied.
   */
  fileVersion?(table: string): Promise<string>;
  /**
   * About `n` rows spread over the table (its `columns` plus the key columns), read in a few statements whatever
   * the table's size; with `opts.full`, every row in bounded chunks. Optional: `scan` skips a system without it.
   */
  sample?(table: string, columns: readonly string[], n: number, opts?: SampleOptions): AsyncIterable<SampleChunk>;
}

export interface SampleOptions {
  /** Every row instead of a sample. */
  full?: boolean;
  /** The same rows on every call while the table is unchanged (a seeded sample instead of a random one). */
  repeatable?: boolean;
}

/** Part of a sample, with what it cost. */
export interface SampleChunk {
  /** Sampled rows: the requested columns and the `key` columns. */
  rows: Row[];
  /** Columns naming a sampled row: the primary key, `_row` (a file's row number), or [] (a view without a key). */
  key: string[];
  /** How the rows were chosen, e.g. `tablesample 2.5%`, `keyset spread`, `limit`, `reservoir`, `full`. */
  method: string;
  /** Rows the system read to produce them (a file's reservoir parses every record). */
  rowsRead: number;
  /** Statements issued (a file: passes over it). */
  queries: number;
}

/** What a connector is built from (the data map's system, with its URL already resolved). */
export interface ConnectorConfig {
  system: string;
  kind: SystemKind;
  url?: string;
  path?: string;
  format?: FileFormat;
}

/** The SQL expressions an engine spells its own way; a connector and its engine file (sql-base.ts) share them. */
export interface SqlExpressions {
  /** `normalize(expr)` in this engine's SQL, exactly as rowsWhereIn compares it. */
  normalized(expr: Expression<unknown>, normalizer: Normalizer): RawBuilder<string>;
  /** The expression's value as text. */
  asText(expr: Expression<unknown>): RawBuilder<string>;
  /**
   * A sort key for `expr` under a secret `salt`: equal values sort together, in an order nobody without the salt can
   * predict (a fresh salt each run gives a fresh permutation). Not for security beyond ordering.
   */
  shuffled(expr: Expression<unknown>, salt: string): RawBuilder<string>;
  /** Text expressions joined into one text (each part already text). */
  concatText(parts: readonly Expression<unknown>[]): RawBuilder<string>;
  /**
   * As `shuffled`, cheaper and weaker: a sort key of a text under `salt` from the engine's own fast hash (PostgreSQL
   * hashtextextended, MySQL crc32), for orders nobody needs to keep secret, only varied per run (which cells a dp
   * release keeps of a subject's: any choice of them keeps the guarantee).
   */
  quickOrder(text: Expression<unknown>, salt: string): RawBuilder<unknown>;
  /** The year of a date or timestamp expression, as an integer. */
  yearOf(expr: Expression<unknown>): RawBuilder<number>;
  /** True when `column` (of `family`) holds a moment before `instant`; false for NULL and empty values. */
  olderThan(column: string, family: TypeFamily, instant: Date): RawBuilder<SqlBool>;
  /** A JS value as this driver binds it for a column of `family` (SQLite: Date -> text, boolean -> 0/1). */
  toParam(value: unknown, family: TypeFamily): unknown;
}

/**
 * A connector to an SQL system (postgres, mysql, sqlite). Sweeps and extracts use it to push filters and
 * aggregates into SQL; every helper speaks the engine's dialect, so callers never branch on the kind.
 */
export interface SqlConnector extends Connector, SqlExpressions {
  readonly speaksSql: true;
  /** The kysely handle: inside `transaction` it is the transaction. Quote names with `sql.id` / `tableRef`. */
  readonly db: Kysely<any>;
  /**
   * This server as a replica: how far behind its primary it is, read on the replica itself (never by comparing two
   * servers' clocks). Connects when not connected; any failure is an unknown status with the (password-free) reason.
   */
  replicaStatus(): Promise<ReplicaStatus>;
  /** This server as a primary: the replicas streaming from it, where the engine can tell (PostgreSQL); else undefined. */
  streamingReplicas(): Promise<DiscoveredReplica[] | undefined>;
  /** A table name as the data map writes it (`users`, or `public.users` in PostgreSQL), as quoted SQL. */
  tableRef(table: string): RawBuilder<unknown>;
  /** The table's columns, keys and indexes, read once per table and cached. SystemError when it does not exist. */
  tableInfo(table: string): Promise<TableInfo>;
  /** `batches` with an optional SQL filter (e.g. `olderThan`), still keyset-paginated. */
  batches(table: string, key: readonly string[], opts: SqlBatchOptions): AsyncIterable<Row[]>;
  transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T>;
  /** Rows whose key sorts strictly after `after` (values already bound with toParam), in the form this engine's index ranges use. */
  keyAfter(key: readonly string[], after: readonly unknown[]): RawBuilder<SqlBool>;
  /** True when `column` holds no moment olderThan could compare: NULL, empty text (SQLite: any unreadable text). */
  emptyDate(column: string, family: TypeFamily): RawBuilder<SqlBool>;
  /** January 1st (00:00) of the year of a date or timestamp expression, of the same type: `generalize` in SQL. */
  yearStart(expr: Expression<unknown>, family: 'date' | 'timestamp'): RawBuilder<unknown>;
  /**
   * Sets `columns` to each row's `values` on the row with that key, in as few statements as the bound-value limit
   * allows (not the 1,000 rows of updateByKeys): batch writers get one statement per batch. Rows that no longer
   * satisfy `where` are left alone. Returns rows changed.
   */
  updateRows(table: string, key: readonly string[], columns: readonly string[], rows: readonly KeyedValues[], opts?: { where?: Expression<SqlBool> }): Promise<number>;
  /**
   * Every row of one SELECT (GROUP BY, ORDER BY and all), `chunkSize` rows at a time (default 1,000), read from one
   * statement through a cursor or the driver's row stream: memory holds one chunk, never the result. A failure is a
   * SystemError naming `table` (when given) without bound values. Issue no other statement until the stream ends.
   */
  streamRows(query: RawBuilder<Row>, opts?: StreamOptions): AsyncIterable<Row[]>;
  /**
   * As streamRows, each row as its values in select-list order: no object per row, for the longest streams. The
   * columns must have unique names that are not integer-like (some engines build the array from the row's object).
   */
  streamValues(query: RawBuilder<Row>, opts?: StreamOptions): AsyncIterable<unknown[][]>;
  /**
   * Every row of one SELECT whose result is small (a histogram, aggregated cells), read at once. Unlike a cursor, the
   * plan may run in parallel (PostgreSQL never parallelizes a cursor's query). Errors as streamRows.
   */
  queryRows(query: RawBuilder<Row>, opts?: { table?: string }): Promise<Row[]>;
  /** A text expression that compares, groups and counts DISTINCT byte for byte, whatever the column's collation (MySQL's *_ci merges `a` and `A`). */
  exactText(expr: Expression<unknown>): RawBuilder<string>;
  /**
   * The families (of date, timestamp and time) whose columns form the same groups by their values as by their text:
   * one text per value, so a count may group by the value, which is cheaper. Not SQLite, which keeps such values as
   * text or numbers of either kind (they group apart); not MySQL's timestamps, whose text in a session time zone
   * with daylight saving shows one hour of the year twice.
   */
  readonly familiesGroupedByValue: readonly TypeFamily[];
  /**
   * True when another statement may run while a stream is open (a pool of connections). SQLite has one connection,
   * which a stream holds until it ends: a statement issued meanwhile would wait for ever.
   */
  readonly concurrentStatements: boolean;
  /** Whether the error is this engine's server breaking a statement off over a lock conflict (it may be run again). */
  isLockConflict(err: unknown): boolean;
  /**
   * What locks the rows a SELECT reads until the transaction ends (`for update`), or nothing where a writing
   * transaction already excludes every other writer (SQLite).
   */
  readonly rowLock: RawBuilder<unknown>;
}

/** A replica's lag, or why it is not known (not running, unreachable, not a replica): a sweep waits either way. */
export type ReplicaStatus = { lagMs: number } | { unknown: string };

export interface DiscoveredReplica {
  /** As the primary names it (application name and address): no credentials. */
  name: string;
  status: ReplicaStatus;
}

export interface StreamOptions {
  /** Rows per chunk (default 1,000). */
  chunkSize?: number;
  /** Named by a failure's SystemError. */
  table?: string;
}

/** One row's new values for updateRows: `values[i]` goes into `columns[i]`. */
export interface KeyedValues {
  key: KeyValues;
  values: unknown[];
}

export interface SqlBatchOptions extends BatchOptions {
  where?: Expression<SqlBool>;
}

export function isSqlConnector(c: Connector): c is SqlConnector {
  return c.speaksSql;
}

const NUMERIC: readonly TypeFamily[] = ['integer', 'decimal', 'float'];

/** Two columns whose values a link can compare (as text, or as numbers). */
export function linkTypesCompatible(a: TypeFamily, b: TypeFamily): boolean {
  if (a === b || a === 'text' || b === 'text' || a === 'other' || b === 'other') return true;
  return NUMERIC.includes(a) && NUMERIC.includes(b);
}
