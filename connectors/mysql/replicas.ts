// MySQL and MariaDB replication as a sweep watches it: the replica's own SHOW REPLICA STATUS.
import { sql, type Kysely } from 'kysely';
import type { ReplicaStatus } from '../connector.ts';
import { describeError, type SqlReplication } from '../sql-base.ts';

export const mysqlReplication: SqlReplication = {
  async status(db: Kysely<any>): Promise<ReplicaStatus> {
    const rows = await replicaStatusRows(db);
    if (!rows.length) return { unknown: 'not a replica (SHOW REPLICA STATUS is empty)' };
    // A multi-source replica has one row per source: the worst one counts.
    let worst = 0;
    for (const r of rows) {
      const seconds = r.Seconds_Behind_Source ?? r.Seconds_Behind_Master;
      if (seconds === null || seconds === undefined) {
        // NULL: the SQL (applier) thread is stopped, or the IO thread lost its source: the lag is not known.
        const sqlThread = r.Replica_SQL_Running ?? r.Slave_SQL_Running;
        const ioThread = r.Replica_IO_Running ?? r.Slave_IO_Running;
        return { unknown: `replication is not running (SQL thread: ${sqlThread ?? '?'}, IO thread: ${ioThread ?? '?'})` };
      }
      worst = Math.max(worst, Number(seconds));
    }
    return { lagMs: worst * 1000 };
  },
};

type StatusRow = Record<string, string | number | null | undefined>;

/** SHOW REPLICA STATUS (MySQL 8.0.22+, MariaDB 10.5.1+), else the older SHOW SLAVE STATUS. */
async function replicaStatusRows(db: Kysely<any>): Promise<StatusRow[]> {
  try {
    return (await sql<StatusRow>`SHOW REPLICA STATUS`.execute(db)).rows;
  } catch (err) {
    if (!/syntax/i.test(describeError(err))) throw err;
    return (await sql<StatusRow>`SHOW SLAVE STATUS`.execute(db)).rows;
  }
}
