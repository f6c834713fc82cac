// A plan that addresses a file's rows by number is bound to the file's version: recorded when planned, checked
// (and the rows found again by content) when a run resumes it.
import type { Connector } from '../../connectors/connector.ts';
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import { contentPrint, type ErasePlan } from '../plan/erase-plan.ts';

/** A row number no file has: what a planned row that is gone from the file now is addressed by (it changes nothing). */
const GONE = Number.MAX_SAFE_INTEGER;

/**
 * A resumed plan whose rows are addressed by number in a file that changed since planning (its own committed
 * rewrite, or another program's) addresses each row again by its content: the row with the planned row's
 * fingerprint, wherever it is now; a row no longer there changes nothing. Never the stored numbers, which may name
 * other people's rows now. One pass over each changed file, holding only the planned rows' numbers.
 */
export async function rekeyChangedFiles(plan: ErasePlan, connectors: ReadonlyMap<string, Connector>, hmacKey: Buffer): Promise<string[]> {
  const changed = await changedFiles(plan, connectors);
  for (const table of changed) {
    const entries = plan.entries.filter((e) => e.table === table && e.rowPrints && e.keyColumns.length === 1 && e.keyColumns[0] === ORDINAL_KEY);
    const c = connectors.get(entries[0]?.system ?? '');
    if (!c || !entries.length) continue;
    const wanted = new Set(entries.flatMap((e) => e.rowPrints!));
    const found = new Map<string, number[]>();
    for await (const rows of c.batches(entries[0].name, [], { batchSize: 5000 })) {
      for (const row of rows) {
        const print = contentPrint(hmacKey, row);
        if (wanted.has(print)) found.set(print, [...(found.get(print) ?? []), Number((row as Record<string, unknown>)[ORDINAL_KEY])]);
      }
    }
    let gone = GONE;
    for (const e of entries) e.keys = e.rowPrints!.map((print) => [found.get(print)?.shift() ?? gone--]);
    if (plan.fileVersions && c.fileVersion) plan.fileVersions[table] = await c.fileVersion(entries[0].name);
  }
  return changed;
}

/** The files whose version differs from the one `plan` was made against: it must be made again. */
export async function changedFiles(plan: ErasePlan, connectors: ReadonlyMap<string, Connector>): Promise<string[]> {
  const changed: string[] = [];
  for (const [table, version] of Object.entries(plan.fileVersions ?? {})) {
    const e = plan.entries.find((x) => x.table === table);
    const c = e ? connectors.get(e.system) : undefined;
    if (e && c?.fileVersion && (await c.fileVersion(e.name)) !== version) changed.push(table);
  }
  return changed;
}

/** The version of every file the plan addresses, as planned (Connector.fileVersion). */
export async function recordFileVersions(plan: ErasePlan, connectors: ReadonlyMap<string, Connector>): Promise<void> {
  const versions: Record<string, string> = {};
  for (const e of plan.entries) {
    const c = connectors.get(e.system);
    if (c?.fileVersion && versions[e.table] === undefined) versions[e.table] = await c.fileVersion(e.name);
  }
  plan.fileVersions = versions;
}
