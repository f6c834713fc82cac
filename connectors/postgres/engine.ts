// PostgreSQL: pg Pool behind kysely. Catalog read from pg_catalog in five set-based queries; declared partitions
// are folded into their parent.
import { postgresReplication } from './replicas.ts';
import { hexSalt } from '../sql-base.ts';
import pg from 'pg';
import { pgTypes } from './types.ts';
import { PostgresDialect, sql, type Dialect, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ColumnInfo, ConnectorConfig, OnDelete, Row, TableInfo, TriggerInfo, TypeFamily } from '../connector.ts';
import {
  SESSION_WORK_MEMORY_BYTES,
  SqlConnectorBase,
  describeUrl,
  groupBy,
  integerBoundsOfType,
  markUniqueColumns,
  qualifiedRef,
  rowValueAfter,
  rowValueIn,
  splitQualified,
  withoutTypeModifier,
  type SqlConnectorOptions,
  type SqlEngine,
  type StreamContext,
  valuesOf,
  type UpdateBatch,
} from '../sql-base.ts';
import { copyRows, copyValues } from './copy.ts';
import { postgresSampler } from './sample.ts';
import { isPostgresLockConflict } from './errors.ts';

/** Each dialect's pool: COPY needs one of pg's own clients, which kysely does not hand out. */
const pools = new WeakMap<Dialect, pg.Pool>();

export class PostgresConnector extends SqlConnectorBase {
  constructor(config: ConnectorConfig, options?: SqlConnectorOptions) {
    super(config, postgresEngine, options);
  }
}

const FAMILIES: Record<string, TypeFamily> = {
  int2: 'integer', int4: 'integer', int8: 'integer',
  numeric: 'decimal', money: 'decimal',
  float4: 'float', float8: 'float',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp', timestamptz: 'timestamp',
  time: 'time', timetz: 'time',
  bytea: 'binary',
  json: 'json', jsonb: 'json',
  uuid: 'uuid',
  inet: 'inet', cidr: 'inet',
  text: 'text', varchar: 'text', bpchar: 'text', citext: 'text', name: 'text', char: 'text',
};

/** Names each streamRows cursor, so that two streams in one transaction never collide. */
let cursors = 0;

const ON_DELETE: Record<string, OnDelete> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };


export const postgresEngine: SqlEngine = {
  sampler: postgresSampler,
  replication: postgresReplication,
  lockConflict: isPostgresLockConflict,

  async createDialect(config) {
    const pool = new pg.Pool({
      connectionString: config.url,
      application_name: 'dsar',
      connectionTimeoutMillis: 5000,
      max: 4,
      types: pgTypes,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    // Nor a client in use (pg-pool listens only while it is idle): its query in flight rejects with the error.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      // Queued ahead of the client's first statement. Dates print as ISO whatever the server's DateStyle: pg parses
      // ISO only, and an extract's dates as text (prefix ladders, raw values) must read alike on every server.
      // One statement: pg warns when a second query is queued on a client that is already running one.
      client
        .query(
          `select set_config('datestyle', 'ISO, MDY', false),
            set_config('work_mem', (greatest(pg_size_bytes(current_setting('work_mem')), ${SESSION_WORK_MEMORY_BYTES}) / 1024)::bigint || 'kB', false)`,
        )
        .catch(() => undefined);
    });
    const dialect = new PostgresDialect({ pool });
    pools.set(dialect, pool);
    return dialect;
  },

  describeTarget(config) {
    return describeUrl(config.url, 'postgres');
  },

  introspect,

  tableRef: qualifiedRef,

  normalized(expr, normalizer) {
    if (normalizer === 'lowercase-trim') return sql<string>`lower(trim(${expr}))`;
    if (normalizer === 'trim') return sql<string>`trim(${expr})`;
    return sql<string>`regexp_replace(${expr}, '[^0-9]', '', 'g')`;
  },

  asText: (expr) => sql<string>`cast(${expr} as text)`,
  shuffled: (expr, salt) => sql<string>`md5(${sql.lit(hexSalt(salt))} || cast(${expr} as text))`,
  concatText: (parts) => sql<string>`(${sql.join(parts, sql` || `)})`,
  // The salt's first 60 bits as the hash's seed (a whole number of at most 15 hex digits: safe to inline).
  quickOrder: (text, salt) => sql`hashtextextended(${text}, ${sql.raw(BigInt('0x' + hexSalt(salt).slice(0, 15)).toString())})`,

  yearOf: (expr) => sql<number>`cast(extract(year from ${expr}) as integer)`,

  olderThan(column, family, instant) {
    if (family === 'text') return sql<SqlBool>`nullif(${sql.id(column)}, '')::timestamptz < ${instant}`;
    return sql<SqlBool>`${sql.id(column)} < ${instant}`;
  },

  toParam(value, family) {
    // pg would send a JS array as a PostgreSQL array literal; a json column wants JSON text.
    if (family === 'json' && value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
      return JSON.stringify(value);
    }
    return value;
  },

  integerBounds: (column) => integerBoundsOfType(column.type),

  keyAfter: rowValueAfter,

  keyIn: rowValueIn,

  updateFromValues({ table, info, key, setColumns, rows, where }: UpdateBatch) {
    // Casting every value to its column's type (without a length, which would silently truncate) lets
    // PostgreSQL type the VALUES list and use the key's index.
    const casts = [...key, ...setColumns].map((name) => sql.raw(withoutTypeModifier(columnType(info, name))));
    const aliases = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
    const values = rows.map((row) => sql`(${sql.join(row.map((v, i) => sql`cast(${v} as ${casts[i]})`))})`);
    const assignments = setColumns.map((c, i) => sql`${sql.id(c)} = ${sql.id('dsar_v', `c${i}`)}`);
    const match = key.map((k, i) => sql`${sql.id('dsar_t', k)} = ${sql.id('dsar_v', `k${i}`)}`);
    return sql`update ${table} as ${sql.id('dsar_t')} set ${sql.join(assignments)}
      from (values ${sql.join(values)}) as ${sql.id('dsar_v')} (${sql.join(aliases.map((a) => sql.id(a)))})
      where ${sql.join(match, sql` and `)}${where ? sql` and (${where})` : sql``}`;
  },

  updateFromColumns({ table, info, key, setColumns, rows, where }: UpdateBatch) {
    // One array per column, unnested back into rows: a few bound values whatever the number of rows.
    const names = [...key, ...setColumns];
    const arrays = names.map((name, i) => sql`cast(${rows.map((r) => r[i])} as ${sql.raw(withoutTypeModifier(columnType(info, name)))}[])`);
    const aliases = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
    const assignments = setColumns.map((c, i) => sql`${sql.id(c)} = ${sql.id('dsar_v', `c${i}`)}`);
    const match = key.map((k, i) => sql`${sql.id('dsar_t', k)} = ${sql.id('dsar_v', `k${i}`)}`);
    return sql`update ${table} as ${sql.id('dsar_t')} set ${sql.join(assignments)}
      from unnest(${sql.join(arrays)}) as ${sql.id('dsar_v')} (${sql.join(aliases.map((a) => sql.id(a)))})
      where ${sql.join(match, sql` and `)}${where ? sql` and (${where})` : sql``}`;
  },

  // date_trunc works in the session's time zone, as PostgreSQL reads and writes timestamptz values.
  yearStart: (expr, family) => (family === 'date' ? sql`cast(date_trunc('year', ${expr}) as date)` : sql`date_trunc('year', ${expr})`),

  // Byte order and equality, whatever the database's default collation.
  exactText: (expr) => sql<string>`(${expr}) collate "C"`,

  // A timestamptz prints with its offset: one text per instant.
  familiesGroupedByValue: ['date', 'timestamp', 'time'],

  // Outside a transaction, a statement without bound values streams through COPY (postgres/copy.ts: no round trip
  // per chunk, and cheaper to parse); COPY takes no parameters, and a transaction's rows must come from its own
  // connection, which kysely does not expose: then a cursor. Outside a caller's transaction, both open a read-only one.
  streamRows(db, query, chunkSize, ctx) {
    return viaCopyOrCursor(db, query, ctx, (client, text) => copyRows(client, text, chunkSize), () => cursorStream(db, query, chunkSize));
  },

  streamValues(db, query, chunkSize, ctx) {
    return viaCopyOrCursor(db, query, ctx, (client, text) => copyValues(client, text, chunkSize), () => valuesOf(cursorStream(db, query, chunkSize)));
  },
};

async function* viaCopyOrCursor<T>(
  db: Kysely<any>,
  query: RawBuilder<Row>,
  ctx: StreamContext,
  copy: (client: pg.ClientBase, text: string) => AsyncIterable<T[]>,
  cursor: () => AsyncIterable<T[]>,
): AsyncIterable<T[]> {
  const pool = pools.get(ctx.dialect);
  const compiled = query.compile(db);
  if (pool && !db.isTransaction && compiled.parameters.length === 0) yield* copyStream(pool, compiled.sql, ctx, copy);
  else yield* cursor();
}

async function* copyStream<T>(pool: pg.Pool, text: string, ctx: StreamContext, copy: (client: pg.ClientBase, text: string) => AsyncIterable<T[]>): AsyncIterable<T[]> {
  const client = await pool.connect();
  const started = performance.now();
  let complete = false;
  try {
    await client.query('begin read only');
    yield* copy(client, text);
    await client.query('commit');
    complete = true;
  } finally {
    // A COPY stopped early is still on the wire (and its transaction open): that connection cannot serve another.
    client.release(complete ? undefined : new Error('stream stopped before its end'));
    ctx.logQuery(text, performance.now() - started);
  }
}

/**
 * DECLARE ... FETCH in a read-only transaction (pg-cursor is not a dependency). The next FETCH is sent before a
 * chunk is handed over, so the server reads and sends it while the caller works: two chunks in memory at most.
 */
async function* cursorStream(db: Kysely<any>, query: RawBuilder<Row>, chunkSize: number): AsyncIterable<Row[]> {
  const cursor = sql.id(`dsar_stream_${++cursors}`);
  const trx = db.isTransaction ? undefined : await db.startTransaction().setAccessMode('read only').execute();
  const conn: Kysely<any> = trx ?? db;
  const fetch = () => {
    const p = sql<Row>`fetch forward ${sql.lit(chunkSize)} from ${cursor}`.execute(conn);
    p.catch(() => undefined); // awaited below; a caller that stops early must not leave it unhandled
    return p;
  };
  let finished = false;
  let inFlight: Promise<{ rows: Row[] }> | undefined;
  try {
    await sql`declare ${cursor} no scroll cursor for ${query}`.execute(conn);
    for (let pending = (inFlight = fetch()); ; ) {
      const { rows } = await pending;
      // A short chunk is the last one: no round trip to learn that.
      const more = rows.length === chunkSize;
      inFlight = more ? (pending = fetch()) : undefined;
      if (rows.length) yield rows;
      if (!more) break;
    }
    finished = true;
  } finally {
    if (inFlight) await inFlight.catch(() => undefined);
    if (trx) await (finished ? trx.commit() : trx.rollback()).execute();
    else await sql`close ${cursor}`.execute(conn).catch(() => undefined);
  }
}

function columnType(info: TableInfo, name: string): string {
  const col = info.columns.find((c) => c.name === name);
  if (!col) throw new Error(`no column ${name} in ${info.name}`);
  return col.type;
}

interface RelationRow {
  oid: number;
  name: string;
  kind: string;
  estimated_rows: number;
}

async function introspect(db: Kysely<any>, table?: string): Promise<TableInfo[]> {
  const only = table === undefined ? undefined : splitQualified(table);
  const filter = only ? sql`and n.nspname = coalesce(${only.schema}::text, current_schema()) and c.relname = ${only.name}` : sql``;
  // Tables outside the default schema are named `schema.table`; partitions and extension-owned tables are left out.
  const relations = await rowsOf<RelationRow>(db, sql`
    select c.oid, case when n.nspname = current_schema() then c.relname::text else n.nspname || '.' || c.relname end as name,
      c.relkind as kind,
      greatest(case when c.relkind = 'p' then (
        select coalesce(sum(greatest(pc.reltuples, 0)), 0) from pg_partition_tree(c.oid) pt join pg_class pc on pc.oid = pt.relid where pt.isleaf
      ) else c.reltuples end, 0)::float8 as estimated_rows
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      ${filter}
    order by 2`);
  if (!relations.length) return [];
  const oids = relations.map((r) => r.oid);
  const partitioned = relations.filter((r) => r.kind === 'p').map((r) => r.oid);

  const [columns, indexes, foreignKeys, triggers, partitions, partitionKeys] = await Promise.all([
    rowsOf<{ oid: number; name: string; type: string; base_type: string; nullable: boolean; max_length: number | null }>(db, sql`
      select a.attrelid as oid, a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
        coalesce(bt.typname, t.typname)::text as base_type,
        not (a.attnotnull or t.typnotnull) as nullable,
        case when coalesce(bt.typname, t.typname) in ('varchar', 'bpchar')
          then nullif(greatest(case when a.atttypmod > 0 then a.atttypmod else t.typtypmod end - 4, -1), -1) end as max_length
      from pg_attribute a join pg_type t on t.oid = a.atttypid left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
      where a.attrelid = any(${oids}::oid[]) and a.attnum > 0 and not a.attisdropped
      order by a.attrelid, a.attnum`),
    rowsOf<{ oid: number; name: string; unique: boolean; primary: boolean; columns: string[] }>(db, sql`
      select i.indrelid as oid, ic.relname::text as name, i.indisunique as unique, i.indisprimary as primary,
        array(select coalesce(a.attname::text, pg_get_indexdef(i.indexrelid, k.n::int, true))
              from unnest(i.indkey::int2[]) with ordinality k(attnum, n)
              left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
              where k.n <= i.indnkeyatts order by k.n) as columns
      from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = any(${oids}::oid[])
      order by i.indrelid, ic.relname`),
    rowsOf<{ oid: number; name: string; on_delete: string; ref_table: string; columns: string[]; ref_columns: string[] }>(db, sql`
      select con.conrelid as oid, con.conname::text as name, con.confdeltype as on_delete,
        case when rn.nspname = current_schema() then rr.relname::text else rn.nspname || '.' || rr.relname end as ref_table,
        array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, n)
              join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.n) as columns,
        array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, n)
              join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.n) as ref_columns
      from pg_constraint con
      join pg_class rc on rc.oid = con.confrelid
      join pg_class rr on rr.oid = case when rc.relispartition then pg_partition_root(rc.oid) else rc.oid end
      join pg_namespace rn on rn.oid = rr.relnamespace
      where con.contype = 'f' and con.conrelid = any(${oids}::oid[]) and con.conparentid = 0
      order by con.conrelid, con.conname`),
    rowsOf<{ oid: number; name: string; type: number }>(db, sql`
      select t.tgrelid as oid, t.tgname::text as name, t.tgtype::int as type
      from pg_trigger t where t.tgrelid = any(${oids}::oid[]) and not t.tgisinternal
      order by t.tgrelid, t.tgname`),
    partitioned.length
      ? rowsOf<{ oid: number; name: string }>(db, sql`
        select p.oid, case when n.nspname = current_schema() then c.relname::text else n.nspname || '.' || c.relname end as name
        from unnest(${partitioned}::oid[]) p(oid) cross join lateral pg_partition_tree(p.oid) pt
        join pg_class c on c.oid = pt.relid join pg_namespace n on n.oid = c.relnamespace
        where pt.relid <> p.oid
        order by p.oid, pt.level, 2`)
      : [],
    partitioned.length
      ? rowsOf<{ oid: number; name: string }>(db, sql`
        select pt.partrelid as oid, coalesce(a.attname::text, '(expression)') as name
        from pg_partitioned_table pt cross join lateral unnest(pt.partattrs::int2[]) with ordinality k(attnum, n)
        left join pg_attribute a on a.attrelid = pt.partrelid and a.attnum = k.attnum
        where pt.partrelid = any(${partitioned}::oid[])
        order by pt.partrelid, k.n`)
      : [],
  ]);

  const byOid = <T extends { oid: number }>(rows: T[]) => groupBy(rows, (r) => r.oid);
  const columnsOf = byOid(columns);
  const indexesOf = byOid(indexes);
  const fksOf = byOid(foreignKeys);
  const triggersOf = byOid(triggers);
  const partitionsOf = byOid(partitions);
  const partitionKeyOf = byOid(partitionKeys);

  return relations.map((r) => {
    const idx = (indexesOf.get(r.oid) ?? []).map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, primary: i.primary }));
    return markUniqueColumns({
      name: r.name,
      kind: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table',
      columns: (columnsOf.get(r.oid) ?? []).map(
        (c): ColumnInfo => ({
          name: c.name,
          type: c.type,
          family: familyOf(c.base_type, c.type),
          nullable: c.nullable,
          maxLength: c.max_length,
          unique: false,
        }),
      ),
      primaryKey: idx.find((i) => i.primary)?.columns ?? [],
      indexes: idx,
      foreignKeys: (fksOf.get(r.oid) ?? []).map((f) => ({
        name: f.name,
        columns: f.columns,
        refTable: f.ref_table,
        refColumns: f.ref_columns,
        onDelete: ON_DELETE[f.on_delete] ?? 'NO ACTION',
      })),
      partitions: (partitionsOf.get(r.oid) ?? []).map((p) => p.name),
      partitionKey: (partitionKeyOf.get(r.oid) ?? []).map((p) => p.name),
      triggers: (triggersOf.get(r.oid) ?? []).map((t) => triggerOf(t.name, t.type)),
      estimatedRows: Math.round(r.estimated_rows),
    });
  });
}

function familyOf(baseType: string, type: string): TypeFamily {
  if (type.endsWith('[]')) return 'other';
  return FAMILIES[baseType] ?? 'other';
}

/** pg_trigger.tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of. */
function triggerOf(name: string, type: number): TriggerInfo {
  const timing = type & 2 ? 'BEFORE' : type & 64 ? 'INSTEAD OF' : 'AFTER';
  const events = (
    [
      [4, 'INSERT'],
      [16, 'UPDATE'],
      [8, 'DELETE'],
      [32, 'TRUNCATE'],
    ] as const
  )
    .filter(([bit]) => type & bit)
    .map(([, event]) => event);
  return { name, timing, events };
}

async function rowsOf<T>(db: Kysely<any>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows as T[];
}
