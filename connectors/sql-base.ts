// The shared SQL connector: every table operation written once on kysely; the engine files supply only what
// differs (dialect, catalog queries, a few SQL spellings). Identifiers are always quoted by kysely, values bound.
import { lookupVariants, normalizeIdentity } from '../src/datamap/normalize.ts';
import { serverErrorText } from './engine-errors.ts';
import net from 'node:net';
import { Kysely, sql, type CompiledQuery, type Dialect, type Expression, type LogEvent, type RawBuilder, type SqlBool } from 'kysely';
import { someCause, SystemError } from '../src/errors.ts';
import type { Normalizer } from '../src/datamap/types.ts';
import type {
  DiscoveredReplica,
  ReplicaStatus,
  ColumnInfo,
  ConnectorConfig,
  KeyedChange,
  KeyedValues,
  KeyValues,
  Row,
  RowsWhereInOptions,
  SampleChunk,
  SampleOptions,
  SchemaInfo,
  SqlBatchOptions,
  SqlConnector,
  SqlExpressions,
  StreamOptions,
  TableInfo,
  TypeFamily,
} from './connector.ts';
import { limitPick, sampleTable, type SqlSampler } from './sample-sql.ts';

export interface SqlConnectorOptions {
  /** Called after every statement with its SQL text (never its parameters): debug logs, query counts in tests. */
  onQuery?: (event: { sql: string; durationMs: number }) => void;
}

/** The rows of one UPDATE ... FROM (VALUES ...) statement: key values then new values, column by column. */
export interface UpdateBatch {
  table: RawBuilder<unknown>;
  info: TableInfo;
  key: readonly string[];
  setColumns: readonly string[];
  rows: unknown[][];
  /** Only rows that (still) satisfy this condition are updated; its column names refer to the updated table. */
  where?: Expression<SqlBool>;
}

/**
 * Working memory a dsar session asks for, never less than the server's own setting: extracts group and sort whole
 * tables, and at the servers' defaults (PostgreSQL work_mem 4 MB, MariaDB tmp_table_size 16 MB) a GROUP BY with a
 * hundred thousand classes spills to a temporary file on disk. MariaDB's on-disk temporary table made such a GROUP
 * BY 3x slower (200,000 rows: 1.7 s against 0.5 s in memory); PostgreSQL's external sort ~20% slower. Memory is only
 * taken by a statement that needs it, and dsar holds at most four connections.
 */
export const SESSION_WORK_MEMORY_BYTES = 64 * 1024 * 1024;

/** What an engine's own row stream may need besides kysely: the dialect it created, and the connector's query log. */
export interface StreamContext {
  dialect: Dialect;
  logQuery(sql: string, durationMs: number): void;
}

/** Everything that differs between SQL engines. Each engine file exports one. */
/** How an engine reports replication (replicas-*.ts). */
export interface SqlReplication {
  /** This server, a replica: how far behind its primary it is, by its own view. */
  status(db: Kysely<any>): Promise<ReplicaStatus>;
  /** This server, a primary: the replicas streaming from it and their lag (PostgreSQL). */
  streaming?(db: Kysely<any>): Promise<DiscoveredReplica[]>;
}

export interface SqlEngine extends Omit<SqlExpressions, 'normalized'> {
  /** How `sample` picks rows (sample-*.ts); default: a plain LIMIT. */
  sampler?: SqlSampler;
  /** How replication lag is read; undefined where the engine has no replication (SQLite). */
  replication?: SqlReplication;
  /**
   * Whether a driver error is the server breaking a statement off over a lock conflict (a deadlock, a serialization
   * failure, a lock wait timeout): the statement did nothing and may be run again. Default: never.
   */
  lockConflict?(driverError: { code?: unknown; errno?: unknown }): boolean;
  /** Opens the driver's pool or file; throws the driver's error when that fails. */
  createDialect(config: ConnectorConfig): Promise<Dialect>;
  /** Where the system lives, for messages: never the password. */
  describeTarget(config: ConnectorConfig): string;
  /** Tables and views with everything TableInfo holds; only `table` when given. A few set-based catalog queries. */
  introspect(db: Kysely<any>, table?: string): Promise<TableInfo[]>;
  tableRef(table: string): RawBuilder<unknown>;
  /** As SqlConnector.normalized, never called for 'none' (the base class leaves the expression as it is). */
  normalized(expr: Expression<unknown>, normalizer: Exclude<Normalizer, 'none'>): RawBuilder<string>;
  /** Smallest and largest value an integer column holds. */
  integerBounds(column: ColumnInfo): readonly [bigint, bigint];
  /** Rows whose key sorts strictly after `after`. */
  keyAfter(key: readonly string[], after: readonly unknown[]): RawBuilder<SqlBool>;
  /** Rows whose (composite) key is one of `keys`. */
  keyIn(key: readonly string[], keys: readonly (readonly unknown[])[]): RawBuilder<SqlBool>;
  /** One statement applying `batch.rows`, each setting `setColumns` on the row with that key. */
  updateFromValues(batch: UpdateBatch): RawBuilder<unknown>;
  /** January 1st (00:00) of the year of a date or timestamp expression, of the same type. */
  yearStart(expr: Expression<unknown>, family: 'date' | 'timestamp'): RawBuilder<unknown>;
  /** NULL or empty: what olderThan never counts. Optional: the default is `is null`, and `= ''` for text. */
  emptyDate?(column: string, family: TypeFamily): RawBuilder<SqlBool>;
  /**
   * Like updateFromValues, but the rows travel column by column in a few bound values (arrays, a JSON document), so
   * that thousands of rows cost one small statement to parse and plan. Optional; undefined when these columns'
   * types cannot travel that way, and updateFromValues is used.
   */
  updateFromColumns?(batch: UpdateBatch): RawBuilder<unknown> | undefined;
  /** A text expression compared and grouped byte for byte; default: the expression itself (a binary collation already). */
  exactText?(expr: Expression<unknown>): RawBuilder<string>;
  /** See SqlConnector.familiesGroupedByValue; default none. */
  familiesGroupedByValue?: readonly TypeFamily[];
  /** See SqlConnector.concurrentStatements; default true. */
  concurrentStatements?: boolean;
  /** See SqlConnector.rowLock; default `for update`. */
  rowLock?: RawBuilder<unknown>;
  /** The rows of one SELECT in chunks of `chunkSize`; default: the driver's row stream through kysely's executor. */
  streamRows?(db: Kysely<any>, query: RawBuilder<Row>, chunkSize: number, ctx: StreamContext): AsyncIterable<Row[]>;
  /** As streamRows, each row as its values in select-list order; default: streamRows' objects taken apart. */
  streamValues?(db: Kysely<any>, query: RawBuilder<Row>, chunkSize: number, ctx: StreamContext): AsyncIterable<unknown[][]>;
}

const DEFAULT_CHUNK = 1000;
/** Rows per UPDATE / DELETE statement. */
const MAX_ROWS_PER_STATEMENT = 1000;
/** Bound values per statement: under SQLite's 32,766 and PostgreSQL's / MySQL's 65,535. */
const MAX_PARAMS_PER_STATEMENT = 30_000;
/** Rows per column-wise UPDATE (updateRows): bounded by memory and statement time, not by bound values. */
const MAX_ROWS_COLUMN_WISE = 20_000;

interface SharedState {
  db?: Kysely<any>;
  dialect?: Dialect;
  tables: Map<string, Promise<TableInfo>>;
}

export class SqlConnectorBase implements SqlConnector {
  readonly speaksSql = true as const;
  readonly system: string;
  readonly kind: ConnectorConfig['kind'];
  readonly #config: ConnectorConfig;
  readonly #engine: SqlEngine;
  readonly #options: SqlConnectorOptions;
  readonly #shared: SharedState;
  /** Set on the connector handed to a transaction's callback. */
  readonly #tx: Kysely<any> | undefined;
  readonly #secrets: string[];

  constructor(config: ConnectorConfig, engine: SqlEngine, options: SqlConnectorOptions = {}, bound?: { shared: SharedState; tx: Kysely<any> }) {
    this.system = config.system;
    this.kind = config.kind;
    this.#config = config;
    this.#engine = engine;
    this.#options = options;
    this.#shared = bound?.shared ?? { tables: new Map() };
    this.#tx = bound?.tx;
    this.#secrets = passwordsIn(config.url);
  }

  get db(): Kysely<any> {
    const db = this.#tx ?? this.#shared.db;
    if (!db) throw new Error(`${this.system}: connect() was not called`);
    return db;
  }

  async connect(): Promise<void> {
    if (this.#shared.db) return;
    let db: Kysely<any> | undefined;
    try {
      const dialect = await this.#engine.createDialect(this.#config);
      db = new Kysely<any>({ dialect, log: (e) => this.#logQuery(e) });
      await sql`select 1`.execute(db);
      this.#shared.db = db;
      this.#shared.dialect = dialect;
    } catch (err) {
      await db?.destroy().catch(() => undefined);
      throw new SystemError(this.system, undefined, `cannot connect to ${this.#engine.describeTarget(this.#config)}: ${this.#scrub(describeError(err))}`);
    }
  }

  async close(): Promise<void> {
    if (this.#tx) return; // the transaction's owner closes
    const db = this.#shared.db;
    this.#shared.db = undefined;
    await db?.destroy();
  }

  async introspect(): Promise<SchemaInfo> {
    const tables = (await this.#guard(undefined, () => this.#engine.introspect(this.db))).map(inNameOrder).sort(byName);
    for (const t of tables) this.#shared.tables.set(t.name, Promise.resolve(t));
    return { tables };
  }

  tableInfo(table: string): Promise<TableInfo> {
    let info = this.#shared.tables.get(table);
    if (!info) {
      info = this.#guard(table, async () => {
        const [found] = await this.#engine.introspect(this.db, table);
        if (!found) throw new SystemError(this.system, table, 'no such table or view');
        return inNameOrder(found);
      });
      info.catch(() => this.#shared.tables.delete(table));
      this.#shared.tables.set(table, info);
    }
    return info;
  }

  async *rowsWhereIn(table: string, column: string, values: readonly string[], opts: RowsWhereInOptions = {}): AsyncIterable<Row[]> {
    const info = await this.tableInfo(table);
    const col = this.#column(info, table, column);
    const normalizer = opts.normalize ?? 'none';
    // The engine's lower() is Unicode-aware (the Kelvin sign becomes `k`): SQL finds a superset through every form a
    // stored value may take, and normalizeIdentity(), the one rule, keeps the rows that really are the value.
    const wanted = new Set(values.map((v) => normalizeIdentity(normalizer, v)));
    const asked = normalizer === 'none' ? values : [...new Set(values.flatMap((v) => lookupVariants(normalizer, v)))];
    const { target, params } = this.#lookup(col, normalizer, asked);
    const from = this.tableRef(table);
    const columns = opts.columns && normalizer !== 'none' && col.family === 'text' && !opts.columns.includes(col.name) ? [...opts.columns, col.name] : opts.columns;
    const select = selectList(columns);
    // A case- or accent-insensitive collation (MySQL's *_ci) makes `jose@` equal `josé@`: text must also match byte
    // for byte. The plain comparison stays first so that an index on the column is still used.
    const textual = normalizer !== 'none' || ['text', 'json', 'other'].includes(col.family);
    for (const part of chunk(params, opts.chunkSize ?? DEFAULT_CHUNK)) {
      const exact = textual ? sql` and ${this.exactText(target)} in (${sql.join(part)})` : sql``;
      const rows = await this.#rows(table, sql<Row>`select ${select} from ${from} where ${target} in (${sql.join(part)})${exact}`);
      // Only text columns come back as the text SQL compared; dates, numbers and JSON are taken as SQL found them.
      if (normalizer === 'none' || col.family !== 'text') {
        yield rows;
        continue;
      }
      const kept = rows.filter((r) => r[col.name] !== null && r[col.name] !== undefined && wanted.has(normalizeIdentity(normalizer, String(r[col.name]))));
      if (columns !== opts.columns) for (const r of kept) delete r[col.name];
      yield kept;
    }
  }

  /** With `opts.columns`, rows still carry the key columns: the next batch starts after the last key. */
  async *batches(table: string, key: readonly string[], opts: SqlBatchOptions): AsyncIterable<Row[]> {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${opts.batchSize}`);
    const info = await this.tableInfo(table);
    const keyFamilies = key.map((k) => this.#column(info, table, k).family);
    const from = this.tableRef(table);
    const select = selectList(opts.columns && [...new Set([...key, ...opts.columns])]);
    const orderBy = sql.join(key.map((k) => sql.id(k)));
    let after = opts.after;
    for (;;) {
      const conditions: Expression<SqlBool>[] = [];
      if (opts.where) conditions.push(opts.where);
      if (after) conditions.push(this.#engine.keyAfter(key, after.map((v, i) => this.toParam(v, keyFamilies[i]))));
      const where = conditions.length ? sql`where ${sql.join(conditions.map((c) => sql`(${c})`), sql` and `)}` : sql``;
      const rows = await this.#rows(table, sql<Row>`select ${select} from ${from} ${where} order by ${orderBy} limit ${sql.lit(opts.batchSize)}`);
      if (rows.length) yield rows;
      if (rows.length < opts.batchSize) return;
      const last = rows[rows.length - 1];
      after = key.map((k) => last[k]);
    }
  }

  async updateByKeys(table: string, key: readonly string[], changes: readonly KeyedChange[]): Promise<number> {
    if (!changes.length) return 0;
    const info = await this.tableInfo(table);
    const keyFamilies = key.map((k) => this.#column(info, table, k).family);
    // Changes that set the same columns share statements; a column set to undefined is left alone.
    const groups = new Map<string, KeyedChange[]>();
    for (const change of changes) {
      const signature = JSON.stringify(Object.keys(change.set).filter((c) => change.set[c] !== undefined).sort());
      const group = groups.get(signature) ?? [];
      group.push(change);
      groups.set(signature, group);
    }
    let changed = 0;
    for (const [signature, group] of groups) {
      const setColumns: string[] = JSON.parse(signature);
      if (!setColumns.length) continue;
      const setFamilies = setColumns.map((c) => this.#column(info, table, c).family);
      const perStatement = rowsPerStatement(key.length + setColumns.length);
      for (const part of chunk(group, perStatement)) {
        const rows = part.map((c) => [
          ...c.key.map((v, i) => this.toParam(v, keyFamilies[i])),
          ...setColumns.map((col, i) => this.toParam(c.set[col], setFamilies[i])),
        ]);
        changed += await this.#execute(table, this.#engine.updateFromValues({ table: this.tableRef(table), info, key, setColumns, rows }));
      }
    }
    return changed;
  }

  async deleteByKeys(table: string, key: readonly string[], keys: readonly KeyValues[]): Promise<number> {
    if (!keys.length) return 0;
    const info = await this.tableInfo(table);
    const keyFamilies = key.map((k) => this.#column(info, table, k).family);
    const from = this.tableRef(table);
    let deleted = 0;
    for (const part of chunk(keys, rowsPerStatement(key.length))) {
      const bound = part.map((k) => k.map((v, i) => this.toParam(v, keyFamilies[i])));
      deleted += await this.#execute(table, sql`delete from ${from} where ${this.#engine.keyIn(key, bound)}`);
    }
    return deleted;
  }

  async *sample(table: string, columns: readonly string[], n: number, opts: SampleOptions = {}): AsyncIterable<SampleChunk> {
    const info = await this.tableInfo(table);
    for (const c of columns) this.#column(info, table, c);
    const ctx = {
      db: this.db,
      info,
      from: this.tableRef(table),
      rows: (query: RawBuilder<Row>) => this.#rows(table, query),
      batches: (key: readonly string[], o: SqlBatchOptions) => this.batches(table, key, o),
      stream: (query: RawBuilder<Row>, size: number) => this.streamRows(query, { chunkSize: size, table }),
    };
    yield* sampleTable(ctx, this.#engine.sampler ?? { pick: limitPick }, columns, n, opts);
  }

  async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    if (this.#tx) return fn(this); // already inside one: the outer transaction decides
    let fromCallback: { error: unknown } | undefined;
    try {
      return await this.db.transaction().execute(async (trx) => {
        try {
          return await fn(new SqlConnectorBase(this.#config, this.#engine, this.#options, { shared: this.#shared, tx: trx }));
        } catch (error) {
          fromCallback = { error };
          throw error;
        }
      });
    } catch (err) {
      // The callback's error, even when the rollback failed after it (a lost connection): it names the table.
      if (fromCallback) throw fromCallback.error;
      throw this.#wrap(err, undefined, []);
    }
  }

  tableRef(table: string): RawBuilder<unknown> {
    return this.#engine.tableRef(table);
  }

  keyAfter(key: readonly string[], after: readonly unknown[]): RawBuilder<SqlBool> {
    return this.#engine.keyAfter(key, after);
  }

  yearStart(expr: Expression<unknown>, family: 'date' | 'timestamp'): RawBuilder<unknown> {
    return this.#engine.yearStart(expr, family);
  }

  emptyDate(column: string, family: TypeFamily): RawBuilder<SqlBool> {
    if (this.#engine.emptyDate) return this.#engine.emptyDate(column, family);
    const c = sql.id(column);
    return family === 'text' ? sql<SqlBool>`${c} is null or ${c} = ''` : sql<SqlBool>`${c} is null`;
  }

  exactText(expr: Expression<unknown>): RawBuilder<string> {
    return this.#engine.exactText ? this.#engine.exactText(expr) : sql<string>`${expr}`;
  }

  get familiesGroupedByValue(): readonly TypeFamily[] {
    return this.#engine.familiesGroupedByValue ?? [];
  }

  get rowLock(): RawBuilder<unknown> {
    return this.#engine.rowLock ?? sql`for update`;
  }

  isLockConflict(err: unknown): boolean {
    const judge = this.#engine.lockConflict;
    // The driver's error is the cause of the SystemError (or deeper: a transaction's wrapper around it).
    return judge ? someCause(err, judge) : false;
  }

  get concurrentStatements(): boolean {
    return this.#engine.concurrentStatements ?? true;
  }

  async replicaStatus(): Promise<ReplicaStatus> {
    if (!this.#engine.replication) return { unknown: `${this.kind} has no replication to watch` };
    try {
      await this.connect();
      return await this.#engine.replication.status(this.db);
    } catch (err) {
      // The reading is labelled with the replica's name by the caller: the message alone.
      const message = err instanceof SystemError ? err.message.replace(`${this.system}: `, '') : this.#scrub(describeError(err));
      return { unknown: message };
    }
  }

  async streamingReplicas(): Promise<DiscoveredReplica[] | undefined> {
    const streaming = this.#engine.replication?.streaming;
    if (!streaming) return undefined;
    return streaming(this.db);
  }

  queryRows(query: RawBuilder<Row>, opts: { table?: string } = {}): Promise<Row[]> {
    return this.#rows(opts.table ?? '', query);
  }

  streamRows(query: RawBuilder<Row>, opts: StreamOptions = {}): AsyncIterable<Row[]> {
    return this.#stream(query, opts, (size, ctx) => this.#rowStream(query, size, ctx));
  }

  streamValues(query: RawBuilder<Row>, opts: StreamOptions = {}): AsyncIterable<unknown[][]> {
    return this.#stream(query, opts, (size, ctx) =>
      this.#engine.streamValues ? this.#engine.streamValues(this.db, query, size, ctx) : valuesOf(this.#rowStream(query, size, ctx)),
    );
  }

  #rowStream(query: RawBuilder<Row>, size: number, ctx: StreamContext): AsyncIterable<Row[]> {
    return this.#engine.streamRows ? this.#engine.streamRows(this.db, query, size, ctx) : executorRows(this.db, query, size);
  }

  async *#stream<T>(query: RawBuilder<Row>, opts: StreamOptions, open: (size: number, ctx: StreamContext) => AsyncIterable<T[]>): AsyncIterable<T[]> {
    const size = opts.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(size) || size < 1) throw new Error(`chunkSize must be a positive integer, got ${size}`);
    const ctx: StreamContext = {
      dialect: this.#shared.dialect!,
      logQuery: (text, durationMs) => this.#options.onQuery?.({ sql: text, durationMs }),
    };
    try {
      yield* open(size, ctx);
    } catch (err) {
      // Compiled again only to know which bound values to keep out of the message.
      throw this.#wrap(err, opts.table, query.compile(this.db).parameters);
    }
  }

  async updateRows(
    table: string,
    key: readonly string[],
    columns: readonly string[],
    rows: readonly KeyedValues[],
    opts: { where?: Expression<SqlBool> } = {},
  ): Promise<number> {
    if (!rows.length || !columns.length) return 0;
    const info = await this.tableInfo(table);
    const families = [...key, ...columns].map((c) => this.#column(info, table, c).family);
    const columnWise = this.#engine.updateFromColumns;
    const perStatement = columnWise ? MAX_ROWS_COLUMN_WISE : Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / (key.length + columns.length)));
    let changed = 0;
    for (const part of chunk(rows, perStatement)) {
      const bound = part.map((r) => [...r.key, ...r.values].map((v, i) => this.toParam(v, families[i])));
      const batch: UpdateBatch = { table: this.tableRef(table), info, key, setColumns: columns, rows: bound, where: opts.where };
      const statement = columnWise?.(batch);
      if (statement) {
        changed += await this.#execute(table, statement);
        continue;
      }
      for (const small of chunk(bound, Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / families.length)))) {
        changed += await this.#execute(table, this.#engine.updateFromValues({ ...batch, rows: small }));
      }
    }
    return changed;
  }

  normalized(expr: Expression<unknown>, normalizer: Normalizer): RawBuilder<string> {
    return normalizer === 'none' ? sql<string>`${expr}` : this.#engine.normalized(expr, normalizer);
  }

  shuffled(expr: Expression<unknown>, salt: string): RawBuilder<string> {
    return this.#engine.shuffled(expr, salt);
  }

  concatText(parts: readonly Expression<unknown>[]): RawBuilder<string> {
    return this.#engine.concatText(parts);
  }

  quickOrder(text: Expression<unknown>, salt: string): RawBuilder<unknown> {
    return this.#engine.quickOrder(text, salt);
  }

  asText(expr: Expression<unknown>): RawBuilder<string> {
    return this.#engine.asText(expr);
  }

  yearOf(expr: Expression<unknown>): RawBuilder<number> {
    return this.#engine.yearOf(expr);
  }

  olderThan(column: string, family: TypeFamily, instant: Date): RawBuilder<SqlBool> {
    return this.#engine.olderThan(column, family, instant);
  }

  toParam(value: unknown, family: TypeFamily): unknown {
    return value === undefined ? null : this.#engine.toParam(value, family);
  }

  /** What to compare and with which bound values; values that cannot equal the column are dropped here. */
  #lookup(col: ColumnInfo, normalizer: Normalizer, values: readonly string[]): { target: Expression<unknown>; params: unknown[] } {
    const unique = [...new Set(values)].filter((v) => !v.includes('\0')); // NUL never matches and breaks PostgreSQL
    const ref = sql.id(col.name);
    const asText = col.family === 'text' ? ref : this.#engine.asText(ref);
    if (normalizer !== 'none') return { target: this.#engine.normalized(asText, normalizer), params: unique };
    if (col.family === 'json' || col.family === 'other') return { target: asText, params: unique };
    if (col.family === 'binary') return { target: ref, params: [] }; // bytes never equal a text value
    const params: unknown[] = [];
    for (const v of unique) {
      const coerced = coerceLookupValue(v, col, () => this.#engine.integerBounds(col));
      if (coerced !== undefined) params.push(this.toParam(coerced, col.family));
    }
    return { target: ref, params };
  }

  #column(info: TableInfo, table: string, column: string): ColumnInfo {
    const col = info.columns.find((c) => c.name === column);
    if (!col) throw new SystemError(this.system, table, `no column ${JSON.stringify(column)}`);
    return col;
  }

  async #rows(table: string, query: RawBuilder<Row>): Promise<Row[]> {
    return (await this.#run(table, query)).rows as Row[];
  }

  async #execute(table: string, query: RawBuilder<unknown>): Promise<number> {
    return Number((await this.#run(table, query)).numAffectedRows ?? 0n);
  }

  async #run(table: string, query: RawBuilder<unknown>) {
    let compiled: CompiledQuery | undefined;
    try {
      compiled = query.compile(this.db);
      return await this.db.executeQuery(compiled);
    } catch (err) {
      throw this.#wrap(err, table, compiled?.parameters ?? []);
    }
  }

  async #guard<T>(table: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#wrap(err, table, []);
    }
  }

  /**
   * A SystemError naming the system and table; the message carries neither the password nor bound values. The
   * driver's error stays as the cause (never printed) so that callers can tell a lock conflict by its code.
   */
  #wrap(err: unknown, table: string | undefined, params: readonly unknown[]): SystemError {
    if (err instanceof SystemError) return err;
    return new SystemError(this.system, table, this.#scrub(describeError(err), params), err);
  }

  #scrub(message: string, params: readonly unknown[] = []): string {
    const secrets = [...this.#secrets, ...params.filter((p): p is string => typeof p === 'string' && p.length >= 3)];
    secrets.sort((a, b) => b.length - a.length);
    for (const s of secrets) message = message.split(s).join('***');
    return message;
  }

  #logQuery(event: LogEvent): void {
    if (event.level === 'query') this.#options.onQuery?.({ sql: event.query.sql, durationMs: event.queryDurationMillis });
  }
}

/**
 * Rows as their values in select-list order. Object.values keeps that order only for names that are unique and not
 * integer-like (`"1"` would come first), which holds for every statement dsar streams (see streamValues).
 */
export async function* valuesOf(chunks: AsyncIterable<Row[]>): AsyncIterable<unknown[][]> {
  for await (const rows of chunks) yield rows.map((row) => Object.values(row));
}

/** A driver's row stream (mysql2, better-sqlite3 via kysely's executor) regrouped into chunks of `size`. */
export async function* executorRows(db: Kysely<any>, query: RawBuilder<Row>, size: number, compiled: CompiledQuery<Row> = query.compile(db)): AsyncIterable<Row[]> {
  let chunk: Row[] = [];
  for await (const result of db.getExecutor().stream(compiled, size)) {
    for (const row of result.rows) {
      chunk.push(row);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length) yield chunk;
}

/** The password of a connection URL, raw and decoded, to keep driver messages from echoing it. */
function passwordsIn(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const raw = new URL(url).password;
    if (raw.length < 3) return [];
    return [...new Set([raw, decodeURIComponent(raw)])];
  } catch {
    return [];
  }
}

/** A driver error as one line (pg gives an AggregateError with an empty message when every address refuses). */
/** A shuffle salt as an SQL literal may hold it: hex only (it is random hex), so no bound value is needed. */
export function hexSalt(salt: string): string {
  if (!/^[0-9a-f]+$/.test(salt)) throw new Error('a shuffle salt is hex');
  return salt;
}

export function describeError(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(describeError).join('; ');
  const server = serverErrorText(err);
  if (server !== undefined) return server;
  if (err instanceof Error) return (err.message || (err as { code?: string }).code || err.name).split('\n')[0];
  return String(err);
}

/** `host:port/database` of a connection URL: enough to recognise the system, nothing secret. */
export function describeUrl(url: string | undefined, fallback: string): string {
  if (!url) return `${fallback} (no url)`;
  try {
    const u = new URL(url);
    // `postgres:/u:pw@h/db` or `u:pw@h/db` parse with the password in the path: never shown.
    if (!u.host) return `${fallback} (a URL without //host; expected ${fallback}://user:password@host:port/database)`;
    return `${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
  } catch {
    return `${fallback} (unparsable url)`;
  }
}

function selectList(columns: readonly string[] | undefined): RawBuilder<unknown> {
  return columns?.length ? sql.join(columns.map((c) => sql.id(c))) : sql`*`;
}

function rowsPerStatement(valuesPerRow: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS_PER_STATEMENT / valuesPerRow)));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const TIME = /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, t: true, '1': true, false: false, f: false, '0': false };

/**
 * A lookup value (text) as a value of the column's type, or undefined when no value of that type has this text:
 * such values are skipped rather than sent, so a mismatched link never becomes an SQL error.
 */
export function coerceLookupValue(value: string, column: ColumnInfo, integerBounds: () => readonly [bigint, bigint]): unknown {
  switch (column.family) {
    case 'integer': {
      if (!INTEGER.test(value)) return undefined;
      const [min, max] = integerBounds();
      const n = BigInt(value);
      if (n < min || n > max) return undefined;
      return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    }
    case 'decimal':
      return DECIMAL.test(value) ? value : undefined;
    case 'float': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return BOOLEANS[value.toLowerCase()];
    case 'uuid':
      return UUID.test(value) ? value : undefined;
    case 'inet': {
      const [address, prefix, extra] = value.split('/');
      const ok = net.isIP(address) !== 0 && extra === undefined && (prefix === undefined || /^\d{1,3}$/.test(prefix));
      return ok ? value : undefined;
    }
    case 'date':
    case 'timestamp': {
      const m = DATE_TIME.exec(value);
      return m && isCalendarDate(m[1]) ? value : undefined;
    }
    case 'time':
      return TIME.test(value) ? value : undefined;
    default:
      return value;
  }
}

function isCalendarDate(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

/** The integer range a PostgreSQL or MySQL integer type holds (`smallint`, `int(10) unsigned`, `bigint`, ...). */
export function integerBoundsOfType(type: string): readonly [bigint, bigint] {
  const t = type.toLowerCase();
  const bits = /tinyint/.test(t)
    ? 8
    : /smallint|\bint2\b|smallserial|\byear\b/.test(t)
      ? 16
      : /mediumint/.test(t)
        ? 24
        : /bigint|\bint8\b|bigserial/.test(t)
          ? 64
          : /\bint(eger)?\b|\bint4\b|\bserial\b|\bint\(/.test(t)
            ? 32
            : 64;
  if (/unsigned/.test(t)) return [0n, (1n << BigInt(bits)) - 1n];
  return [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
}

/** The column's text stripped of a type modifier, e.g. `character varying(16)` -> `character varying`. */
export function withoutTypeModifier(type: string): string {
  return type.replace(/\(\s*\d+\s*(?:,\s*\d+\s*)?\)/g, '').replace(/\s+/g, ' ').trim();
}

/** Marks columns that belong to a unique or primary index. */
export function markUniqueColumns(table: TableInfo): TableInfo {
  const unique = new Set(table.indexes.filter((i) => i.unique || i.primary).flatMap((i) => i.columns));
  for (const c of table.primaryKey) unique.add(c);
  for (const c of table.columns) c.unique = unique.has(c.name);
  return table;
}

function inNameOrder(table: TableInfo): TableInfo {
  return { ...table, indexes: [...table.indexes].sort(byName), foreignKeys: [...table.foreignKeys].sort(byName), triggers: [...table.triggers].sort(byName) };
}

/** Code-point order, so every engine lists tables and indexes the same way whatever its collation. */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Groups rows by a key, preserving order. */
export function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string | number): Map<string | number, T[]> {
  const out = new Map<string | number, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Splits `schema.table` at the first dot (PostgreSQL, MySQL). */
export function splitQualified(table: string): { schema: string | null; name: string } {
  const dot = table.indexOf('.');
  return dot > 0 ? { schema: table.slice(0, dot), name: table.slice(dot + 1) } : { schema: null, name: table };
}

export function qualifiedRef(table: string): RawBuilder<unknown> {
  const { schema, name } = splitQualified(table);
  return schema ? sql.id(schema, name) : sql.id(name);
}

/** `(a, b) > (?, ?)` as a row comparison. */
export function rowValueAfter(key: readonly string[], after: readonly unknown[]): RawBuilder<SqlBool> {
  if (key.length === 1) return sql<SqlBool>`${sql.id(key[0])} > ${after[0]}`;
  return sql<SqlBool>`(${sql.join(key.map((k) => sql.id(k)))}) > (${sql.join([...after])})`;
}

/** `a in (?, ?)` or `(a, b) in ((?, ?), ...)`. */
export function rowValueIn(key: readonly string[], keys: readonly (readonly unknown[])[]): RawBuilder<SqlBool> {
  if (key.length === 1) return sql<SqlBool>`${sql.id(key[0])} in (${sql.join(keys.map((k) => k[0]))})`;
  const tuples = keys.map((k) => sql`(${sql.join([...k])})`);
  return sql<SqlBool>`(${sql.join(key.map((k) => sql.id(k)))}) in (${sql.join(tuples)})`;
}
