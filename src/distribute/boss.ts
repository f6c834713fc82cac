// pg-boss in the state store's PostgreSQL database (schema dsar_queue): the queue of distributed sweeps and,
// for `dsar schedule` with a PostgreSQL state store, the cron that fires the data map's jobs.
import PgBoss from 'pg-boss';
import { someCause, SystemError } from '../errors.ts';
import { retry } from '../retry.ts';
import { isPostgresInstallRace } from '../../connectors/engine-errors.ts';

export const QUEUE_SCHEMA = 'dsar_queue';

export interface BossOptions {
  /** Run pg-boss's maintenance (expiring active jobs whose worker died); one instance at a time does it. */
  supervise?: boolean;
  maintenanceSeconds?: number;
  /** Run pg-boss's cron monitor (`boss.schedule`): how often it looks for schedules due, in seconds. */
  cronSeconds?: number;
  /** Queues created (if missing) before the caller uses them. */
  queues?: readonly string[];
  /** What the queue is for, in the error when it cannot be opened. */
  what: string;
}

/** Replicas started together on a fresh state database race to install pg-boss's schema: the loser starts again. */
function isInstallRace(err: unknown): boolean {
  return someCause(err, isPostgresInstallRace);
}

export async function startBoss(stateUrl: string, o: BossOptions): Promise<PgBoss> {
  try {
    return await retry(() => startOnce(stateUrl, o), { attempts: 5, backoffMs: 100, retryable: isInstallRace });
  } catch (err) {
    throw new SystemError('state', undefined, `cannot open ${o.what}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

async function startOnce(stateUrl: string, o: BossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: stateUrl,
    schema: QUEUE_SCHEMA,
    application_name: 'dsar',
    max: 2,
    supervise: o.supervise ?? true,
    maintenanceIntervalSeconds: o.maintenanceSeconds ?? 10,
    schedule: o.cronSeconds !== undefined,
    ...(o.cronSeconds !== undefined ? { cronMonitorIntervalSeconds: o.cronSeconds, cronWorkerIntervalSeconds: 1 } : {}),
  });
  // Maintenance errors (a lost connection) are retried by pg-boss on its next pass; a call that fails throws.
  boss.on('error', () => undefined);
  try {
    await boss.start();
    for (const name of o.queues ?? []) await boss.createQueue(name, { name, policy: 'standard' });
    return boss;
  } catch (err) {
    await boss.stop({ graceful: false, wait: false }).catch(() => {});
    throw err;
  }
}
