// The state store a data map points at: `state.url` (PostgreSQL) when set, else `.dsar/state.db` beside the data
// map (or under DSAR_STATE_DIR), so a cron job run from any working directory finds the same ledger and holds.
import type { DataMap } from '../datamap/types.ts';
import { openStateStore, type StateStore } from './store.ts';

export function stateDirFor(map: DataMap): string {
  return process.env.DSAR_STATE_DIR || map.dir;
}

export function openStateFor(map: DataMap): Promise<StateStore> {
  const hmacKey = map.secrets.hmacKey?.resolve();
  return openStateStore({ url: map.state.url?.resolve() || undefined, dir: stateDirFor(map), hmacKey: hmacKey ? Buffer.from(hmacKey, 'utf8') : undefined });
}
