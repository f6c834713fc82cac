// Who still points at rows about to be deleted: one set-based lookup per reference edge (IN chunks on the child's
// column), so the plan can tell the subject's own rows from everyone else's before anything is deleted.
import type { Connector } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { SystemError } from '../errors.ts';
import type { ParentRow, ReferenceAnswers, ReferenceQuestion, ReferencingRow } from '../plan/erase-plan.ts';
import type { ReferenceEdge } from '../plan/fk-order.ts';
import { lookupRows, tupleText } from './lookup.ts';

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

/** Every question of the plan answered, a reference edge at a time; a failure names the referencing system.table. */
export async function answerReferences(questions: readonly ReferenceQuestion[], connectors: ReadonlyMap<string, Connector>, chunkSize?: number): Promise<ReferenceAnswers> {
  const answers = new Map<string, readonly ReferencingRow[] | 'not connected'>();
  for (const { key, edge, parents } of questions) {
    const connector = connectors.get(edge.childRef.system);
    if (!connector) {
      answers.set(key, 'not connected');
      continue;
    }
    try {
      answers.set(key, await referencingRows(edge, parents, connector, chunkSize));
    } catch (err) {
      throw err instanceof SystemError ? err : new SystemError(edge.childRef.system, edge.childRef.table, (err as Error).message, err);
    }
  }
  return answers;
}
