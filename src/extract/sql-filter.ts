// Which source rows an extract reads, as one SQL condition: the data map's `where:` and the exclusion of opted-out
// subjects (by the raw identity values found to hash to an opt-out, see optout-values.ts).
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlConnector, TypeFamily } from '../../connectors/connector.ts';
import type { ExtractDef } from '../datamap/types.ts';
import type { ExcludedValues } from './optout-values.ts';

/** Bound values per NOT IN list; several lists share one statement, far under every engine's parameter limit. */
const NOT_IN_CHUNK = 1000;
/** Most excluded values one statement carries (SQLite allows 32,766 bound values). */
export const MAX_EXCLUDED_VALUES = 30_000;

export function filterSql(
  c: SqlConnector,
  where: ExtractDef['where'],
  excluded: ExcludedValues,
  familyOf: (column: string) => TypeFamily,
): RawBuilder<SqlBool> | undefined {
  const conditions: RawBuilder<SqlBool>[] = where.map((w) => conditionSql(c, w, familyOf(w.column)));
  for (const [column, values] of excluded) {
    if (!values.length) continue;
    const family = familyOf(column);
    const lists = chunks(values, NOT_IN_CHUNK).map((part) => sql`${sql.id(column)} not in (${sql.join(part.map((v) => c.toParam(v, family)))})`);
    // NOT IN is unknown for NULL: a row without this identity is not opted out by it.
    conditions.push(sql<SqlBool>`(${sql.id(column)} is null or (${sql.join(lists, sql` and `)}))`);
  }
  return conditions.length ? sql<SqlBool>`${sql.join(conditions.map((x) => sql`(${x})`), sql` and `)}` : undefined;
}

function conditionSql(c: SqlConnector, w: ExtractDef['where'][number], family: TypeFamily): RawBuilder<SqlBool> {
  const col = sql.id(w.column);
  const param = (v: unknown) => c.toParam(v, family);
  switch (w.op) {
    case 'is null':
      return sql<SqlBool>`${col} is null`;
    case 'is not null':
      return sql<SqlBool>`${col} is not null`;
    case 'in': {
      const values = Array.isArray(w.value) ? w.value : [w.value];
      return values.length ? sql<SqlBool>`${col} in (${sql.join(values.map(param))})` : sql<SqlBool>`1 = 0`;
    }
    case '!=':
      return sql<SqlBool>`${col} <> ${param(w.value)}`;
    default:
      return sql<SqlBool>`${col} ${sql.raw(w.op)} ${param(w.value)}`;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
