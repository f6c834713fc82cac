// MySQL / MariaDB sampling: a keyset spread over an integer primary key (evenly spaced key ranges, one indexed
// statement for the bounds and one for the rows); a plain LIMIT for views and other keys.
import { sql } from 'kysely';
import { integerKey, limitPick, spreadPick, type SqlSampler } from '../sample-sql.ts';

export const mysqlSampler: SqlSampler = {
  pick(ctx, select, n) {
    const key = integerKey(ctx.info);
    return key ? spreadPick(ctx, select, n, sql.id(key)) : limitPick(ctx, select, n);
  },
};
