// The state store: the request ledger, legal holds, opt-outs, run checkpoints and scheduler job runs.
// PostgreSQL when the data map's `state.url` is set, else SQLite at `<dir>/.dsar/state.db`.
import { SystemError, UsageError } from '../errors.ts';
import type { Hold, StateBackend } from './backend.ts';
import { Checkpoints } from './checkpoints.ts';
import { DpBudgets } from './dp-budget.ts';
import { Holds } from './holds.ts';
import { JobRuns } from './job-runs.ts';
import { Ledger } from './ledger.ts';
import { OptOuts } from './optouts.ts';
import { openPostgresBackend } from './postgres-backend.ts';
import { openSqliteBackend } from './sqlite-backend.ts';
import { SweepShares } from './sweep-shares.ts';
import { identitySealer, type IdentitySealer } from './identity-seal.ts';
import { loadSubjectKey, subjectHasher, type SubjectHasher } from './subject-key.ts';

export interface StateStoreOptions {
  /** A PostgreSQL URL (the data map's resolved `state.url`); when absent, the embedded SQLite file is used. */
  url?: string;
  /** Directory that holds `.dsar/state.db`; defaults to the working directory. */
  dir?: string;
  /** secrets.hmac_key: unseals the subject key. Without it the store opens, but naming a subject (a hash, a hold's
   *  identity) is refused: ledger and job listings need no key, requests do. */
  hmacKey?: Buffer;
}

export interface StateStore {
  /** Several machines may share it (see StateBackend.shared). */
  readonly shared: boolean;
  /** Printable location: the SQLite file path or the PostgreSQL URL without its password. */
  readonly location: string;
  /** HMAC-SHA-256 (hex) of `type:value` under this installation's key: how the state refers to a subject. */
  subjectHash(identityType: string, normalizedValue: string): string;
  readonly ledger: Ledger;
  readonly holds: Holds;
  readonly optouts: OptOuts;
  readonly checkpoints: Checkpoints;
  readonly jobRuns: JobRuns;
  /** Differentially private releases and what they spent. */
  readonly dpBudgets: DpBudgets;
  /** Distributed sweeps: their shares and progress. */
  readonly sweepShares: SweepShares;
  /** See StateBackend.hold: one run of an operation at a time (an erasure per ticket). */
  hold(name: string): Promise<Hold>;
  close(): Promise<void>;
}

const SYSTEM = 'state';
const NEEDS_KEY = 'secrets.hmac_key is not set (env:DSAR_HMAC_KEY): the state store keeps its subject key sealed under it, so every command that names a subject needs it';

function needsKey(): never {
  throw new UsageError(NEEDS_KEY);
}

export async function openStateStore(opts: StateStoreOptions = {}): Promise<StateStore> {
  let backend: StateBackend;
  try {
    backend = opts.url ? openPostgresBackend(opts.url) : openSqliteBackend(opts.dir ?? process.cwd());
  } catch (err) {
    throw new SystemError(SYSTEM, undefined, `cannot open the state store: ${(err as Error).message}`, err);
  }
  let subjectHash: SubjectHasher = needsKey;
  let sealer: IdentitySealer = { seal: needsKey, open: needsKey };
  try {
    await backend.migrate();
    if (opts.hmacKey?.length) {
      const subjectKey = await loadSubjectKey(backend.db, opts.hmacKey);
      subjectHash = subjectHasher(subjectKey);
      sealer = identitySealer(subjectKey);
    }
  } catch (err) {
    await backend.close().catch(() => {});
    if (err instanceof UsageError) throw err;
    throw new SystemError(SYSTEM, undefined, `cannot open the state store at ${backend.location}: ${(err as Error).message}`, err);
  }
  return {
    shared: backend.shared,
    location: backend.location,
    subjectHash,
    ledger: new Ledger(backend),
    holds: new Holds(backend, subjectHash, sealer),
    optouts: new OptOuts(backend, subjectHash),
    checkpoints: new Checkpoints(backend),
    jobRuns: new JobRuns(backend),
    dpBudgets: new DpBudgets(backend),
    sweepShares: new SweepShares(backend),
    hold: (name) => backend.hold(name),
    close: () => backend.close(),
  };
}

export type { LedgerAppend, LedgerEntry, LedgerEvent, LedgerKind, LedgerOutcome, LedgerVerification, RequestSummary } from './ledger.ts';
export type { Hold } from './holds.ts';
export type { OptOut, OptOutScope } from './optouts.ts';
export type { Checkpoint } from './checkpoints.ts';
export type { JobOutcome, JobRun, JobStatus } from './job-runs.ts';
export type { Law } from './statutory.ts';
