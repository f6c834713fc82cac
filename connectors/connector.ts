// The one interface every system kind implements. Nothing outside connectors/ branches on a system's kind.
import type { FileFormat, Normalizer, SystemKind } from '../src/datamap/types.ts';

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
}

/** What a connector is built from (the data map's system, with its URL already resolved). */
export interface ConnectorConfig {
  system: string;
  kind: SystemKind;
  url?: string;
  path?: string;
  format?: FileFormat;
}
