// The replicas a sweep watches, per system: listed ones through their own connections (each asked for its own lag),
// discovered ones through the primary (PostgreSQL pg_stat_replication). A listed replica that cannot be reached,
// or cannot tell its lag, counts as lagging: the sweep waits rather than skip the check.
import { createConnector } from '../../connectors/index.ts';
import { isSqlConnector, type Connector, type ReplicaStatus, type SqlConnector } from '../../connectors/connector.ts';
import type { DataMap, SystemDef } from '../datamap/types.ts';
import { formatElapsed } from '../datamap/elapsed.ts';
import { UsageError } from '../errors.ts';

export interface ReplicaReading {
  replica: string;
  status: ReplicaStatus;
}

export interface SystemReplicas {
  system: string;
  maxLagMs: number;
  /** How the replicas are found, for the plan: `2 listed` or `discovered from the primary`. */
  describe: string;
  /** Every replica's lag now. */
  read(): Promise<ReplicaReading[]>;
  close(): Promise<void>;
}

/** What the plan shows of the replicas watched: names only, never a URL. */
export interface ReplicaPlan {
  system: string;
  replicas: string;
  maxLag: string;
}

/**
 * The replicas of the systems swept. A listed replica's URL that is not set is bad configuration (exit 2, before
 * anything runs); connections open on the first reading.
 */
export function watchReplicas(map: DataMap, systems: Iterable<string>, primaryOf: (system: string) => Connector | undefined): SystemReplicas[] {
  const out: SystemReplicas[] = [];
  for (const name of new Set(systems)) {
    const def = map.systems[name];
    if (!def?.replicas) continue;
    out.push(def.replicas.kind === 'discover' ? discovered(def, () => primaryOf(name)) : listed(def));
  }
  return out;
}

export function replicaPlan(watched: readonly SystemReplicas[]): ReplicaPlan[] {
  return watched.map((w) => ({ system: w.system, replicas: w.describe, maxLag: formatElapsed(w.maxLagMs) }));
}

function listed(def: SystemDef): SystemReplicas {
  if (def.replicas?.kind !== 'listed') throw new Error('listed() takes a system with listed replicas');
  const replicas = def.replicas.urls.map((secret, i) => {
    const url = secret.resolve();
    if (!url) throw new UsageError(`systems.${def.name}.replicas[${i}]: ${secret.ref} is not set (${def.loc.file}:${secret.loc.line}:${secret.loc.column})`);
    const label = `${def.name} replica ${i + 1} (${secret.ref})`;
    return { label, connector: createConnector({ system: label, kind: def.kind, url }) as SqlConnector };
  });
  return {
    system: def.name,
    maxLagMs: def.maxLagMs,
    describe: `${replicas.length} listed: ${def.replicas.urls.map((s) => s.ref).join(', ')}`,
    read: () => Promise.all(replicas.map(async (r) => ({ replica: r.label, status: await r.connector.replicaStatus() }))),
    async close() {
      await Promise.all(replicas.map((r) => r.connector.close().catch(() => {})));
    },
  };
}

function discovered(def: SystemDef, primaryOf: () => Connector | undefined): SystemReplicas {
  return {
    system: def.name,
    maxLagMs: def.maxLagMs,
    describe: 'discovered from the primary (pg_stat_replication)',
    async read() {
      const primary = primaryOf();
      if (!primary || !isSqlConnector(primary)) return [{ replica: `${def.name} (primary)`, status: { unknown: 'the primary is not connected' } }];
      try {
        const found = (await primary.streamingReplicas()) ?? [];
        return found.map((r) => ({ replica: `${def.name} replica ${r.name}`, status: r.status }));
      } catch (err) {
        return [{ replica: `${def.name} (primary)`, status: { unknown: `cannot read pg_stat_replication: ${err instanceof Error ? err.message : String(err)}` } }];
      }
    },
    close: async () => {},
  };
}
