// Row types of the state tables, as kysely sees them. Timestamps are ISO-8601 UTC text and dates `YYYY-MM-DD`
// text on both engines, so a row reads back byte-for-byte the same everywhere (the ledger hashes what it stored).

export interface MetaTable {
  key: string;
  value: string;
}

export interface LedgerTable {
  /** 1, 2, 3, ... assigned by the appender, never by a sequence, so a missing number is a deleted entry. */
  id: number;
  ticket: string | null;
  kind: string;
  event: string;
  subject_hash: string | null;
  actor: string;
  started_at: string;
  ended_at: string | null;
  outcome: string;
  /** Canonical JSON text. */
  row_counts: string;
  /** Canonical JSON text. */
  detail: string;
  received_on: string | null;
  law: string | null;
  due_on: string | null;
  prev_hash: string;
  entry_hash: string;
}

export interface HoldTable {
  subject_hash: string;
  identity_type: string;
  /** The normalized identity, sealed (identity-seal.ts); NULL for holds placed before migration 0002. */
  identity_sealed: string | null;
  reason: string;
  actor: string;
  created_at: string;
}

export interface OptOutTable {
  subject_hash: string;
  scope: string;
  identity_type: string;
  actor: string;
  created_at: string;
}

export interface CheckpointTable {
  run_key: string;
  step: string;
  /** JSON text. */
  data: string;
  saved_at: string;
}

export interface RunStepTable {
  run_key: string;
  step_id: string;
  /** JSON text. */
  detail: string;
  done_at: string;
}

export interface JobRunTable {
  job: string;
  tick: string;
  owner: string;
  status: string;
  attempts: number;
  started_at: string;
  heartbeat_at: string;
  lease_until: string;
  ended_at: string | null;
  /** JSON text. */
  detail: string;
}

/** One differentially private release, hash-chained like the request ledger. Never a true value of a cell. */
export interface DpReleaseTable {
  /** 1, 2, 3, ... assigned by the appender. */
  id: number;
  budget_group: string;
  extract: string;
  released_at: string;
  mechanism: string;
  /** Canonical JSON: { epsilon, delta, rho?, deltaConversion? }. */
  charge: string;
  /** Canonical JSON: cells, queries and their noise scales, the output's hash. */
  detail: string;
  actor: string;
  prev_hash: string;
  entry_hash: string;
}

export interface SweepRunTable {
  run_id: string;
  created_at: string;
  /** Canonical JSON: as-of, batch size, lease, the tables and their order. */
  settings: string;
}

export interface SweepShareTable {
  run_id: string;
  /** `app.events` or `app.events#3` (the 4th key range). */
  share_id: string;
  table_id: string;
  /** The share's place among its table's ranges (0 for a whole table). */
  position: number;
  /** JSON list of tables whose shares must all be done before this one starts (children before parents). */
  after_tables: string;
  /** The key range, sealed (a key may be personal): null for a whole table. */
  sealed_range: string | null;
  status: 'waiting' | 'queued' | 'running' | 'done' | 'failed';
  /** The worker running it (host:pid). */
  owner: string | null;
  attempts: number;
  rows_done: number;
  rows_left: number | null;
  started_at: string | null;
  updated_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface StateDatabase {
  dsar_sweep_runs: SweepRunTable;
  dsar_sweep_shares: SweepShareTable;
  dsar_dp_releases: DpReleaseTable;
  dsar_meta: MetaTable;
  dsar_ledger: LedgerTable;
  dsar_holds: HoldTable;
  dsar_optouts: OptOutTable;
  dsar_checkpoints: CheckpointTable;
  dsar_run_steps: RunStepTable;
  dsar_job_runs: JobRunTable;
}
