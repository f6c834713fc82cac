// The SQL pieces of one table's sweep, built once: which rows have expired, which are held, which a key range
// holds, which are still referenced, which are not yet at their masked values, and the SET list that masks them.
// Everything engine-specific comes from the connector (olderThan, keyAfter, yearStart, tableRef); the rest is
// SQL every engine speaks.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ColumnInfo, KeyValues, SqlConnector, TableInfo, TypeFamily } from '../../connectors/connector.ts';
import { REDACTED_MARKERS } from '../masking/redact.ts';
import { columnInfo, type ReferenceEdge } from './fk-order.ts';
import type { TableSweep } from './sweep-plan.ts';
import type { PreparedMask } from './sweep-masks.ts';

export type Condition = RawBuilder<SqlBool>;

const TRUE: Condition = sql<SqlBool>`1 = 1`;

export function and(...parts: Array<Condition | undefined>): Condition {
  const present = parts.filter((p): p is Condition => p !== undefined);
  if (!present.length) return TRUE;
  return present.length === 1 ? present[0] : sql<SqlBool>`${sql.join(present.map((p) => sql`(${p})`), sql` and `)}`;
}

export function or(parts: Condition[]): Condition | undefined {
  if (!parts.length) return undefined;
  return parts.length === 1 ? parts[0] : sql<SqlBool>`(${sql.join(parts.map((p) => sql`(${p})`), sql` or `)})`;
}

export function not(part: Condition): Condition {
  return sql<SqlBool>`not (${part})`;
}

/** A reference into the table, checked in SQL because the referencing table lives in the same system. */
export interface LocalReference {
  edge: ReferenceEdge;
  /** The child table's live name in the system. */
  childTable: string;
  /** In a dry run nothing is deleted: the child's rows that this sweep would delete first do not count. */
  childDeletedFirst?: TableSweep;
  childAfterFamily?: TypeFamily;
}

/** Keys after `after` (exclusive) up to `through` (inclusive); an open end when not given. */
export interface KeyRange {
  after?: KeyValues;
  through?: KeyValues;
}

export class SqlTerms {
  readonly ref: RawBuilder<unknown>;
  readonly keyFamilies: TypeFamily[];
  readonly afterColumn: ColumnInfo;
  readonly expired: Condition;
  readonly nullDate: Condition;
  readonly held: Condition | undefined;

  constructor(
    readonly c: SqlConnector,
    readonly info: TableInfo,
    readonly plan: TableSweep,
    heldKeys: readonly KeyValues[],
    readonly masks: readonly PreparedMask[],
    /** Only this key range of the table (a distributed sweep's share): every count and change stays inside it. */
    scope?: KeyRange,
  ) {
    this.ref = c.tableRef(plan.table);
    this.keyFamilies = plan.key.map((k) => columnInfo(info, k)!.family);
    this.afterColumn = columnInfo(info, plan.rule.after)!;
    const inScope = scope && this.range(scope.after, scope.through);
    this.expired = and(c.olderThan(this.afterColumn.name, this.afterColumn.family, plan.cutoff), inScope);
    this.nullDate = and(c.emptyDate(this.afterColumn.name, this.afterColumn.family), inScope);
    this.held = heldKeys.length ? this.keyIn(heldKeys) : undefined;
  }

  /** Expired rows that no hold protects, within `range`. */
  live(range?: Condition): Condition {
    return and(range, this.expired, this.held && not(this.held));
  }

  /** Rows whose key is one of `keys` (raw values; bound here with the key columns' types). */
  keyIn(keys: readonly KeyValues[]): Condition {
    const bound = keys.map((k) => k.map((v, i) => this.c.toParam(v, this.keyFamilies[i])));
    const cols = this.plan.key.map((k) => sql.id(k));
    if (cols.length === 1) return sql<SqlBool>`${cols[0]} in (${sql.join(bound.map((k) => k[0]))})`;
    return or(bound.map((k) => and(...cols.map((col, i) => sql<SqlBool>`${col} = ${k[i]}`))))!;
  }

  /** Rows with a key after `last` and up to `hi` (either end open when not given). */
  range(last: KeyValues | undefined, hi: KeyValues | undefined): Condition {
    const after = (k: KeyValues) => this.c.keyAfter(this.plan.key, k.map((v, i) => this.c.toParam(v, this.keyFamilies[i])));
    return and(last && after(last), hi && not(after(hi)));
  }

  /** Rows referenced through any of `refs`. The table is named in full inside, so the child may be the table itself. */
  referenced(refs: readonly LocalReference[]): Condition | undefined {
    return or(
      refs.map((r) => {
        const child = sql.id('dsar_c');
        const match = r.edge.childColumns.map((cc, i) => sql`${sql.id('dsar_c', cc)} = ${this.ref}.${sql.id(r.edge.parentColumns[i])}`);
        // A child row that this sweep deletes before this table (a dry run changes nothing, so it is discounted here).
        // (CASE, not NOT: a NULL date is not expired, and NOT NULL would drop the row from the check.)
        const gone = r.childDeletedFirst && r.childAfterFamily
          ? sql` and case when ${this.c.olderThan(r.childDeletedFirst.rule.after, r.childAfterFamily, r.childDeletedFirst.cutoff)} then 0 else 1 end = 1`
          : sql``;
        return sql<SqlBool>`exists (select 1 from ${this.c.tableRef(r.childTable)} as ${child} where ${sql.join(match, sql` and `)}${gone})`;
      }),
    );
  }

  /** Rows where some SQL-expressible mask column is not at its masked value yet: the rows an anonymizing UPDATE touches. */
  notMasked(): Condition | undefined {
    return or(this.masks.flatMap((m) => (m.sql ? this.columnNotMasked(m) : [])));
  }

  /** `col = <masked>` for every SQL-expressible mask that writes something. */
  assignments(): RawBuilder<unknown>[] {
    return this.masks.flatMap((m) => {
      const col = sql.id(m.column);
      switch (m.sql?.kind) {
        case 'null':
          return [sql`${col} = null`];
        case 'literal': {
          const keepAsIs = this.markerCheck(m) ? sql`${col} is null or ${this.markerCheck(m)}` : sql`${col} is null`;
          // `then col`: a NULL stays NULL, and PostgreSQL types the bound value after the column.
          return [sql`${col} = case when ${keepAsIs} then ${col} else ${this.literal(m)} end`];
        }
        case 'year-start':
          return [sql`${col} = ${this.c.yearStart(col, m.sql.family)}`];
        default:
          return [];
      }
    });
  }

  private columnNotMasked(m: PreparedMask): Condition[] {
    const col = sql.id(m.column);
    switch (m.sql?.kind) {
      case 'null':
        return [sql<SqlBool>`${col} is not null`];
      case 'literal': {
        const marker = this.markerCheck(m);
        const differs = m.family === 'json' ? sql`${this.c.asText(col)} <> ${String(m.sql.value)}` : sql`${col} <> ${this.literal(m)}`;
        return [sql<SqlBool>`${col} is not null and ${differs}${marker ? sql` and not (${marker})` : sql``}`];
      }
      case 'year-start':
        return [sql<SqlBool>`${col} <> ${this.c.yearStart(col, m.sql.family)}`];
      default:
        return [];
    }
  }

  private literal(m: PreparedMask): unknown {
    return this.c.toParam((m.sql as { value: unknown }).value, m.family);
  }

  /** Text columns: any redaction marker counts as redacted (a value redacted for a wider column is redacted all the same). */
  private markerCheck(m: PreparedMask): RawBuilder<unknown> | undefined {
    if (m.family !== 'text') return undefined;
    return sql`${sql.id(m.column)} in (${sql.join(REDACTED_MARKERS.map((x) => sql`${x}`))})`;
  }
}
