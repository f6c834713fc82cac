// Runs an erasure plan: step by step (at most MAX_STEP_ROWS rows each), each step one transaction in its system,
// then a checkpoint. A step cut short by a kill is rolled back and redone; one that committed just before the kill
// and was not yet marked is redone harmlessly: deletes find nothing, and rows whose masked columns no longer match
// their planned fingerprint were already masked (a hash is never hashed again).
import { lookupRows } from './lookup.ts';
import type { Connector, KeyValues, Row } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { DataMap } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { maskValue } from '../masking/masker.ts';
import { planSteps, rowFingerprint, type ErasePlan, type EraseStep, type PlanEntry } from '../plan/erase-plan.ts';
import { columnInfo, tableInfo, type SchemasBySystem } from '../plan/fk-order.ts';
import type { Checkpoints } from '../state/checkpoints.ts';

export interface ExecuteOptions {
  map: DataMap;
  plan: ErasePlan;
  connectors: ReadonlyMap<string, Connector>;
  schemas: SchemasBySystem;
  hmacKey: Buffer;
  checkpoints: Checkpoints;
  runKey: string;
  log: Logger;
  /** Rows per step (default and maximum MAX_STEP_ROWS). */
  stepRows?: number;
  /** Prefixes every step id (one plan generation of a ticket). */
  stepPrefix?: string;
  /** Waits this long after each step: lets tests stop a run in the middle. */
  pauseMs?: number;
}

export interface StepDone {
  rows: number;
}

export interface ExecutionResult {
  /** Rows changed per plan entry (same order as plan.entries), counting steps done by an earlier, killed run. */
  changed: number[];
  steps: number;
  /** Steps an earlier run had already done. */
  skipped: number;
  failures: SystemError[];
}

export async function executePlan(o: ExecuteOptions): Promise<ExecutionResult> {
  const prefix = o.stepPrefix ?? '';
  const steps = planSteps(o.plan, o.stepRows).map((s) => ({ ...s, id: prefix + s.id }));
  const done = await o.checkpoints.doneSteps<StepDone>(o.runKey);
  const changed = o.plan.entries.map(() => 0);
  const failures: SystemError[] = [];
  const failedSystems = new Set<string>();
  let skipped = 0;
  for (const step of steps) {
    const index = o.plan.entries.indexOf(step.entry);
    const previous = done.get(step.id);
    if (previous) {
      changed[index] += previous.rows;
      skipped++;
      continue;
    }
    const { system, name } = step.entry;
    const connector = o.connectors.get(system);
    if (!connector || failedSystems.has(system)) {
      if (!failedSystems.has(system)) failures.push(new SystemError(system, undefined, 'not connected; its steps are left for the next run'));
      failedSystems.add(system);
      continue;
    }
    let rows: number;
    try {
      rows = await connector.transaction((tx) => (step.entry.action === 'delete' ? deleteStep(tx, step) : anonymizeStep(o, tx, step)));
    } catch (err) {
      // The rest of this system waits for the next run: a later step may depend on this one (children first).
      const e = stepError(err, system, name);
      failures.push(e);
      failedSystems.add(system);
      o.log.error({ system, table: name, step: step.id, err: e.message }, 'erasure step failed');
      continue;
    }
    await o.checkpoints.markDone(o.runKey, step.id, { rows } satisfies StepDone);
    changed[index] += rows;
    o.log.info({ step: step.id, rows }, 'erasure step done');
    if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
  }
  return { changed, steps: steps.length, skipped, failures };
}

/** A step's failure naming its table, also when the connector could not (the connection lost at BEGIN). */
function stepError(err: unknown, system: string, table: string): SystemError {
  if (err instanceof SystemError && err.table) return err;
  const message = err instanceof SystemError ? err.message.slice(`${err.system}: `.length) : err instanceof Error ? err.message : String(err);
  return new SystemError(system, table, message, err);
}

async function deleteStep(tx: Connector, step: EraseStep): Promise<number> {
  return atMostPlanned(step, new Set(step.keys.map(keyText)).size, await tx.deleteByKeys(step.entry.name, step.entry.keyColumns, step.keys));
}

/**
 * A step changes at most the rows it planned: more means the key is not unique (two CSV rows with one email key),
 * and the other rows are somebody else's. Thrown inside the step's transaction, so nothing of it lands.
 */
function atMostPlanned(step: EraseStep, planned: number, changed: number): number {
  if (changed <= planned) return changed;
  throw new SystemError(
    step.entry.system,
    step.entry.name,
    `the step would change ${changed} rows where ${planned} were planned: its key (${step.entry.keyColumns.join(', ')}) is not unique, and the other rows may be another person's; nothing was changed here (declare a unique key; validate --live checks it)`,
  );
}

/** Masks the rows that still hold their planned values and severs the planned references, in one statement set. */
async function anonymizeStep(o: ExecuteOptions, tx: Connector, step: EraseStep): Promise<number> {
  const e = step.entry;
  const current = await rowsByKey(tx, e, step.keys);
  const def = o.map.tables[e.table];
  const info = tableInfo(o.schemas, e.system, e.name);
  const changes = [];
  for (let i = 0; i < step.keys.length; i++) {
    const row = current.get(keyText(step.keys[i]));
    if (!row) continue; // gone since planning
    const set: Row = {};
    if (rowFingerprint(o.hmacKey, row, e.masks) === step.fingerprints[i]) {
      for (const m of e.masks) {
        const field = Object.values(def.fields).find((f) => f.column === m.column)!;
        const masked = maskValue(m.mask, row[m.column], {
          column: columnInfo(info, m.column),
          category: field.category,
          options: field.maskOptions,
          hmacKey: o.hmacKey,
        });
        if (!sameValue(masked, row[m.column])) set[m.column] = masked;
      }
    }
    for (const c of e.sever) if (row[c] !== null && row[c] !== undefined) set[c] = null;
    if (Object.keys(set).length) changes.push({ key: e.keyColumns.map((c) => row[c]), set });
  }
  return changes.length ? atMostPlanned(step, changes.length, await tx.updateByKeys(e.name, e.keyColumns, changes)) : 0;
}

/** The current rows of `keys`, by their key. */
async function rowsByKey(tx: Connector, e: PlanEntry, keys: readonly KeyValues[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for await (const chunk of lookupRows(tx, e.name, e.keyColumns, keys.map((k) => k.map((v) => normalizeLinkValue(v))))) {
    for (const row of chunk) out.set(keyText(e.keyColumns.map((c) => row[c])), row);
  }
  return out;
}

function keyText(key: KeyValues): string {
  return JSON.stringify(key.map(normalizeLinkValue));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return normalizeLinkValue(a) === normalizeLinkValue(b) && typeof a === typeof b;
}
