// `dsar erase <identity> --ticket T`: account closure. Finds the subject's rows (the traversal), refuses when a legal
// hold covers any of the subject's identities, plans (erase-plan.ts), stores the plan sealed, runs it step by step
// with checkpoints, then verifies that nothing of the subject is left. The ledger records each stage.
import type { Connector, SchemaInfo } from '../../connectors/connector.ts';
import { normalizeIdentity, normalizeLinkValue } from '../datamap/normalize.ts';
import type { DataMap, TableDef } from '../datamap/types.ts';
import { RefusedError, SystemError, UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { requireHmacKey } from '../masking/masker.ts';
import {
  buildErasePlan,
  planSteps,
  rowFingerprint,
  summarizePlan,
  MAX_STEP_ROWS,
  type ColumnMask,
  type ErasePlan,
  type PlanSummary,
  referenceQuestions,
} from '../plan/erase-plan.ts';
import { sealPlan, unsealPlan, type SealedPlan } from '../plan/erase-plan-seal.ts';
import { detectChild } from '../plan/obligations.ts';
import { planTraversal, type SubjectData, type TraversalIdentity } from '../plan/traversal.ts';
import { traverse } from './traverse.ts';
import type { LedgerAppend, LedgerKind } from '../state/ledger.ts';
import type { Law } from '../state/statutory.ts';
import type { StateStore } from '../state/store.ts';
import { executePlan } from './erase-execute.ts';
import { recordFileVersions, rekeyChangedFiles } from './erase-files.ts';
import { answerReferences } from './erase-references.ts';
import { openSystems } from './systems.ts';
import { assertTicketIsThisRequest } from './ticket.ts';
import { holdFilesSystems, type FilesLock } from './file-writers.ts';
import { deepValues, deepVerify, type DeepReport } from './deep-verify.ts';
import { collectSubjectValues, keyedHash, verifyErasure, type MaskedColumns, type VerificationReport } from './verify.ts';

export interface ErasureRequest {
  map: DataMap;
  identity: TraversalIdentity;
  /** Names the run: its checkpoints (`<runKey>`) and, for requests, the ledger's ticket. */
  runKey: string;
  ledger: { kind: LedgerKind; ticket?: string; receivedOn?: string; law?: Law };
  dryRun: boolean;
  child: boolean;
  /** Erase only these tables (the marketing opt-out); default all. */
  includeTable?: (table: TableDef) => boolean;
  asOf?: Date;
  /** Rows per step, at most MAX_STEP_ROWS. */
  stepRows?: number;
  pauseMs?: number;
  /** Also search every text-like column of every table and file for the subject's identities (deep-verify.ts). */
  verifyDeep?: boolean;
  /** How long to wait for another writer of the same files system (default FILE_LOCK_WAIT_MS). */
  fileLockWaitMs?: number;
}

export interface StepResult {
  table: string;
  action: 'delete' | 'anonymize';
  planned: number;
  changed: number;
}

export interface ErasureResult {
  ok: boolean;
  dryRun: boolean;
  /** The subject's keyed hash (as the ledger knows it). */
  subject: string;
  /** This run continued a plan that an earlier, interrupted run of the same ticket had started. */
  resumed: boolean;
  plan: PlanSummary;
  /** Rows of the subject the traversal found, in every system; 0 is said in so many words. */
  rowsFound: number;
  /** The identity type the subject was looked up by (never its value). */
  identityType: string;
  /** Per plan step: rows planned and rows changed (including by the interrupted run). Null on a dry run. */
  done: StepResult[] | null;
  verification: VerificationReport | null;
  /** With --verify-deep: the search of every text-like column, declared or not. */
  deepVerification?: DeepReport;
  /** Systems or steps that failed or could not be reached: run again with the same ticket once they are back. */
  failures: string[];
}

const PLAN_STEP = /^plan:(\d+)$/;

interface StoredPlan {
  subject: string;
  stepRows: number;
  sealed: SealedPlan;
}

/**
 * Plans and (unless a dry run) carries out the erasure of one subject. Throws RefusedError when a legal hold covers
 * the subject or another process is running the same erasure (nothing touched), UsageError for configuration
 * problems (nothing touched).
 */
export async function runErasure(req: ErasureRequest, store: StateStore, log: Logger): Promise<ErasureResult> {
  if (req.dryRun) return erase(req, store, log);
  // Two runs of one ticket at once would both carry out its plan and both record its completion.
  const hold = await store.hold(req.runKey);
  if (hold.held) {
    throw new RefusedError(`${req.runKey}: another dsar process is running this erasure now; nothing was done. Run it again once that one has ended`);
  }
  try {
    return await erase(req, store, log);
  } finally {
    await hold.release();
  }
}

async function erase(req: ErasureRequest, store: StateStore, log: Logger): Promise<ErasureResult> {
  const { map, identity } = req;
  const subject = store.subjectHash(identity.type, identity.value);
  if (req.ledger.ticket !== undefined && req.ledger.kind === 'erase') {
    assertTicketIsThisRequest(req.ledger.ticket, 'erase', subject, await store.ledger.forTicket(req.ledger.ticket));
  }
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  const record = ledgerRecorder(store, req.ledger, subject);
  const refuse = async (reason: string): Promise<never> => {
    if (!req.dryRun) await record({ event: 'refused', outcome: 'refused', endedAt: new Date(), detail: { reason: 'legal hold' } });
    log.warn({ subject, run: req.runKey }, 'erasure refused: legal hold');
    throw new RefusedError(`legal hold on this subject: ${reason}; nothing was erased`);
  };
  const held = await store.holds.isHeld([subject]);
  if (held !== undefined) await refuse(held);

  const done = req.dryRun ? new Map<string, unknown>() : await store.checkpoints.doneSteps(req.runKey);
  let { generation, stored } = latestPlan(done);
  if (stored && stored.subject !== subject) {
    throw new UsageError(`${req.runKey} is already the erasure of another subject; use a new ticket`);
  }

  const opened = await openSystems(map, log);
  let filesLock: FilesLock | undefined;
  try {
    const { connectors, schemas, failures, down } = await introspectAll(opened.connectors, opened.unreachable, log);
    const data = await traverse(map, planTraversal(map, [identity]), connectors, log);
    // A system already reported down is not reported again by the traversal's "not connected".
    failures.push(...data.unreachable.filter((u) => u.table !== undefined || !down.has(u.system)).map((u) => u.message));
    const found = { rowsFound: [...data.tables.values()].reduce((n, t) => n + t.rows.length, 0), identityType: identity.type };

    const heldBy = await store.holds.isHeld(foundIdentityHashes(map, data, store));
    if (heldBy !== undefined) await refuse(heldBy);

    const asOf = req.asOf ?? new Date();
    let plan: ErasePlan | undefined;
    let stepRows = req.stepRows ?? MAX_STEP_ROWS;
    let resumed = false;
    if (stored) {
      const previous = unsealPlan(stored.sealed, hmacKey);
      const prefix = `g${generation}:`;
      // Resumed until its steps are done and its completion is recorded: a kill in between must not lose the entry.
      if (!done.has(completedStep(generation)) || planSteps(previous, stored.stepRows).some((s) => !done.has(prefix + s.id))) {
        plan = previous;
        stepRows = stored.stepRows;
        resumed = true;
        const rekeyed = await rekeyChangedFiles(plan, connectors, hmacKey);
        if (rekeyed.length) log.warn({ subject, run: req.runKey, files: rekeyed }, 'files changed since the erasure was planned: their rows found again by content');
      }
    }
    const child = detectChild(map, data.tables, req.child, asOf);
    if (!plan) {
      const basis = { map, subject: data, schemas, child, asOf, includeTable: req.includeTable };
      plan = buildErasePlan({ ...basis, hmacKey, references: await answerReferences(referenceQuestions(basis), connectors) });
      await recordFileVersions(plan, connectors);
    }
    const summary = summarizePlan(plan);
    if (req.dryRun) {
      return { ok: failures.length === 0, dryRun: true, subject, resumed: false, plan: summary, ...found, done: null, verification: null, failures };
    }
    if (failures.length && !resumed) {
      // All or nothing: rows found through the ones erased now could not be found again once the system is back.
      await record({ event: 'failed', outcome: 'failed', endedAt: new Date(), detail: { unreachable: failures.length } });
      throw new RefusedError(`nothing was erased: ${failures.join('; ')}. Erasing the other systems first could leave the subject's rows there unfindable; run again once every system is reachable`);
    }

    // Kept in memory only, collected before anything (more) changes.
    const values = collectSubjectValues(map, data, [identity], resumed ? maskedBefore(map, plan, hmacKey) : undefined);
    const deeply = async (v: typeof values) => {
      if (!req.verifyDeep) return undefined;
      const deepVerification = await deepVerify(map, connectors, deepValues(map, v.identities), hmacKey);
      log.info({ subject, run: req.runKey, places: deepVerification.hits.length + deepVerification.moreHits }, 'erasure verified deeply');
      return { deepVerification };
    };
    const startedAt = new Date();
    if (!resumed && generation > 0 && plan.entries.length === 0) {
      // The ticket's erasure completed before and nothing of the subject is left to plan: only verify again (a run
      // killed between completion and verification ends here, without a second completion in the ledger).
      const verification = await verifyErasure(map, connectors, values, { includeTable: req.includeTable, keyHash: keyedHash(hmacKey) });
      await recordVerification(record, verification, failures, startedAt);
      const deep = await deeply(values);
      const ok = verification.clean && failures.length === 0 && (deep?.deepVerification.clean ?? true);
      return { ok, dryRun: false, subject, resumed: false, plan: summary, ...found, done: [], verification, ...deep, failures };
    }
    // Files are rewritten whole: no other dsar writer may rewrite the same files system meanwhile.
    const fileSystems = plan.entries.map((e) => map.tables[e.table]?.system).filter((sys): sys is string => sys !== undefined && map.systems[sys]?.kind === 'files');
    filesLock = await holdFilesSystems(store, fileSystems, req.fileLockWaitMs);
    if (!resumed) {
      generation++;
      const toStore: StoredPlan = { subject, stepRows, sealed: sealPlan(plan, hmacKey) };
      await store.checkpoints.markDone(req.runKey, `plan:${generation}`, toStore);
    }
    await record({
      event: resumed || generation > 1 ? 'resumed' : 'started',
      outcome: 'in-progress',
      startedAt,
      detail: { identityType: identity.type, datamapSha256: map.hash, steps: summary.steps.length, child: plan.child.child, generation },
    });
    log.info({ subject, run: req.runKey, steps: summary.steps.length, resumed }, 'erasure started');

    const exec = await executePlan({
      map,
      plan,
      connectors,
      schemas,
      hmacKey,
      checkpoints: store.checkpoints,
      runKey: req.runKey,
      log,
      stepRows,
      stepPrefix: `g${generation}:`,
      pauseMs: req.pauseMs,
    });
    failures.push(...exec.failures.map((f) => f.message));
    const doneSteps: StepResult[] = plan.entries.map((e, i) => ({ table: e.table, action: e.action, planned: e.keys.length, changed: exec.changed[i] }));
    const rowCounts: Record<string, number> = {};
    for (const d of doneSteps) rowCounts[`${d.table}:${d.action}`] = (rowCounts[`${d.table}:${d.action}`] ?? 0) + d.changed;
    await record({
      event: 'completed',
      outcome: exec.failures.length ? 'partial' : 'ok',
      startedAt,
      endedAt: new Date(),
      rowCounts,
      detail: { steps: exec.steps, resumedSteps: exec.skipped, failures: exec.failures.map((f) => (f.table ? `${f.system}.${f.table}` : f.system)) },
    });
    await store.checkpoints.markDone(req.runKey, completedStep(generation));

    const verification = await verifyErasure(map, connectors, values, { includeTable: req.includeTable, keyHash: keyedHash(hmacKey) });
    await recordVerification(record, verification, failures, startedAt);
    log.info({ subject, run: req.runKey, residue: verification.residue.length, failures: failures.length }, 'erasure verified');
    const deep = await deeply(values);
    const ok = verification.clean && failures.length === 0 && (deep?.deepVerification.clean ?? true);
    return { ok, dryRun: false, subject, resumed, plan: summary, ...found, done: doneSteps, verification, ...deep, failures };
  } finally {
    await filesLock?.release();
    await opened.closeAll();
  }
}

type LedgerEntry = Omit<LedgerAppend, 'ticket' | 'kind' | 'subjectHash'>;

/** Appends the run's ledger entries; the first entry of a ticket opens the request (its received date starts the clock). */
function ledgerRecorder(store: StateStore, ledger: ErasureRequest['ledger'], subjectHash: string): (entry: LedgerEntry) => Promise<void> {
  let opened = ledger.ticket === undefined || ledger.receivedOn === undefined;
  return async (entry) => {
    if (!opened) opened = (await store.ledger.forTicket(ledger.ticket!)).some((e) => e.receivedOn !== null);
    const opening = opened ? {} : { receivedOn: ledger.receivedOn, law: ledger.law };
    opened = true;
    await store.ledger.append({ ticket: ledger.ticket ?? null, kind: ledger.kind, subjectHash, ...opening, ...entry });
  };
}

async function recordVerification(record: (entry: LedgerEntry) => Promise<void>, v: VerificationReport, failures: string[], startedAt: Date): Promise<void> {
  await record({
    event: 'verified',
    outcome: v.clean && !failures.length ? 'ok' : 'partial',
    startedAt,
    endedAt: new Date(),
    detail: {
      residue: v.residue.length,
      retained: v.retained.length,
      where: [...new Set(v.residue.map((r) => `${r.system}.${r.table}.${r.column}`))],
      unsearched: v.unreachable.length,
    },
  });
}

/** Marked once a generation's `completed` entry is in the ledger. */
function completedStep(generation: number): string {
  return `completed:${generation}`;
}

/**
 * A ticket's plans are generations: the latest is resumed until all its steps are done and its completion recorded,
 * then a new one is planned.
 */
function latestPlan(done: ReadonlyMap<string, unknown>): { generation: number; stored?: StoredPlan } {
  let generation = 0;
  let stored: StoredPlan | undefined;
  for (const [step, detail] of done) {
    const n = Number(PLAN_STEP.exec(step)?.[1] ?? NaN);
    if (n > generation) (generation = n), (stored = detail as StoredPlan);
  }
  return { generation, stored };
}

/** The live schema of every connected system; a system whose catalog cannot be read is treated as unreachable. */
async function introspectAll(
  connected: Map<string, Connector>,
  unreachable: SystemError[],
  log: Logger,
): Promise<{ connectors: Map<string, Connector>; schemas: Map<string, SchemaInfo>; failures: string[]; down: Set<string> }> {
  const connectors = new Map(connected);
  const schemas = new Map<string, SchemaInfo>();
  const failures = unreachable.map((u) => u.message);
  const down = new Set(unreachable.map((u) => u.system));
  await Promise.all(
    [...connected].map(async ([name, c]) => {
      try {
        schemas.set(name, await c.introspect());
      } catch (err) {
        const e = err instanceof SystemError ? err : new SystemError(name, undefined, (err as Error).message, err);
        log.error({ system: name, err: e.message }, 'cannot read the schema');
        failures.push(e.message);
        down.add(name);
        connectors.delete(name);
      }
    }),
  );
  return { connectors, schemas, failures, down };
}

/** For a resumed plan: the columns of a row that the interrupted run masked already (its fingerprint moved on). */
function maskedBefore(map: DataMap, plan: ErasePlan, hmacKey: Buffer): MaskedColumns {
  const planned = new Map<string, { masks: ColumnMask[]; fingerprint: string }>();
  for (const e of plan.entries) {
    if (e.action !== 'anonymize') continue;
    e.keys.forEach((k, i) => planned.set(JSON.stringify([e.table, k.map(normalizeLinkValue)]), { masks: e.masks, fingerprint: e.fingerprints[i] }));
  }
  const none = new Set<string>();
  return (table, row) => {
    const def = map.tables[table];
    const entry = planned.get(JSON.stringify([table, def.key.map((c) => normalizeLinkValue(row[c]))]));
    if (!entry || rowFingerprint(hmacKey, row, entry.masks) === entry.fingerprint) return none;
    return new Set(entry.masks.map((m) => m.column));
  };
}

/** Keyed hashes of every identity value in the subject's rows: a hold placed by phone also stops an erase by email. */
function foundIdentityHashes(map: DataMap, data: SubjectData, store: StateStore): string[] {
  const hashes = new Set<string>();
  for (const [id, found] of data.tables) {
    for (const [type, column] of Object.entries(map.tables[id].identify)) {
      const normalizer = map.identities[type]?.normalize ?? 'none';
      for (const row of found.rows) {
        const v = row[column];
        const text = v === null || v === undefined ? '' : normalizeIdentity(normalizer, String(v));
        if (text) hashes.add(store.subjectHash(type, text));
      }
    }
  }
  return [...hashes];
}
