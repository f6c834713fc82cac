// The parsed data map: the boundary type every command reads. Produced by load.ts, checked by validate.ts.
import type { DataMapIssue, Location } from '../errors.ts';
import type { DeclaredCategory } from './taxonomy.ts';

export type SystemKind = 'postgres' | 'mysql' | 'sqlite' | 'files';
export type FileFormat = 'csv' | 'json' | 'ndjson';
export type Normalizer = 'lowercase-trim' | 'digits' | 'trim' | 'none';
export type MaskName = 'null' | 'redact' | 'hash' | 'fake' | 'generalize' | 'random' | 'keep';
export type EraseAction = 'delete' | 'anonymize' | 'keep';

/** A value that may be `env:NAME`; resolved only when a command needs it, so `validate` runs without secrets. */
export interface Secret {
  /** The text as written (`env:APP_URL` or a literal). Never log a resolved value. */
  readonly ref: string;
  readonly loc: Location;
  /** The value, or undefined when the environment variable is unset. */
  resolve(): string | undefined;
}

export interface IdentityType {
  name: string;
  normalize: Normalizer;
  loc: Location;
}

export interface SystemDef {
  name: string;
  kind: SystemKind;
  url?: Secret; // postgres, mysql
  path?: string; // sqlite file, files directory; resolved against the data map's directory
  format?: FileFormat; // files
  /** postgres, mysql: where a sweep watches replication lag between batches (none: no check). */
  replicas?: ReplicaSource;
  /** Lag above which a sweep pauses, in ms (`max_lag`, default 5s). */
  maxLagMs: number;
  loc: Location;
}

/** A system's replicas: listed by URL (each `env:NAME`), or discovered from the primary (PostgreSQL). */
export type ReplicaSource = { kind: 'listed'; urls: Secret[] } | { kind: 'discover' };

/** `3y`, `18m`, `90d`, `12h`: calendar arithmetic for y/m/d. */
export interface Duration {
  amount: number;
  unit: 'y' | 'm' | 'd' | 'h';
  text: string;
}

export interface RetentionRule {
  name: string;
  keep: Duration;
  after: string; // column holding the start of the period
  then: 'anonymize' | 'delete';
  /** The basis as written: a ground of basis.ts, optionally with a note (`legal-obligation (tax records)`). */
  basis?: string;
  /** The ground alone (`legal-obligation`). */
  ground?: string;
  /** The ground keeps the row against erasure (GDPR Art. 17(3)): while `keep` runs, erasure only anonymizes identifying fields. */
  overridesErasure: boolean;
  loc: Location;
}

export interface FieldDef {
  column: string;
  category: string;
  mask: MaskName;
  /** Options for the mask, e.g. `{ bucket: 10 }` for generalize of a number, `{ prefix: 3 }` for a postal code. */
  maskOptions: Record<string, unknown>;
  /** Identifies the subject (names, contact details, identifiers). Defaults from the category; overridable. */
  identifying: boolean;
  loc: Location;
}

export interface ColumnRef {
  system: string;
  table: string;
  column: string;
}

export interface LinkDef {
  column: string;
  references: ColumnRef;
  /** One-way: this row -> the referenced row (the referenced row belongs to this row's subject). */
  owns: boolean;
  loc: Location;
}

export interface TableDef {
  /** `system.table` */
  id: string;
  system: string;
  table: string;
  key: string[];
  /** identity type -> column */
  identify: Record<string, string>;
  retention?: string;
  onErase: EraseAction;
  fields: Record<string, FieldDef>;
  links: LinkDef[];
  /** Rows of a subject younger than `under` years (by `column`) mark a child. */
  child?: { column: string; under: number };
  /** Purposes such as `marketing`: opted-out subjects are excluded from such tables. */
  purposes: string[];
  /** Why no identity reaches this table (swept by retention only); without it an unreachable table is an error. */
  unlinked?: string;
  loc: Location;
}

export type ExtractRole = 'quasi' | 'sensitive' | 'pseudonym' | 'keep';

export interface ExtractColumn {
  column: string;
  role: ExtractRole;
  /** Generalization ladder for quasi columns: `year`, `5-years`, `10-years`, `prefix-N`, `bucket-N`, `*`. */
  generalize: string[];
  loc: Location;
}

export type MeasureFn = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max';

export interface Measure {
  name: string;
  fn: MeasureFn;
  column?: string;
  loc: Location;
}

/** Differential privacy of an aggregate (`privacy.dp`): noise calibrated to bounded contributions. */
export interface DpSettings {
  epsilon: number;
  /** 0 for pure Laplace with a declared domain. */
  delta: number;
  mechanism: 'laplace' | 'gaussian';
  /** Cells one subject may contribute to (L0 bound); their other cells are dropped, chosen per run by a keyed random order. */
  maxCellsPerSubject: number;
  /** Per summed column: a subject's total in a cell is clamped to [lo, hi]. */
  bounds: Record<string, [number, number]>;
  /** Per summed column: sums are noised in integer multiples of this (default 1). */
  resolution: Record<string, number>;
  loc: Location;
}

/** The privacy budget a DP extract spends from (per `budget_group`, default the extract's name). */
export interface DpBudget {
  group: string;
  epsilon: number;
  delta: number;
  per: Duration;
  loc: Location;
}

/** Where a group column's published values come from: a list, or the distinct values of a declared table's column. */
export type DomainDef = { values: unknown[]; loc: Location } | { column: ColumnRef; loc: Location };

export interface ExtractDef {
  name: string;
  from: { system: string; table: string };
  /** column -> value (equality) or `{ op, value }` */
  where: Array<{ column: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'is null' | 'is not null'; value?: unknown }>;
  excludeOptouts?: 'sharing' | 'marketing';
  /** identity type -> column of `from`, for opt-out matching (defaults to the table's `identify`). */
  identify: Record<string, string>;
  /** The column naming each row's subject, as written (`subject:`); see extract/subject.ts for how it is found otherwise. */
  subject?: string;
  /** Links from the source to declared tables (as under `tables:`): they name the subject and carry opt-outs to it. */
  links: LinkDef[];
  columns: Record<string, ExtractColumn>;
  groupBy: string[];
  measures: Measure[];
  /** k; `l` with its diversity model (distinct when written as a number); t-closeness; the suppression limit. */
  privacy: { k: number; l?: number; diversity?: 'distinct' | 'entropy' | 'recursive'; c?: number; t?: number; maxSuppression: number; dp?: DpSettings };
  /** DP extracts: the budget their releases are charged to. */
  budget?: DpBudget;
  /** DP extracts: per group_by column, the cells that may appear (all of them do, noised); without it, a threshold chooses. */
  domain: Record<string, DomainDef>;
  output: 'csv' | 'ndjson' | 'json';
  kind: 'record' | 'aggregate';
  loc: Location;
}

export interface JobDef {
  name: string;
  run: string; // `sweep`, `extract <name>`, ... (a dsar command line)
  cron: string;
  catchUp: boolean;
  /** `01:00-05:00`: a sweep job runs only inside this daily window (the map's timezone) and stops at its end. */
  window?: string;
  loc: Location;
}

export interface DataMap {
  file: string;
  dir: string;
  /** SHA-256 of the file's bytes, recorded in manifests and the ledger. */
  hash: string;
  version: number;
  timezone: string;
  identities: Record<string, IdentityType>;
  /** Sub-categories the map adds to the taxonomy. */
  categories: Record<string, DeclaredCategory>;
  state: { url?: Secret };
  secrets: { hmacKey?: Secret };
  systems: Record<string, SystemDef>;
  retention: Record<string, RetentionRule>;
  tables: Record<string, TableDef>;
  extracts: Record<string, ExtractDef>;
  jobs: Record<string, JobDef>;
  /** Legal but likely wrong (an identifying field kept, a link joining two people): `validate` lists them. */
  warnings: DataMapIssue[];
  /**
   * Declared tables no identity reaches. `validate` fails on them, and so does every subject request (export,
   * erase) through planTraversal: it would leave them out without a word. Sweeps and extracts do not depend on it.
   */
  unreachable: DataMapIssue[];
}
