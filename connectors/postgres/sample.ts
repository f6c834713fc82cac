// PostgreSQL sampling: TABLESAMPLE SYSTEM reads a few random pages, so the cost follows the sample, not the
// table. The percentage comes from the planner's row estimate; a small, never analyzed or badly estimated table
// falls back to a plain LIMIT.
import { sql } from 'kysely';
import type { Row } from '../connector.ts';
import { limitPick, type Picked, type SqlSampler } from '../sample-sql.ts';

/** Pages are sampled for about this many times the rows wanted: SYSTEM sampling returns a variable count. */
const OVERSAMPLE = 3;
/** Below this many estimated rows per wanted row, a LIMIT reads a good part of the table anyway. */
const SMALL_TABLE_FACTOR = 10;

export const postgresSampler: SqlSampler = {
  async pick(ctx, select, n, opts): Promise<Picked> {
    const estimate = ctx.info.estimatedRows;
    if (ctx.info.kind !== 'table' || estimate < n * SMALL_TABLE_FACTOR) return limitPick(ctx, select, n);
    const percent = Number(Math.min(100, (100 * n * OVERSAMPLE) / estimate).toPrecision(3));
    let rows: Row[];
    try {
      // random() order, so that the LIMIT keeps rows from every sampled page rather than the first ones; a repeatable
      // sample takes the same pages and orders them by a hash of where each row lies.
      rows = opts?.repeatable
        ? await ctx.rows(sql<Row>`select ${select} from ${ctx.from} tablesample system (${sql.lit(percent)}) repeatable (0) order by md5(ctid::text) limit ${sql.lit(n)}`)
        : await ctx.rows(sql<Row>`select ${select} from ${ctx.from} tablesample system (${sql.lit(percent)}) order by random() limit ${sql.lit(n)}`);
    } catch {
      // A foreign table whose wrapper cannot sample.
      const picked = await limitPick(ctx, select, n);
      return { ...picked, queries: picked.queries + 1 };
    }
    if (rows.length >= n) return { rows, method: `tablesample ${percent}%`, queries: 1 };
    // Fewer rows than the estimate promised (stale statistics, many dead rows): the plain LIMIT.
    const picked = await limitPick(ctx, select, n);
    return { ...picked, queries: picked.queries + 1 };
  },
};
