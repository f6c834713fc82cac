// MySQL 8 and MariaDB 10.11: a mysql2 pool behind kysely. Catalog read from information_schema for the URL's
// database, one query per catalog table.
import { mysqlReplication } from './replicas.ts';
import { hexSalt } from '../sql-base.ts';
import mysql from 'mysql2';
import { MysqlDialect, sql, type Dialect, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ColumnInfo, ConnectorConfig, OnDelete, Row, TableInfo, TypeFamily } from '../connector.ts';
import {
  SqlConnectorBase,
  describeUrl,
  executorRows,
  groupBy,
  integerBoundsOfType,
  markUniqueColumns,
  qualifiedRef,
  rowValueIn,
  SESSION_WORK_MEMORY_BYTES,
  splitQualified,
  valuesOf,
  type SqlConnectorOptions,
  type SqlEngine,
  type StreamContext,
  type UpdateBatch,
} from '../sql-base.ts';
import { mysqlSampler } from './sample.ts';
import { readableChunks } from '../readable-chunks.ts';
import { isMysqlLockConflict } from './errors.ts';

/** The pool behind each dialect this engine created, for its own row stream. */
const pools = new WeakMap<Dialect, mysql.Pool>();

export class MysqlConnector extends SqlConnectorBase {
  constructor(config: ConnectorConfig, options?: SqlConnectorOptions) {
    super(config, mysqlEngine, options);
  }
}

const FAMILIES: Record<string, TypeFamily> = {
  tinyint: 'integer', smallint: 'integer', mediumint: 'integer', int: 'integer', integer: 'integer', bigint: 'integer', year: 'integer',
  decimal: 'decimal', numeric: 'decimal',
  float: 'float', double: 'float', real: 'float',
  date: 'date',
  datetime: 'timestamp', timestamp: 'timestamp',
  time: 'time',
  char: 'text', varchar: 'text', tinytext: 'text', text: 'text', mediumtext: 'text', longtext: 'text',
  binary: 'binary', varbinary: 'binary', tinyblob: 'binary', blob: 'binary', mediumblob: 'binary', longblob: 'binary',
  json: 'json',
  uuid: 'uuid',
  inet4: 'inet', inet6: 'inet',
};

const ON_DELETE = new Set<OnDelete>(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);


export const mysqlEngine: SqlEngine = {
  sampler: mysqlSampler,
  replication: mysqlReplication,
  lockConflict: isMysqlLockConflict,

  async createDialect(config) {
    const pool = mysql.createPool({
      uri: config.url,
      connectTimeout: 5000,
      connectionLimit: 4,
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false, // DECIMAL stays an exact string
      timezone: 'Z', // DATETIME values are read and written as UTC
    });
    // Queued on each new connection ahead of anything else it runs (MySQL 8 keeps its temporary tables in memory up to
    // temptable_max_ram anyway; the setting matters to MariaDB; a server may refuse it).
    // READ COMMITTED where the binary log allows it (not binlog_format=STATEMENT): under REPEATABLE READ a sweep's
    // UPDATE locks every row its range scans, young rows included, and deadlocks with writers updating them in the
    // other order; READ COMMITTED releases the rows that do not match at once (InnoDB's semi-consistent read), as
    // PostgreSQL never locks them. The format is read once, on the pool's first connection, before any other use.
    let readCommitted = false;
    const isolation = 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED';
    pool.on('connection', (conn) => {
      conn.query(
        `SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, ${SESSION_WORK_MEMORY_BYTES}), max_heap_table_size = GREATEST(@@max_heap_table_size, ${SESSION_WORK_MEMORY_BYTES})`,
        () => undefined,
      );
      if (readCommitted) conn.query(isolation, () => undefined);
    });
    const binlogFormat = await new Promise<string | undefined>((resolve, reject) =>
      pool.query('SELECT @@binlog_format AS f', (err: Error | null, rows: unknown) => (err ? reject(err) : resolve((rows as Array<{ f?: string }>)[0]?.f))),
    ).catch(async (err: unknown) => {
      await new Promise((done) => pool.end(done));
      throw err;
    });
    if (binlogFormat !== 'STATEMENT') {
      readCommitted = true;
      // The one connection so far is idle again: this reaches it.
      await new Promise<void>((resolve) => pool.query(isolation, () => resolve()));
    }
    const dialect = new MysqlDialect({ pool });
    pools.set(dialect, pool);
    return dialect;
  },

  // Rows read in chunks from mysql2's own stream (kysely's yields one row per promise). Inside a transaction the
  // rows must come from its connection: kysely's stream then.
  streamRows(db, query, chunkSize, ctx) {
    return driverStream<Row>(db, query, chunkSize, ctx, false, () => executorRows(db, query, chunkSize));
  },

  streamValues(db, query, chunkSize, ctx) {
    return driverStream<unknown[]>(db, query, chunkSize, ctx, true, () => valuesOf(executorRows(db, query, chunkSize)));
  },

  describeTarget(config) {
    return describeUrl(config.url, 'mysql');
  },

  introspect,

  tableRef: qualifiedRef,

  normalized(expr, normalizer) {
    if (normalizer === 'lowercase-trim') return sql<string>`lower(trim(${expr}))`;
    if (normalizer === 'trim') return sql<string>`trim(${expr})`;
    return sql<string>`regexp_replace(${expr}, '[^0-9]', '')`;
  },

  asText: (expr) => sql<string>`cast(${expr} as char)`,
  shuffled: (expr, salt) => sql<string>`md5(concat(${sql.lit(hexSalt(salt))}, cast(${expr} as char)))`,
  concatText: (parts) => sql<string>`concat(${sql.join(parts)})`,
  quickOrder: (text, salt) => sql`crc32(concat(${sql.lit(hexSalt(salt))}, ${text}))`,

  yearOf: (expr) => sql<number>`year(${expr})`,

  olderThan(column, family, instant) {
    if (family === 'text') return sql<SqlBool>`cast(nullif(${sql.id(column)}, '') as datetime(6)) < ${instant}`;
    return sql<SqlBool>`${sql.id(column)} < ${instant}`;
  },

  toParam(value) {
    // mysql2 escapes a plain object as `key = value` pairs and an array as a list: send JSON text instead.
    if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
    return value;
  },

  integerBounds: (column) => integerBoundsOfType(column.type),

  // The expanded form (a > ? or a = ? and b > ?) is what MySQL's range optimizer turns into an index range.
  keyAfter(key, after) {
    const alternatives = key.map((k, i) => {
      const equal = key.slice(0, i).map((p, j) => sql`${sql.id(p)} = ${after[j]}`);
      return sql`(${sql.join([...equal, sql`${sql.id(k)} > ${after[i]}`], sql` and `)})`;
    });
    return sql<SqlBool>`${sql.id(key[0])} >= ${after[0]} and (${sql.join(alternatives, sql` or `)})`;
  },

  keyIn: rowValueIn,

  updateFromValues({ table, key, setColumns, rows, where }: UpdateBatch) {
    const aliases = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
    const selects = rows.map((row, r) =>
      r === 0 ? sql`select ${sql.join(row.map((v, i) => sql`${v} as ${sql.id(aliases[i])}`))}` : sql`select ${sql.join(row)}`,
    );
    const match = key.map((k, i) => sql`${sql.id('dsar_t', k)} = ${sql.id('dsar_v', `k${i}`)}`);
    const assignments = setColumns.map((c, i) => sql`${sql.id('dsar_t', c)} = ${sql.id('dsar_v', `c${i}`)}`);
    return sql`update ${table} as ${sql.id('dsar_t')}
      join (${sql.join(selects, sql` union all `)}) as ${sql.id('dsar_v')} on ${sql.join(match, sql` and `)}
      set ${sql.join(assignments)}${where ? sql` where (${where})` : sql``}`;
  },

  yearStart: (expr, family) => (family === 'date' ? sql`makedate(year(${expr}), 1)` : sql`cast(makedate(year(${expr}), 1) as datetime)`),

  updateFromColumns({ table, info, key, setColumns, rows, where }: UpdateBatch) {
    // The rows as one JSON document read back by JSON_TABLE: one bound value instead of a UNION of thousands of
    // SELECTs. Bound as base64: mysql2 escapes text parameters in JS, and a megabyte of JSON quotes cost more than the
    // UPDATE; base64 has nothing to escape and is smaller than the hex literal bytes would be.
    // Only for numeric keys (a text key would meet JSON_TABLE's collation in the join) and column types JSON can
    // carry (not bytes, UUIDs or inet).
    const columns = [...key, ...setColumns].map((name) => info.columns.find((c) => c.name === name));
    if (columns.some((c) => !c || !JSON_TABLE_FAMILIES.has(c.family))) return undefined;
    if (columns.slice(0, key.length).some((c) => !['integer', 'decimal'].includes(c!.family))) return undefined;
    const document: unknown[][] = [];
    for (const row of rows) {
      const values = row.map((v, i) => jsonTableValue(v, columns[i]!.family));
      if (values.some((v) => v === undefined)) return undefined;
      document.push(values);
    }
    const aliases = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
    const defs = columns.map((c, i) => {
      const type = c!.family === 'text' ? `${c!.type} character set utf8mb4` : c!.type;
      return sql`${sql.id(aliases[i])} ${sql.raw(type)} path ${sql.lit(`$[${i}]`)}`;
    });
    const match = key.map((k, i) => sql`${sql.id('dsar_t', k)} = ${sql.id('dsar_v', `k${i}`)}`);
    const assignments = setColumns.map((c, i) => sql`${sql.id('dsar_t', c)} = ${sql.id('dsar_v', `c${i}`)}`);
    // Joined from the document's side, one primary-key lookup per row: only the rows written are locked. (Scanning
    // the key range instead is faster but locks the range's other rows too, and deadlocks with the application.)
    return sql`update ${table} as ${sql.id('dsar_t')}
      join json_table(convert(from_base64(${Buffer.from(JSON.stringify(document), 'utf8').toString('base64')}) using utf8mb4), '$[*]' columns (${sql.join(defs)})) as ${sql.id('dsar_v')} on ${sql.join(match, sql` and `)}
      set ${sql.join(assignments)}${where ? sql` where (${where})` : sql``}`;
  },

  // The usual *_ci collations make `a` = `A` and ignore trailing spaces; grouping must not merge distinct values.
  exactText: (expr) => sql<string>`cast(${expr} as char character set utf8mb4) collate utf8mb4_bin`,

  familiesGroupedByValue: ['date', 'time'],
};

/**
 * Rows read in chunks from mysql2's own stream (kysely's yields one row per promise); `arrays`: each row as its
 * values (mysql2's rowsAsArray). Inside a transaction the rows must come from its connection: kysely's stream then.
 */
async function* driverStream<T>(
  db: Kysely<any>,
  query: RawBuilder<Row>,
  chunkSize: number,
  ctx: StreamContext,
  arrays: boolean,
  fallback: () => AsyncIterable<T[]>,
): AsyncIterable<T[]> {
  const pool = pools.get(ctx.dialect);
  if (!pool || db.isTransaction) {
    yield* fallback();
    return;
  }
  const compiled = query.compile(db);
  const conn = await new Promise<mysql.PoolConnection>((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
  const started = performance.now();
  const stream = conn.query({ sql: compiled.sql, values: compiled.parameters as unknown[], rowsAsArray: arrays }).stream({ objectMode: true, highWaterMark: chunkSize });
  let complete = false;
  try {
    yield* readableChunks<T>(stream, chunkSize);
    complete = true;
  } finally {
    // A result not read to its end is still on the wire: that connection cannot serve another query.
    if (complete) conn.release();
    else {
      stream.destroy();
      conn.destroy();
    }
    ctx.logQuery(compiled.sql, performance.now() - started);
  }
}

const JSON_TABLE_FAMILIES = new Set<TypeFamily>(['integer', 'decimal', 'float', 'text', 'date', 'timestamp', 'time', 'json', 'boolean']);

/** A bound value as JSON_TABLE reads it back into its column; undefined when JSON cannot carry it. */
function jsonTableValue(v: unknown, family: TypeFamily): unknown {
  if (v === null || v === undefined) return null;
  // UTC, as the pool's timezone 'Z' sends Dates; a DATE column takes the day alone (a time part would be truncated).
  if (v instanceof Date) return family === 'date' ? v.toISOString().slice(0, 10) : v.toISOString().slice(0, 23).replace('T', ' ');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return v;
  return undefined;
}

const num = (v: unknown) => Number(v ?? 0);

async function introspect(db: Kysely<any>, table?: string): Promise<TableInfo[]> {
  const only = table === undefined ? undefined : splitQualified(table);
  const schema = sql`coalesce(${only?.schema ?? null}, database())`;
  const named = (column: string) => (only ? sql`and ${sql.ref(column)} = ${only.name}` : sql``);
  const [tables, columns, statistics, foreignKeys, triggers, partitions] = await Promise.all([
    rowsOf<{ name: string; type: string; estimated_rows: unknown }>(db, sql`
      select table_name as name, table_type as type, table_rows as estimated_rows
      from information_schema.tables where table_schema = ${schema} ${named('table_name')}
      order by table_name`),
    rowsOf<{ tbl: string; name: string; column_type: string; data_type: string; nullable: string; max_length: unknown }>(db, sql`
      select table_name as tbl, column_name as name, column_type, data_type, is_nullable as nullable,
        case when data_type in ('char', 'varchar', 'binary', 'varbinary') then character_maximum_length end as max_length
      from information_schema.columns where table_schema = ${schema} ${named('table_name')}
      order by table_name, ordinal_position`),
    rowsOf<{ tbl: string; name: string; non_unique: unknown; column_name: string | null }>(db, sql`
      select table_name as tbl, index_name as name, non_unique, column_name
      from information_schema.statistics where table_schema = ${schema} ${named('table_name')}
      order by table_name, index_name, seq_in_index`),
    rowsOf<{ tbl: string; name: string; column_name: string; ref_schema: string; ref_table: string; ref_column: string; delete_rule: string; same_schema: unknown }>(db, sql`
      select k.table_name as tbl, k.constraint_name as name, k.column_name, k.referenced_table_schema as ref_schema,
        k.referenced_table_name as ref_table, k.referenced_column_name as ref_column, r.delete_rule,
        k.referenced_table_schema = database() as same_schema
      from information_schema.key_column_usage k
      join information_schema.referential_constraints r
        on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name and r.table_name = k.table_name
      where k.table_schema = ${schema} and k.referenced_table_name is not null ${named('k.table_name')}
      order by k.table_name, k.constraint_name, k.ordinal_position`),
    rowsOf<{ tbl: string; name: string; timing: string; event: string }>(db, sql`
      select event_object_table as tbl, trigger_name as name, action_timing as timing, event_manipulation as event
      from information_schema.triggers where event_object_schema = ${schema} ${named('event_object_table')}
      order by event_object_table, trigger_name`),
    rowsOf<{ tbl: string; name: string; expression: string | null }>(db, sql`
      select table_name as tbl, coalesce(subpartition_name, partition_name) as name, partition_expression as expression
      from information_schema.partitions where table_schema = ${schema} and partition_name is not null ${named('table_name')}
      order by table_name, partition_ordinal_position, subpartition_ordinal_position`),
  ]);

  const columnsOf = groupBy(columns, (c) => c.tbl);
  const indexRowsOf = groupBy(statistics, (s) => s.tbl);
  const fkRowsOf = groupBy(foreignKeys, (f) => f.tbl);
  const triggerRowsOf = groupBy(triggers, (t) => t.tbl);
  const partitionsOf = groupBy(partitions, (p) => p.tbl);
  const nameOf = (t: string) => (only?.schema ? `${only.schema}.${t}` : t);

  return tables.map((t) => {
    const indexes = [...groupBy(indexRowsOf.get(t.name) ?? [], (s) => s.name).values()].map((rows) => ({
      name: rows[0].name,
      columns: rows.map((r) => r.column_name ?? '(expression)'),
      unique: num(rows[0].non_unique) === 0,
      primary: rows[0].name === 'PRIMARY',
    }));
    const parts = partitionsOf.get(t.name) ?? [];
    return markUniqueColumns({
      name: nameOf(t.name),
      kind: /VIEW/.test(t.type) ? 'view' : 'table',
      columns: (columnsOf.get(t.name) ?? []).map(
        (c): ColumnInfo => ({
          name: c.name,
          type: c.column_type,
          family: FAMILIES[c.data_type.toLowerCase()] ?? 'other',
          nullable: c.nullable === 'YES',
          maxLength: c.max_length == null ? null : num(c.max_length),
          unique: false,
        }),
      ),
      primaryKey: indexes.find((i) => i.primary)?.columns ?? [],
      indexes,
      foreignKeys: [...groupBy(fkRowsOf.get(t.name) ?? [], (f) => f.name).values()].map((rows) => ({
        name: rows[0].name,
        columns: rows.map((r) => r.column_name),
        refTable: num(rows[0].same_schema) === 1 && !only?.schema ? rows[0].ref_table : `${rows[0].ref_schema}.${rows[0].ref_table}`,
        refColumns: rows.map((r) => r.ref_column),
        onDelete: normalizeOnDelete(rows[0].delete_rule),
      })),
      partitions: parts.map((p) => p.name),
      partitionKey: parts.length ? partitionColumns(parts[0].expression ?? '') : [],
      triggers: [...groupBy(triggerRowsOf.get(t.name) ?? [], (r) => r.name).values()].map((rows) => ({
        name: rows[0].name,
        timing: rows[0].timing.toUpperCase(),
        events: rows.map((r) => r.event.toUpperCase()),
      })),
      estimatedRows: num(t.estimated_rows),
    });
  });
}

function normalizeOnDelete(rule: string): OnDelete {
  const upper = rule.toUpperCase() as OnDelete;
  return ON_DELETE.has(upper) ? upper : 'NO ACTION';
}

/** `` `a`,`b` `` -> [a, b]; an expression such as `year(created_at)` is kept as written. */
function partitionColumns(expression: string): string[] {
  const ids = /^\s*`(?:[^`]|``)+`(?:\s*,\s*`(?:[^`]|``)+`)*\s*$/.test(expression)
    ? [...expression.matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1].replace(/``/g, '`'))
    : null;
  return ids ?? (expression ? [expression] : []);
}

async function rowsOf<T>(db: Kysely<any>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows as T[];
}
