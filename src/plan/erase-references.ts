// Who still points at rows about to be deleted: one set-based lookup per reference edge (IN chunks on the child's
// column), so the plan can tell the subject's own rows from everyone else's before anything is deleted.
import { lookupRows, tupleText } from './lookup.ts';
import type { Connector, Row } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { ReferenceEdge } from './fk-order.ts';

export interface ParentRow {
  /** The parent row's identity text (see row-identity.ts). */
  id: string;
  row: Row;
}

export interface ReferencingRow {
  row: Row;
  /** Identities of the parent rows it points at. */
  parents: string[];
}

/** The rows of `edge.child` whose reference columns hold the values of `parents` (NULL references point nowhere). */
export async function referencingRows(
  edge: ReferenceEdge,
  parents: readonly ParentRow[],
  connector: Connector,
  chunkSize = 1000,
): Promise<ReferencingRow[]> {
  const byTuple = new Map<string, string[]>();
  const tuples: string[][] = [];
  for (const p of parents) {
    const tuple = edge.parentColumns.map((c) => normalizeLinkValue(p.row[c]));
    if (tuple.some((v) => v === '')) continue;
    const text = JSON.stringify(tuple);
    if (!byTuple.has(text)) tuples.push(tuple);
    byTuple.set(text, [...(byTuple.get(text) ?? []), p.id]);
  }
  const found: ReferencingRow[] = [];
  for await (const chunk of lookupRows(connector, edge.childRef.table, edge.childColumns, tuples, { chunkSize })) {
    for (const row of chunk) {
      const ids = byTuple.get(tupleText(edge.childColumns, row));
      if (ids) found.push({ row, parents: ids });
    }
  }
  return found;
}
