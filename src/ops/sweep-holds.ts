// Legal holds beat retention: before anything is swept, every held identity is resolved to the keys of its rows,
// once per run, with the subject traversal (all held subjects in one breadth-first pass, set-based). The sweep then
// leaves those keys alone. A hold that cannot be resolved, or a traversal that could not read every system, stops
// the whole sweep: a held subject's rows must never be swept because they could not be found.
import type { Connector, KeyValues } from '../../connectors/connector.ts';
import { rowOrdinal } from '../../connectors/connector.ts';
import type { DataMap } from '../datamap/types.ts';
import { RefusedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TableSweep } from '../plan/sweep-plan.ts';
import { planTraversal } from '../plan/traversal.ts';
import { traverse } from './traverse.ts';
import type { StateStore } from '../state/store.ts';

export interface HeldRows {
  /** Held subjects. */
  subjects: number;
  /** `system.table` -> keys of held rows, in the plan's key columns. */
  keys: Map<string, KeyValues[]>;
}

export async function resolveHeldRows(
  map: DataMap,
  store: StateStore,
  connectors: Map<string, Connector>,
  tables: readonly TableSweep[],
  log: Logger,
): Promise<HeldRows> {
  const unresolvable = await store.holds.unresolvableHolds();
  const held = await store.holds.heldIdentities();
  const identities = held.filter((i) => map.identities[i.type]);
  const undeclared = held.length - identities.length;
  if (unresolvable || undeclared) {
    const why = [
      unresolvable && `${unresolvable} hold(s) keep no readable identity (placed before identities were sealed, or altered): lift and place them again`,
      undeclared && `${undeclared} hold(s) are on an identity type this data map no longer declares`,
    ].filter(Boolean);
    throw new RefusedError(`legal holds cannot be resolved to rows: ${why.join('; ')}; nothing was swept`);
  }
  const keys = new Map<string, KeyValues[]>();
  if (!identities.length) return { subjects: 0, keys };

  const data = await traverse(map, planTraversal(map, identities), connectors, log);
  if (data.unreachable.length) {
    throw new RefusedError(
      `legal holds could not be resolved everywhere (${data.unreachable.map((u) => u.message).join('; ')}); nothing was swept, so no held row is touched`,
    );
  }
  for (const t of tables) {
    const found = data.tables.get(t.id);
    if (!found) continue;
    keys.set(
      t.id,
      found.rows.map((row) => (t.key.length ? t.key.map((k) => row[k]) : [rowOrdinal(row)])),
    );
  }
  log.info({ subjects: identities.length, tables: keys.size, rows: [...keys.values()].reduce((n, k) => n + k.length, 0) }, 'legal holds resolved to rows');
  return { subjects: identities.length, keys };
}
