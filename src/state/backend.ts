// What differs between the two engines that can hold the state: how to open them and how to run a write that
// must not interleave with the same write in another process. Everything else is plain kysely, shared.
import type { Kysely, RawBuilder } from 'kysely';
import type { StateDatabase } from './schema.ts';

export interface StateBackend {
  /** Where the state lives, safe to print: the file path, or the URL without its password. */
  readonly location: string;
  readonly db: Kysely<StateDatabase>;
  /** Several machines may share this state (a server): their leases and ticks go by the database's clock. */
  readonly shared: boolean;
  /** The database's clock, `agoMs` earlier, as ISO-8601 UTC text with milliseconds (what the state's columns hold). */
  clockText(agoMs?: number): RawBuilder<string>;
  /** Runs `work` in one transaction that holds the named lock across processes until it commits. */
  exclusive<T>(lockName: string, work: (db: Kysely<StateDatabase>) => Promise<T>): Promise<T>;
  /**
   * Runs `work` committed without waiting for the disk: a killed process loses nothing, a power failure may lose
   * the last writes. Only for writes whose loss costs repeated idempotent work (a sweep's position), never a record.
   */
  relaxed<T>(work: (db: Kysely<StateDatabase>) => Promise<T>): Promise<T>;
  /**
   * Holds `name` for this process until release(), or until the process dies, even by kill -9 (the operating system
   * or the database drops the lock with it): one run of an operation at a time, across processes and machines.
   */
  hold(name: string): Promise<Hold>;
  /** Creates or upgrades the schema; safe when another process does the same at the same moment. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The lock `hold` took, or `held` when another live process has it. */
export type Hold = { held: false; release(): Promise<void> } | { held: true };
