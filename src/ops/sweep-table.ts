// What one table's sweep is given, whichever kind of system it lives in, and the checkpoint it keeps.
import { openJson, sealJson } from '../state/sealed-json.ts';
import type { Connector, KeyValues, TableInfo } from '../../connectors/connector.ts';
import type { TableDef } from '../datamap/types.ts';
import type { Logger } from '../log.ts';
import type { SchemasBySystem } from '../plan/fk-order.ts';
import type { TableSweep } from '../plan/sweep-plan.ts';
import type { Checkpoints } from '../state/checkpoints.ts';
import type { Progress } from './progress.ts';
import type { SweepBrakes } from './sweep-brakes.ts';
import type { KeyRange } from '../plan/sweep-sql-terms.ts';
import type { PreparedMask } from '../plan/sweep-masks.ts';

export interface TableRun {
  plan: TableSweep;
  def: TableDef;
  info: TableInfo;
  connector: Connector;
  /** Every connected system, for references from other systems. */
  connectors: ReadonlyMap<string, Connector>;
  schemas: SchemasBySystem;
  /** Keys of rows a legal hold covers (plan.key order; files without a key: [row number]). */
  heldKeys: KeyValues[];
  masks: PreparedMask[];
  batchSize: number;
  dryRun: boolean;
  checkpoints: Checkpoints;
  log: Logger;
  progress: Progress;
  /** Tables this run deletes from, by id: a dry run discounts their expired rows as references. */
  deleting: ReadonlyMap<string, TableSweep>;
  /** Deadline, rate, pause and replication lag, asked before each batch (none in a dry run). */
  brakes?: SweepBrakes;
  /** secrets.hmac_key: seals the checkpoint's key (sealed-json.ts). */
  hmacKey: Buffer;
  /** A distributed sweep's share of the table: its key range, and the checkpoint that range keeps. */
  share?: TableShare;
}

export interface TableShare extends KeyRange {
  checkpointKey: string;
}

/**
 * Checkpoint `sweep:<system>.<table>`: the last key of the last batch done, sealed (the key may be an email, and
 * the state store must hold no personal value). A checkpoint that does not open (another key) starts the table
 * over, which the sweep's idempotence makes harmless.
 */
export interface SweepCheckpoint {
  sealedLast: string;
  cutoff: string;
}

const CHECKPOINT_SEAL = 'sweep-checkpoint';

export function sealLast(run: TableRun, runKey: string, key: KeyValues): string {
  return sealJson(run.hmacKey, CHECKPOINT_SEAL, runKey, encodeKey(key));
}

export function openLast(run: TableRun, runKey: string, saved: Partial<SweepCheckpoint>): KeyValues | undefined {
  const values = openJson(run.hmacKey, CHECKPOINT_SEAL, runKey, saved.sealedLast);
  return Array.isArray(values) ? decodeKey(values) : undefined;
}

export function checkpointKey(plan: TableSweep): string {
  return `sweep:${plan.id}`;
}

/** Key values as JSON: Dates and bytes keep their type (a key may be a timestamp), bigints become text. */
export function encodeKey(key: KeyValues): unknown[] {
  return key.map((v) => {
    if (v instanceof Date) return { $date: v.toISOString() };
    if (Buffer.isBuffer(v)) return { $hex: v.toString('hex') };
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

export function decodeKey(values: readonly unknown[]): KeyValues {
  return values.map((v) => {
    if (v && typeof v === 'object' && '$date' in v) return new Date(String((v as { $date: unknown }).$date));
    if (v && typeof v === 'object' && '$hex' in v) return Buffer.from(String((v as { $hex: unknown }).$hex), 'hex');
    return v;
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
