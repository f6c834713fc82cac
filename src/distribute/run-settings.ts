// What every worker of one distributed sweep needs to know, recorded with the run: the same as-of instant, batch
// size, lease and brakes for every share, whichever worker runs it.
import { openJson, sealJson } from '../state/sealed-json.ts';
import { decodeKey, encodeKey } from '../ops/sweep-table.ts';
import type { KeyRange } from '../plan/sweep-sql-terms.ts';

export interface RunSettings {
  asOf: string;
  batchSize: number;
  leaseMs: number;
  pauseMs?: number;
  maxRate?: number;
  lagCheckEvery?: number;
}

/** A share's key range is sealed in the state store: keys may be personal (an email as primary key). */
const RANGE_SEAL = 'sweep-share-range';

export function sealRange(hmacKey: Buffer, runId: string, shareId: string, range: KeyRange): string {
  return sealJson(hmacKey, RANGE_SEAL, `${runId}/${shareId}`, {
    ...(range.after ? { after: encodeKey(range.after) } : {}),
    ...(range.through ? { through: encodeKey(range.through) } : {}),
  });
}

/** The range, or undefined when the seal does not open (another hmac_key): the share is then refused. */
export function openRange(hmacKey: Buffer, runId: string, shareId: string, sealed: string): KeyRange | undefined {
  const v = openJson(hmacKey, RANGE_SEAL, `${runId}/${shareId}`, sealed) as { after?: unknown[]; through?: unknown[] } | undefined;
  if (!v || typeof v !== 'object') return undefined;
  return { ...(v.after ? { after: decodeKey(v.after) } : {}), ...(v.through ? { through: decodeKey(v.through) } : {}) };
}

/** Each share's checkpoint, apart from the single-process sweep's `sweep:<table>`. */
export function shareCheckpointKey(runId: string, shareId: string): string {
  return `sweep:${shareId}@${runId}`;
}
