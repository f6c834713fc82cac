// What makes two rows found by different steps the same row: the declared key, or else the whole row.
import type { KeyValues, Row } from '../../connectors/connector.ts';
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import type { TableDef } from '../datamap/types.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { canonicalJson } from '../state/canonical-json.ts';

/**
 * The columns that identify a row: the declared key; for a table without one, the files connector's row number
 * (`_row`, carried by each row it returns) when present; else none (the whole row is its identity).
 */
function keyColumns(table: TableDef, row: Row): string[] {
  if (table.key.length) return table.key;
  return row[ORDINAL_KEY] !== undefined ? [ORDINAL_KEY] : [];
}

/** The key values of a row in key order (what erasure deletes or updates by); the whole row when there is no key. */
export function keyValues(table: TableDef, row: Row): KeyValues {
  const cols = keyColumns(table, row);
  return cols.length ? cols.map((c) => row[c]) : [row];
}

/** A text that is equal for the same row however it was reached (key values compared as normalized text). */
export function rowIdentity(table: TableDef, row: Row): string {
  const cols = keyColumns(table, row);
  if (cols.length) return JSON.stringify(cols.map((c) => normalizeLinkValue(row[c])));
  return canonicalJson(row);
}
