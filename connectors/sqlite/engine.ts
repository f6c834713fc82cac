// SQLite: one better-sqlite3 connection behind kysely. The catalog comes from sqlite_schema joined with the
// pragma table functions, so each part is one query for the whole file.
import { hexSalt } from '../sql-base.ts';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { SelectQueryNode, SqliteDialect, sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ColumnInfo, ConnectorConfig, OnDelete, TableInfo, TriggerInfo, TypeFamily } from '../connector.ts';
import {
  SqlConnectorBase,
  executorRows,
  groupBy,
  markUniqueColumns,
  rowValueAfter,
  type SqlConnectorOptions,
  type SqlEngine,
  type UpdateBatch,
} from '../sql-base.ts';
import { sqliteSampler } from './sample.ts';

export class SqliteConnector extends SqlConnectorBase {
  constructor(config: ConnectorConfig, options?: SqlConnectorOptions) {
    super(config, sqliteEngine, options);
  }
}

const INT64: readonly [bigint, bigint] = [-(1n << 63n), (1n << 63n) - 1n];
const ON_DELETE = new Set<OnDelete>(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);

export const sqliteEngine: SqlEngine = {
  sampler: sqliteSampler,

  // One connection (better-sqlite3 is synchronous): a stream holds it until it ends.
  concurrentStatements: false,
  // A writing transaction holds the database's one write lock: no other writer between its statements.
  rowLock: sql``,

  async createDialect(config) {
    if (!config.path) throw new Error('no path given for the SQLite file');
    const database = new Database(config.path, { fileMustExist: true, timeout: 5000 });
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 5000');
      // Declared ON DELETE actions only happen when the connection enforces foreign keys.
      database.pragma('foreign_keys = ON');
      database.function('dsar_digits', { deterministic: true }, (v: unknown) => (v == null ? null : String(v).replace(/\D+/g, '')));
      // SQLite's lower() folds ASCII only; identities are normalized with JavaScript's Unicode-aware lowercasing.
      database.function('dsar_lower', { deterministic: true }, (v: unknown) => (v == null ? null : String(v).toLowerCase()));
      // SQLite has no hash function: the extract's shuffled order (SqlConnector.shuffled) is computed here.
      database.function('dsar_shuffle', { deterministic: true }, (salt: unknown, v: unknown) =>
        v == null ? null : createHash('sha256').update(String(salt)).update('\u0000').update(Buffer.isBuffer(v) ? v : String(v)).digest('hex'),
      );
    } catch (err) {
      database.close();
      throw err;
    }
    return new SqliteDialect({ database });
  },

  describeTarget(config) {
    return config.path ?? 'sqlite (no path)';
  },

  introspect,

  tableRef: (table) => sql.id(table),

  normalized(expr, normalizer) {
    if (normalizer === 'lowercase-trim') return sql<string>`dsar_lower(trim(${expr}))`;
    if (normalizer === 'trim') return sql<string>`trim(${expr})`;
    return sql<string>`dsar_digits(${expr})`;
  },

  asText: (expr) => sql<string>`cast(${expr} as text)`,
  shuffled: (expr, salt) => sql<string>`dsar_shuffle(${sql.lit(hexSalt(salt))}, ${expr})`,
  concatText: (parts) => sql<string>`(${sql.join(parts, sql` || `)})`,
  quickOrder: (text, salt) => sql`dsar_shuffle(${sql.lit(hexSalt(salt))}, ${text})`,

  yearOf: (expr) => sql<number>`cast(strftime('%Y', ${expr}) as integer)`,

  olderThan(column, family, instant) {
    // Integer columns hold Unix seconds; text ones any format julianday() reads (ISO with T/Z or with a space).
    if (family === 'integer' || family === 'float') return sql<SqlBool>`${sql.id(column)} < ${Math.floor(instant.getTime() / 1000)}`;
    return sql<SqlBool>`julianday(${sql.id(column)}) < julianday(${instant.toISOString()})`;
  },

  toParam(value, family) {
    if (value instanceof Date) return family === 'date' ? value.toISOString().slice(0, 10) : sqliteTimestamp(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (family === 'integer' && typeof value === 'string' && /^-?\d+$/.test(value)) {
      return Number.isSafeInteger(Number(value)) ? Number(value) : BigInt(value);
    }
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
    return value;
  },

  integerBounds: () => INT64,

  keyAfter: rowValueAfter,

  keyIn(key, keys) {
    if (key.length === 1) return sql<SqlBool>`${sql.id(key[0])} in (${sql.join(keys.map((k) => k[0]))})`;
    // A row value IN needs a VALUES list or a subquery on its right in SQLite.
    const tuples = keys.map((k) => sql`(${sql.join([...k])})`);
    return sql<SqlBool>`(${sql.join(key.map((k) => sql.id(k)))}) in (values ${sql.join(tuples)})`;
  },

  updateFromValues({ table, key, setColumns, rows, where }: UpdateBatch) {
    const aliases = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
    const values = rows.map((row) => sql`(${sql.join(row)})`);
    const assignments = setColumns.map((c, i) => sql`${sql.id(c)} = ${sql.id('dsar_v', `c${i}`)}`);
    const match = key.map((k, i) => sql`${sql.id('dsar_t', k)} = ${sql.id('dsar_v', `k${i}`)}`);
    return sql`with ${sql.id('dsar_v')} (${sql.join(aliases.map((a) => sql.id(a)))}) as (values ${sql.join(values)})
      update ${table} as ${sql.id('dsar_t')} set ${sql.join(assignments)}
      from ${sql.id('dsar_v')} where ${sql.join(match, sql` and `)}${where ? sql` and (${where})` : sql``}`;
  },

  // Any type of value fits any column here: a date that julianday() cannot read is as good as none.
  emptyDate(column, family) {
    const c = sql.id(column);
    if (family === 'integer' || family === 'float') return sql<SqlBool>`${c} is null`;
    return sql<SqlBool>`${c} is null or julianday(${c}) is null`;
  },

  yearStart(expr, family) {
    // Dates are text here (or Unix seconds). Text keeps its shape: the year, `-01-01`, and every digit after the
    // date zeroed (`2021-07-04 10:11:12` -> `2021-01-01 00:00:00`), like the in-process generalize mask.
    let rest: RawBuilder<unknown> = sql`substr(${expr}, 11)`;
    for (const digit of '123456789') rest = sql`replace(${rest}, ${sql.lit(digit)}, '0')`;
    const text = family === 'date' ? sql`substr(${expr}, 1, 4) || '-01-01'` : sql`substr(${expr}, 1, 4) || '-01-01' || ${rest}`;
    return sql`case when typeof(${expr}) = 'integer' then cast(strftime('%s', ${expr}, 'unixepoch', 'start of year') as integer) when ${expr} is null then null else ${text} end`;
  },

  // A column declared COLLATE NOCASE would group `a` with `A`.
  exactText: (expr) => sql<string>`(${expr}) collate binary`,

  // kysely's SQLite driver streams only what it compiled from a select builder; a raw SELECT is the same statement.
  streamRows: (db, query, chunkSize) => executorRows(db, query, chunkSize, { ...query.compile(db), query: SelectQueryNode.create() }),
};

/** `YYYY-MM-DD HH:MM:SS[.SSS]` in UTC: the format of SQLite's own CURRENT_TIMESTAMP. */
function sqliteTimestamp(d: Date): string {
  const iso = d.toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return d.getUTCMilliseconds() ? `${base}${iso.slice(19, 23)}` : base;
}

const USER_OBJECTS = sql`m.type in ('table', 'view') and m.name not like 'sqlite\\_%' escape '\\'`;

async function introspect(db: Kysely<any>, table?: string): Promise<TableInfo[]> {
  const named = table === undefined ? sql`` : sql`and m.name = ${table}`;
  const [tables, columns, indexes, foreignKeys, triggers] = await Promise.all([
    rowsOf<{ name: string; type: string }>(db, sql`
      select m.name, m.type from sqlite_schema m where ${USER_OBJECTS} ${named} order by m.name`),
    rowsOf<{ tbl: string; name: string; type: string; notnull: number; pk: number }>(db, sql`
      select m.name as tbl, p.name, p.type, p."notnull" as "notnull", p.pk
      from sqlite_schema m join pragma_table_xinfo(m.name) p
      where ${USER_OBJECTS} and p.hidden <> 1 ${named} order by m.name, p.cid`),
    rowsOf<{ tbl: string; name: string; unique: number; origin: string; column_name: string | null }>(db, sql`
      select m.name as tbl, il.name, il."unique" as "unique", il.origin, ii.name as column_name
      from sqlite_schema m join pragma_index_list(m.name) il join pragma_index_info(il.name) ii
      where m.type = 'table' ${named} order by m.name, il.name, ii.seqno`),
    rowsOf<{ tbl: string; id: number; ref_table: string; from_column: string; to_column: string | null; on_delete: string }>(db, sql`
      select m.name as tbl, f.id, f."table" as ref_table, f."from" as from_column, f."to" as to_column, f.on_delete
      from sqlite_schema m join pragma_foreign_key_list(m.name) f
      where m.type = 'table' ${named} order by m.name, f.id, f.seq`),
    rowsOf<{ tbl: string; name: string; sql: string }>(db, sql`
      select m.tbl_name as tbl, m.name, m.sql from sqlite_schema m
      where m.type = 'trigger' ${table === undefined ? sql`` : sql`and m.tbl_name = ${table}`} order by m.tbl_name, m.name`),
  ]);

  const columnsOf = groupBy(columns, (c) => c.tbl);
  const indexRowsOf = groupBy(indexes, (i) => i.tbl);
  const fkRowsOf = groupBy(foreignKeys, (f) => f.tbl);
  const triggersOf = groupBy(triggers, (t) => t.tbl);
  const primaryKeyOf = (name: string) =>
    (columnsOf.get(name) ?? [])
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);

  return tables.map((t) => {
    const primaryKey = t.type === 'table' ? primaryKeyOf(t.name) : [];
    const indexes = [...groupBy(indexRowsOf.get(t.name) ?? [], (i) => i.name).values()].map((rows) => ({
      name: rows[0].name,
      columns: rows.map((r) => r.column_name ?? '(expression)'),
      unique: rows[0].unique === 1,
      primary: rows[0].origin === 'pk',
    }));
    // An INTEGER PRIMARY KEY is the rowid itself: indexed, but with no index of its own to list.
    if (primaryKey.length && !indexes.some((i) => i.primary)) indexes.unshift({ name: 'rowid', columns: primaryKey, unique: true, primary: true });
    return markUniqueColumns({
      name: t.name,
      kind: t.type === 'view' ? 'view' : 'table',
      columns: (columnsOf.get(t.name) ?? []).map(
        (c): ColumnInfo => ({
          name: c.name,
          type: c.type,
          family: familyOf(c.type),
          nullable: c.notnull === 0 && !(c.pk > 0 && /^integer$/i.test(c.type.trim())),
          maxLength: maxLengthOf(c.type),
          unique: false,
        }),
      ),
      primaryKey,
      indexes,
      foreignKeys: [...groupBy(fkRowsOf.get(t.name) ?? [], (f) => f.id).values()].map((rows) => ({
        name: `${t.name}_fk${rows[0].id}`,
        columns: rows.map((r) => r.from_column),
        refTable: rows[0].ref_table,
        // A foreign key naming no columns references the parent's primary key.
        refColumns: rows.every((r) => r.to_column) ? rows.map((r) => r.to_column as string) : primaryKeyOf(rows[0].ref_table),
        onDelete: normalizeOnDelete(rows[0].on_delete),
      })),
      partitions: [],
      partitionKey: [],
      triggers: (triggersOf.get(t.name) ?? []).map((tr) => triggerOf(tr.name, tr.sql)),
      estimatedRows: 0,
    });
  });
}

/** The declared type's family, by SQLite's affinity rules after the names they do not cover (dates, booleans). */
function familyOf(declared: string): TypeFamily {
  const t = declared.toUpperCase();
  if (/^(DATETIME|TIMESTAMP)/.test(t)) return 'timestamp';
  if (/^DATE\b/.test(t)) return 'date';
  if (/^TIME\b/.test(t)) return 'time';
  if (/^BOOL/.test(t)) return 'boolean';
  if (/^JSON/.test(t)) return 'json';
  if (/^UUID/.test(t)) return 'uuid';
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t.includes('BLOB')) return 'binary';
  if (/REAL|FLOA|DOUB/.test(t)) return 'float';
  if (/NUMERIC|DECIMAL/.test(t)) return 'decimal';
  return 'other';
}

function maxLengthOf(declared: string): number | null {
  const m = /^\s*(?:N?VAR)?CHAR(?:ACTER)?(?:\s+VARYING)?\s*\(\s*(\d+)\s*\)|^\s*(?:VAR)?BINARY\s*\(\s*(\d+)\s*\)/i.exec(declared);
  return m ? Number(m[1] ?? m[2]) : null;
}

function normalizeOnDelete(rule: string): OnDelete {
  const upper = rule.toUpperCase() as OnDelete;
  return ON_DELETE.has(upper) ? upper : 'NO ACTION';
}

const IDENTIFIER = String.raw`(?:"(?:[^"]|"")*"|\x60(?:[^\x60]|\x60\x60)*\x60|\[[^\]]*\]|[^\s."\x60\[]+)`;
const TRIGGER_HEAD = new RegExp(
  String.raw`^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})?\s*(BEFORE|AFTER|INSTEAD\s+OF)?\s*(INSERT|UPDATE|DELETE)\b`,
  'i',
);

/** Timing and event from the trigger's CREATE statement; SQLite defaults the timing to BEFORE. */
function triggerOf(name: string, createSql: string): TriggerInfo {
  const m = TRIGGER_HEAD.exec(createSql);
  if (!m) return { name, timing: 'BEFORE', events: [] };
  return { name, timing: (m[1] ?? 'BEFORE').toUpperCase().replace(/\s+/g, ' '), events: [m[2].toUpperCase()] };
}

async function rowsOf<T>(db: Kysely<any>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows as T[];
}
