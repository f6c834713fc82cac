// How a sweep is cut into shares for workers: a table is one share, or, above `rangeRows` rows (a SQL table with
// a key), one share per key range of about that many rows; boundaries are read by a keyset walk over the key's
// index. A table waits for the tables whose rows reference it (children before parents, as one process sweeps).
import { sql } from 'kysely';
import { isSqlConnector, type Connector, type KeyValues, type Row, type SqlConnector } from '../../connectors/connector.ts';
import type { TableSweep } from '../plan/sweep-plan.ts';
import type { KeyRange } from '../plan/sweep-sql-terms.ts';

export interface PlannedShare {
  shareId: string;
  tableId: string;
  position: number;
  afterTables: string[];
  range?: KeyRange;
}

export async function planShares(tables: readonly TableSweep[], connectors: ReadonlyMap<string, Connector>, rangeRows: number): Promise<PlannedShare[]> {
  const swept = new Set(tables.map((t) => t.id));
  const shares: PlannedShare[] = [];
  for (const t of tables) {
    const afterTables = [...new Set(t.referencedBy.map((e) => e.child).filter((c) => c !== t.id && swept.has(c)))].sort();
    const c = connectors.get(t.system);
    const ranges = c && isSqlConnector(c) && t.key.length ? await keyRanges(c, t, rangeRows) : [undefined];
    ranges.forEach((range, i) =>
      shares.push({ shareId: ranges.length > 1 ? `${t.id}#${i + 1}` : t.id, tableId: t.id, position: i, afterTables, ...(range ? { range } : {}) }),
    );
  }
  return shares;
}

/** Ranges of about `rows` keys each, covering the whole table (the first and last open-ended); one when small. */
async function keyRanges(c: SqlConnector, t: TableSweep, rows: number): Promise<Array<KeyRange | undefined>> {
  const info = await c.tableInfo(t.table);
  if ((info.estimatedRows ?? 0) <= rows) return [undefined];
  const cols = sql.join(t.key.map((k) => sql.id(k)));
  const bounds: KeyValues[] = [];
  for (;;) {
    const last = bounds.at(-1);
    const where = last ? sql`where ${c.keyAfter(t.key, last)}` : sql``;
    const [row] = await c.queryRows(sql<Row>`select ${cols} from ${c.tableRef(t.table)} ${where} order by ${cols} limit 1 offset ${sql.lit(rows - 1)}`, { table: t.table });
    if (!row) break;
    bounds.push(t.key.map((k) => row[k]));
  }
  if (!bounds.length) return [undefined];
  return [...bounds.map((through, i) => ({ ...(i ? { after: bounds[i - 1] } : {}), through })), { after: bounds.at(-1) }];
}
