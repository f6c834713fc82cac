// PostgreSQL sampling: TABLESAMPLE SYSTEM reads a few random pages, so the cost follows the sample, not the
// table. The percentage comes from the planner's row estimate; a small, never analyzed or badly estimated table
// falls back to a plain LIMIT. A keyless full scan reads through a cursor.
import { sql, type RawBuilder } from 'kysely';
import type { Row } from './connector.ts';
import { limitPick, type Picked, type SampleContext, type SqlSampler } from './sample-sql.ts';

/** Pages are sampled for about this many times the rows wanted: SYSTEM sampling returns a variable count. */
const OVERSAMPLE = 3;
/** Below this many estimated rows per wanted row, a LIMIT reads a good part of the table anyway. */
const SMALL_TABLE_FACTOR = 10;

export const postgresSampler: SqlSampler = {
  async pick(ctx, select, n): Promise<Picked> {
    const estimate = ctx.info.estimatedRows;
    if (ctx.info.kind !== 'table' || estimate < n * SMALL_TABLE_FACTOR) return limitPick(ctx, select, n);
    const percent = Number(Math.min(100, (100 * n * OVERSAMPLE) / estimate).toPrecision(3));
    let rows: Row[];
    try {
      // random() order, so that the LIMIT keeps rows from every sampled page rather than the first ones.
      rows = await ctx.rows(sql<Row>`select ${select} from ${ctx.from} tablesample system (${sql.lit(percent)}) order by random() limit ${sql.lit(n)}`);
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

  streamAll(ctx, select, size) {
    return pull<Row[]>(async (emit) => {
      try {
        await ctx.db.transaction().execute(async (trx) => {
          await sql`declare dsar_sample no scroll cursor for select ${select} from ${ctx.from}`.execute(trx);
          for (;;) {
            const { rows } = await sql<Row>`fetch forward ${sql.lit(size)} from dsar_sample`.execute(trx);
            if (!rows.length) return;
            await emit(rows);
          }
        });
      } catch (err) {
        if (err !== STOPPED) throw ctx.fail(err);
      }
    });
  },
};

const STOPPED = Symbol('consumer stopped');

/**
 * Turns a producer that pushes items (from inside a transaction callback) into an async iterable. Each push waits
 * until the consumer asks for the next item; when the consumer stops early, the push throws, ending the producer.
 */
async function* pull<T>(produce: (emit: (item: T) => Promise<void>) => Promise<void>): AsyncGenerator<T> {
  let wake: (() => void) | undefined;
  let pending: { item: T; taken: () => void } | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const done = produce(
    (item) =>
      new Promise<void>((taken, reject) => {
        if (stopped) return reject(STOPPED);
        pending = { item, taken: () => (stopped ? reject(STOPPED) : taken()) };
        signal();
      }),
  ).then(
    () => {
      finished = true;
      signal();
    },
    (error) => {
      failure = { error };
      finished = true;
      signal();
    },
  );
  try {
    for (;;) {
      if (!pending && !finished) await new Promise<void>((resolve) => (wake = resolve));
      if (pending) {
        const { item, taken } = pending;
        pending = undefined;
        yield item;
        taken();
        continue;
      }
      if (failure) throw failure.error;
      return;
    }
  } finally {
    if (!finished) {
      stopped = true;
      const p = pending;
      pending = undefined;
      p?.taken();
      await done;
    }
  }
}

export type { RawBuilder };
