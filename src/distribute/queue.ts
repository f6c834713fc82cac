// The work queue of distributed sweeps: pg-boss in the state store's PostgreSQL database (schema dsar_queue).
//
// Why pg-boss 10: of the two maintained PostgreSQL job libraries, graphile-worker 0.17+ and pg-boss 11+ need Node
// 22; graphile-worker 0.16 keeps a dead worker's job locked for four hours, while pg-boss 10 (Node 20+) expires an
// active job after its own `expireInSeconds`, judged by the database's clock, and retries it. That is the lease:
// a worker killed with SIGKILL loses its share for at most one lease, and another worker resumes it from its
// checkpoint. A worker stops each share at 80% of its lease and queues the rest, so a live worker's share never
// expires under it (which would run one range on two workers at once).
import { startBoss } from './boss.ts';

export const SWEEP_QUEUE = 'dsar-sweep-share';

export interface ShareJob {
  run: string;
  share: string;
}

export interface FetchedShare {
  id: string;
  data: ShareJob;
  /** pg-boss will not hand this job out again if it fails: its failure is the share's last. */
  finalAttempt: boolean;
}

export interface SweepQueue {
  /** Queues the shares; the caller sends each once (SweepShares.release hands a share to one caller only). */
  send(jobs: readonly ShareJob[], leaseMs: number, delayMs?: number): Promise<void>;
  /** The next share to sweep, or undefined when none is due. */
  fetch(): Promise<FetchedShare | undefined>;
  complete(id: string): Promise<void>;
  fail(id: string, message: string): Promise<void>;
  close(): Promise<void>;
}

/** Retries of a share whose worker died or failed, before it stays failed. */
const RETRY_LIMIT = 5;

export async function openSweepQueue(stateUrl: string, opts: { supervise?: boolean; maintenanceSeconds?: number } = {}): Promise<SweepQueue> {
  // Expired leases are found by the maintenance pass: often enough for leases of a few minutes.
  const boss = await startBoss(stateUrl, { ...opts, queues: [SWEEP_QUEUE], what: 'the sweep queue' });
  return {
    async send(jobs, leaseMs, delayMs) {
      for (const job of jobs) {
        await boss.send(SWEEP_QUEUE, { ...job }, {
          ...(delayMs ? { startAfter: Math.max(1, Math.round(delayMs / 1000)) } : {}),
          singletonKey: `${job.run}/${job.share}`,
          expireInSeconds: Math.max(1, Math.round(leaseMs / 1000)),
          retryLimit: RETRY_LIMIT,
          retryDelay: 1,
        });
      }
    },
    async fetch() {
      const jobs = await boss.fetch<ShareJob>(SWEEP_QUEUE, { batchSize: 1, includeMetadata: true });
      const job = jobs?.[0];
      return job ? { id: job.id, data: job.data, finalAttempt: job.retryCount >= job.retryLimit } : undefined;
    },
    complete: (id) => boss.complete(SWEEP_QUEUE, id),
    fail: (id, message) => boss.fail(SWEEP_QUEUE, id, { message }),
    async close() {
      await boss.stop({ graceful: false, wait: true, close: true });
    },
  };
}
