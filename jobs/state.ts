// The job runs' state store, as the other commands open it, and its failures as typed errors.
import type { DataMap } from '../src/datamap/types.ts';
import { isExpected, SystemError } from '../src/errors.ts';
import { openStateFor } from '../src/state/for-map.ts';
import type { StateStore } from '../src/state/store.ts';

export function openJobState(map: DataMap): Promise<StateStore> {
  return openStateFor(map);
}

/** A failed read or write of the job runs: one line naming the state store, not a stack trace. */
export function stateFailure(err: unknown, store: StateStore): unknown {
  if (isExpected(err)) return err;
  return new SystemError('state', 'dsar_job_runs', `${store.location}: ${err instanceof Error ? err.message : String(err)}`, err);
}
