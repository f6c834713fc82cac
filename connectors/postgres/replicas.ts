// PostgreSQL replication as a sweep watches it: a standby's own view of how far its replay is behind, and the
// primary's view of the standbys streaming from it (pg_stat_replication).
import { sql, type Kysely } from 'kysely';
import type { DiscoveredReplica, ReplicaStatus } from '../connector.ts';
import type { SqlReplication } from '../sql-base.ts';

export const postgresReplication: SqlReplication = {
  // Caught up (everything received is replayed): no lag, however old the last transaction. Otherwise the age of the
  // last replayed transaction, by the standby's own clock, as the usual monitoring query measures it; a paused
  // replay with WAL waiting therefore shows a growing lag.
  async status(db: Kysely<any>): Promise<ReplicaStatus> {
    const { rows } = await sql<{ standby: boolean; caught_up: boolean | null; lag: string | number | null }>`select
        pg_is_in_recovery() as standby,
        pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() as caught_up,
        extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) as lag`.execute(db);
    const r = rows[0];
    if (!r?.standby) return { unknown: 'not a replica (pg_is_in_recovery() is false)' };
    if (r.caught_up) return { lagMs: 0 };
    if (r.lag === null) return { unknown: 'WAL is waiting and no transaction was replayed since the standby started' };
    return { lagMs: Math.max(0, Math.round(Number(r.lag) * 1000)) };
  },

  // replay_lag is the primary's measurement (its own clock on both ends). NULL once a standby has caught up and sent
  // nothing new: then the replay position tells.
  async streaming(db: Kysely<any>): Promise<DiscoveredReplica[]> {
    const { rows } = await sql<{ name: string; caught_up: boolean | null; lag: string | number | null }>`select
        coalesce(nullif(application_name, ''), 'walreceiver') || coalesce(' at ' || host(client_addr), '') as name,
        replay_lsn is not distinct from pg_current_wal_lsn() as caught_up,
        extract(epoch from replay_lag) as lag
      from pg_stat_replication where state = 'streaming' or state = 'catchup' order by pid`.execute(db);
    return rows.map((r) => ({
      name: r.name,
      status: r.caught_up ? { lagMs: 0 } : r.lag === null ? { unknown: 'behind, and the primary has no lag measurement yet' } : { lagMs: Math.round(Number(r.lag) * 1000) },
    }));
  },
};
