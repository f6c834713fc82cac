// SQLite sampling: a keyset spread over the integer primary key, or over the rowid of a table without a primary
// key (a table WITHOUT ROWID always has one); a plain LIMIT for views and other keys.
import { sql } from 'kysely';
import { integerKey, limitPick, spreadPick, type SqlSampler } from '../sample-sql.ts';

export const sqliteSampler: SqlSampler = {
  pick(ctx, select, n) {
    const key = integerKey(ctx.info);
    if (key) return spreadPick(ctx, select, n, sql.id(key));
    if (ctx.info.kind === 'table' && ctx.info.primaryKey.length === 0) return spreadPick(ctx, select, n, sql`rowid`);
    return limitPick(ctx, select, n);
  },
};
