// Sampling an SQL table, the part every engine shares: which columns, the plain-LIMIT fallback, the keyset spread
// (MySQL, SQLite) and `--full` (keyset batches, or the connector's row stream for a table without key). Each
// engine's sampler (postgres/sample.ts, mysql/sample.ts, sqlite/sample.ts) decides how rows are picked; the cost
// of a sample never grows with the table.
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { BatchOptions, Row, SampleChunk, SampleOptions, TableInfo } from './connector.ts';

export interface SampleContext {
  db: Kysely<any>;
  info: TableInfo;
  /** The table as quoted SQL. */
  from: RawBuilder<unknown>;
  /** Runs one statement; a failure names the system and table. */
  rows(query: RawBuilder<Row>): Promise<Row[]>;
  /** The connector's keyset batches of this table. */
  batches(key: readonly string[], opts: BatchOptions): AsyncIterable<Row[]>;
  /** Every row of one SELECT in chunks, from one statement (the connector's streamRows). */
  stream(query: RawBuilder<Row>, size: number): AsyncIterable<Row[]>;
}

/** Rows a sampler picked, how, and in how many statements. */
export interface Picked {
  rows: Row[];
  method: string;
  queries: number;
}

/** How one engine samples. */
export interface SqlSampler {
  /** About `n` rows from across the table, each holding `select`; a few statements whatever the table's size. */
  pick(ctx: SampleContext, select: RawBuilder<unknown>, n: number, opts?: { repeatable?: boolean }): Promise<Picked>;
}

/** Rows per chunk of a full scan. */
export const FULL_CHUNK = 1000;

/** The sample as the Connector interface gives it: the sampler's pick, or with `full` every row in chunks. */
export async function* sampleTable(
  ctx: SampleContext,
  sampler: SqlSampler,
  columns: readonly string[],
  n: number,
  opts: SampleOptions,
): AsyncIterable<SampleChunk> {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`sample size must be a positive integer, got ${n}`);
  const key = ctx.info.primaryKey;
  const wanted = [...new Set([...key, ...columns])];
  const select = sql.join(wanted.map((c) => sql.id(c)));
  if (!opts.full) {
    const picked = await sampler.pick(ctx, select, n, { repeatable: opts.repeatable });
    yield { rows: picked.rows, key, method: picked.method, rowsRead: picked.rows.length, queries: picked.queries };
    return;
  }
  if (key.length) {
    // Keyset batches: the last one is short, or an extra empty statement says the table has ended.
    let last = FULL_CHUNK;
    for await (const rows of ctx.batches(key, { batchSize: FULL_CHUNK, columns: wanted })) {
      last = rows.length;
      yield { rows, key, method: 'full', rowsRead: rows.length, queries: 1 };
    }
    if (last === FULL_CHUNK) yield { rows: [], key, method: 'full', rowsRead: 0, queries: 1 };
    return;
  }
  // No key to page by (a view, a keyless table): one streamed statement.
  let queries = 1;
  for await (const rows of ctx.stream(sql<Row>`select ${select} from ${ctx.from}`, FULL_CHUNK)) {
    yield { rows, key, method: 'full', rowsRead: rows.length, queries };
    queries = 0; // one statement for the whole stream
  }
  if (queries) yield { rows: [], key, method: 'full', rowsRead: 0, queries };
}

/** The first `n` rows the engine returns: the fallback when there is nothing better to spread over. */
export async function limitPick(ctx: SampleContext, select: RawBuilder<unknown>, n: number): Promise<Picked> {
  return { rows: await ctx.rows(sql<Row>`select ${select} from ${ctx.from} limit ${sql.lit(n)}`), method: 'limit', queries: 1 };
}

/** Key ranges a spread sample reads. */
const SPREAD_PARTS = 20;

/**
 * A keyset-spread sample over an integer key: the key's min and max (one indexed statement), then `SPREAD_PARTS`
 * evenly spaced starting points, each reading the next n/parts rows in key order, all in one UNION ALL. Gaps in
 * the key only make a part start later; parts that overlap are counted once.
 */
export async function spreadPick(ctx: SampleContext, select: RawBuilder<unknown>, n: number, key: RawBuilder<unknown>): Promise<Picked> {
  // The catalog says the table is small: a LIMIT reads all of it, no bounds needed (0 means "not known").
  if (ctx.info.estimatedRows > 0 && ctx.info.estimatedRows <= n) return limitPick(ctx, select, n);
  const [bounds] = await ctx.rows(sql<Row>`select min(${key}) as lo, max(${key}) as hi from ${ctx.from}`);
  const lo = bigintOf(bounds?.lo);
  const hi = bigintOf(bounds?.hi);
  if (lo === undefined || hi === undefined) return { rows: [], method: 'keyset spread', queries: 1 };
  const span = hi - lo + 1n;
  if (span <= BigInt(n) * 2n) {
    // Few distinct keys: the whole table is about n rows, a LIMIT reads it as cheaply.
    const picked = await limitPick(ctx, select, n);
    return { ...picked, queries: picked.queries + 1 };
  }
  const per = Math.ceil(n / SPREAD_PARTS);
  const parts = Array.from({ length: SPREAD_PARTS }, (_, i) => {
    const start = lo + (span * BigInt(i)) / BigInt(SPREAD_PARTS);
    const from: RawBuilder<SqlBool> = sql<SqlBool>`${key} >= ${Number.isSafeInteger(Number(start)) ? Number(start) : String(start)}`;
    return sql`select * from (select ${select} from ${ctx.from} where ${from} order by ${key} limit ${sql.lit(per)}) as ${sql.id(`dsar_part${i}`)}`;
  });
  const rows = await ctx.rows(sql<Row>`${sql.join(parts, sql` union all `)}`);
  return { rows: distinctRows(rows, ctx.info.primaryKey).slice(0, n), method: `keyset spread (${SPREAD_PARTS} ranges)`, queries: 2 };
}

function bigintOf(value: unknown): bigint | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return value;
  const text = String(value);
  return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
}

/** Rows with distinct keys, first seen kept (parts of a spread overlap where the key has gaps). */
function distinctRows(rows: Row[], key: readonly string[]): Row[] {
  if (!key.length) return rows;
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = JSON.stringify(key.map((c) => String(r[c])));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The single integer primary-key column, if the table has one. */
export function integerKey(info: TableInfo): string | undefined {
  if (info.kind !== 'table' || info.primaryKey.length !== 1) return undefined;
  const column = info.columns.find((c) => c.name === info.primaryKey[0]);
  return column?.family === 'integer' ? column.name : undefined;
}
