// References into a swept table from another system (or from files), which SQL cannot check in the same
// statement: looked up set-based per batch (IN chunks on the referencing column), through the erasure's lookup.
import type { Connector, Row } from '../../connectors/connector.ts';
import { referencingRows } from './erase-references.ts';
import type { ReferenceEdge } from '../plan/fk-order.ts';

export interface RemoteReference {
  edge: ReferenceEdge;
  /** Undefined when the referencing system is not connected: then every row counts as referenced. */
  connector?: Connector;
}

/** Indexes of the `rows` that some row reached through `refs` still points at. */
export async function referencedElsewhere(refs: readonly RemoteReference[], rows: readonly Row[]): Promise<Set<number>> {
  const referenced = new Set<number>();
  if (!rows.length) return referenced;
  for (const ref of refs) {
    if (!ref.connector) return new Set(rows.map((_, i) => i));
    const found = await referencingRows(ref.edge, rows.map((row, i) => ({ id: String(i), row })), ref.connector);
    for (const f of found) for (const p of f.parents) referenced.add(Number(p));
  }
  return referenced;
}
