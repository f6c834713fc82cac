// Reads one table's sample through its connector and feeds every value to its column's collector. The sample is
// bounded (the connector picks the rows); with `full`, every row streams past and only the collectors' bounded
// state stays in memory.
import type { ColumnInfo, Connector, Row, TableInfo } from '../../connectors/connector.ts';
import { SystemError } from '../errors.ts';
import { ColumnCollector } from './column-collector.ts';

export interface TableTask {
  system: string;
  info: TableInfo;
  /** The columns to read (never binary or boolean ones). */
  columns: ColumnInfo[];
}

export interface TableSample {
  collectors: Map<string, ColumnCollector>;
  /** Columns naming a sampled row (primary key, `_row`, or none). */
  key: string[];
  method: string;
  rows: number;
  rowsRead: number;
  queries: number;
  ms: number;
}

export interface SampleSettings {
  sample: number;
  full: boolean;
  random?: () => number;
  /** The same rows each run while the table is unchanged (`datamap init` writes the same file twice). */
  repeatable?: boolean;
  /** Sees every sampled row (with the columns naming it), after the collectors. */
  onRows?: (rows: readonly Row[], key: readonly string[]) => void;
}

/** Key values as plain JSON (bigints and dates as text), to print beside a finding. */
function keyOf(row: Row, key: readonly string[]): Record<string, unknown> | null {
  if (!key.length) return null;
  return Object.fromEntries(
    key.map((k) => {
      const v = row[k];
      return [k, typeof v === 'bigint' ? String(v) : v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('hex') : v];
    }),
  );
}

export async function sampleTable(connector: Connector, task: TableTask, settings: SampleSettings): Promise<TableSample> {
  const started = performance.now();
  if (!connector.sample) throw new SystemError(task.system, task.info.name, 'this kind of system cannot be sampled');
  const collectors = new Map(task.columns.map((c) => [c.name, new ColumnCollector(c, settings.sample, settings.random)]));
  const result: TableSample = { collectors, key: [], method: 'none', rows: 0, rowsRead: 0, queries: 0, ms: 0 };
  const names = task.columns.map((c) => c.name);
  for await (const chunk of connector.sample(task.info.name, names, settings.sample, { full: settings.full, repeatable: settings.repeatable })) {
    result.key = chunk.key;
    result.method = chunk.method;
    result.rows += chunk.rows.length;
    result.rowsRead += chunk.rowsRead;
    result.queries += chunk.queries;
    for (const row of chunk.rows) {
      for (const [name, collector] of collectors) collector.add(row[name], () => keyOf(row, chunk.key));
    }
    settings.onRows?.(chunk.rows, chunk.key);
  }
  result.ms = performance.now() - started;
  return result;
}
