// The one lookup: the rows of a table whose columns hold given values, set-based. IN (...) chunks on the first
// column (Connector.rowsWhereIn: a statement per chunk, or one pass over a file for the whole set); the rest of a
// composite key is compared here, on the normalized text. The traversal, the erasure's reference checks, its
// execution and the verification all look rows up through it.
import type { Connector, Row, RowsWhereInOptions } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';

/**
 * Rows of `table` whose `columns` hold one of `tuples` (each as normalizeLinkValue text, one per column; the first
 * column compared through `opts.normalize` where given), a chunk at a time.
 */
export async function* lookupRows(connector: Connector, table: string, columns: readonly string[], tuples: readonly (readonly string[])[], opts: RowsWhereInOptions = {}): AsyncGenerator<Row[]> {
  const first = [...new Set(tuples.map((t) => t[0]))];
  if (!first.length) return;
  const whole = columns.length > 1 ? new Set(tuples.map((t) => JSON.stringify(t))) : undefined;
  for await (const chunk of connector.rowsWhereIn(table, columns[0], first, opts)) {
    yield whole ? chunk.filter((row) => whole.has(tupleText(columns, row))) : chunk;
  }
}

/** The row's values in `columns` as the key lookupRows compares: normalized text, JSON-joined. */
export function tupleText(columns: readonly string[], row: Row): string {
  return JSON.stringify(columns.map((c) => normalizeLinkValue(row[c])));
}
