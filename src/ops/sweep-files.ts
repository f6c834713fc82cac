// One file's sweep (kind: files). The file is read as a stream, batch by batch; expiry is judged here (`after` read
// as an instant, strictly earlier than the cutoff); the changes are then written in ONE atomic rewrite of the file
// (temp file, fsync, rename: files/atomic.ts). A kill before the rename leaves the file as it was, and the next
// sweep does the same work again, so a file needs no checkpoint.
import type { KeyedChange, KeyValues, Row } from '../../connectors/connector.ts';
import { ORDINAL_KEY, rowOrdinal } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { toInstant } from '../plan/obligations.ts';
import { hasExpired } from '../plan/sweep-plan.ts';
import { maskRow } from '../plan/sweep-masks.ts';
import { referencedElsewhere, type RemoteReference } from './sweep-references.ts';
import { emptySummary, finishSummary, type TableSummary } from './sweep-summary.ts';
import type { TableRun } from './sweep-table.ts';

export async function sweepFileTable(run: TableRun): Promise<TableSummary> {
  const started = performance.now();
  const { plan, connector } = run;
  const summary = emptySummary(plan);
  const keyColumns = plan.key.length ? plan.key : [ORDINAL_KEY];
  const keyOf = (row: Row): KeyValues => (plan.key.length ? plan.key.map((k) => row[k]) : [rowOrdinal(row)]);
  const held = new Set(run.heldKeys.map(keyText));
  const references: RemoteReference[] =
    plan.action === 'delete' ? plan.referencedBy.map((edge) => ({ edge, connector: run.connectors.get(edge.childRef.system) })) : [];
  const columns = run.masks.map((m) => m.column);
  const updates: KeyedChange[] = [];
  const deletes: KeyValues[] = [];
  const bar = run.progress.table(plan.id, 0);
  try {
    for await (const batch of connector.batches(plan.table, plan.key, { batchSize: run.batchSize })) {
      const t0 = performance.now();
      const expired: Row[] = [];
      for (const row of batch) {
        const start = toInstant(row[plan.rule.after]);
        if (!start) summary.nullDates++;
        else if (!hasExpired(start, plan.cutoff)) continue;
        else if (held.has(keyText(keyOf(row)))) (summary.expired++, summary.skippedHolds++);
        else (summary.expired++, expired.push(row));
      }
      let toMask = expired;
      if (plan.action === 'delete') {
        const referenced = await referencedElsewhere(references, expired);
        toMask = expired.filter((_, i) => referenced.has(i));
        deletes.push(...expired.filter((_, i) => !referenced.has(i)).map(keyOf));
      }
      for (const row of toMask) {
        const values = maskRow(row, run.masks, true);
        if (values) updates.push({ key: keyOf(row), set: Object.fromEntries(columns.map((c, i) => [c, values[i]])) });
      }
      summary.batches++;
      summary.longestBatchMs = Math.max(summary.longestBatchMs, performance.now() - t0);
      bar.advance(batch.length);
    }
    summary.anonymized = updates.length;
    summary.deleted = deletes.length;
    if (!run.dryRun && (updates.length || deletes.length)) {
      await connector.transaction(async (tx) => {
        if (updates.length) await tx.updateByKeys(plan.table, keyColumns, updates);
        if (deletes.length) await tx.deleteByKeys(plan.table, keyColumns, deletes);
      });
    }
  } finally {
    bar.done();
  }
  return finishSummary(summary, started);
}

function keyText(key: KeyValues): string {
  return JSON.stringify(key.map(normalizeLinkValue));
}
