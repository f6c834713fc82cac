// The brakes an operator puts on a sweep (pt-archiver's --run-time, --sleep, --max-lag): a deadline from
// --max-runtime or a daily window's end, a rate in rows per second, a pause after each batch, and replication lag.
// The sweep asks before each batch; at the deadline it finishes the batches in flight, keeps their checkpoints and
// stops (the next run resumes). While a replica lags, or cannot say, it waits: never past the deadline.
import { formatElapsed } from '../datamap/elapsed.ts';
import { parseWindow, windowEnd } from '../datamap/window.ts';
import { UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { replicaPlan, type ReplicaPlan, type ReplicaReading, type SystemReplicas } from './replica-watch.ts';

export interface BrakeSettings {
  maxRuntimeMs?: number;
  /** `01:00-05:00` in `timeZone`. */
  window?: string;
  timeZone: string;
  /** Rows changed per second, at most. */
  maxRate?: number;
  /** Wait after each batch (its writes landed first). */
  pauseMs?: number;
  /** Replication lag is read before the first batch and then every this many batches of a system. */
  lagCheckEvery: number;
}

export const DEFAULT_LAG_CHECK_EVERY = 10;
/** While paused for lag: how often the replicas are read again, and how often the log says the sweep still waits. */
const LAG_POLL_MS = 1000;
const LAG_LOG_EVERY_MS = 30_000;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** The brakes as the plan (and --dry-run, and --json) shows them. */
export interface BrakePlan {
  maxRuntime?: string;
  window?: string;
  timeZone?: string;
  /** When the run stops at the latest (ISO): the earlier of --max-runtime and the window's end. */
  deadline?: string;
  maxRate?: number;
  pauseMs?: number;
  replicas: ReplicaPlan[];
  lagCheckEvery?: number;
}

export interface LagPause {
  system: string;
  /** The replicas over the limit, or unable to say, when the pause began. */
  why: string[];
  waitedMs: number;
}

interface PendingReading {
  reading: Promise<ReplicaReading[]>;
  /** Set once the reading answered. */
  answer?: ReplicaReading[];
}

export type StopReason = 'max-runtime' | 'window' | 'stop-requested';

export class SweepBrakes {
  readonly plan: BrakePlan;
  readonly lagPauses: LagPause[] = [];
  /** Set once the deadline has stopped the run. */
  stopped?: StopReason;
  /** A window that does not contain the start: the run does nothing. */
  readonly outsideWindow: boolean;
  readonly #deadline?: { at: number; reason: StopReason };
  readonly #replicas: Map<string, SystemReplicas>;
  readonly #batchesSinceCheck = new Map<string, number>();
  /** Per system, the reading started between batches and not acted on yet. */
  readonly #readings = new Map<string, PendingReading>();
  readonly #started: number;
  #rowsChanged = 0;

  constructor(
    private readonly settings: BrakeSettings,
    replicas: readonly SystemReplicas[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#started = clock.now();
    this.#replicas = new Map(replicas.map((r) => [r.system, r]));
    const candidates: Array<{ at: number; reason: StopReason }> = [];
    if (settings.maxRuntimeMs) candidates.push({ at: this.#started + settings.maxRuntimeMs, reason: 'max-runtime' });
    let outside = false;
    if (settings.window) {
      const w = parseWindow(settings.window);
      if (typeof w === 'string') throw new UsageError(`--window ${settings.window}: ${w}`);
      const end = windowEnd(w, new Date(this.#started), settings.timeZone);
      if (end) candidates.push({ at: end.getTime(), reason: 'window' });
      else outside = true;
    }
    this.outsideWindow = outside;
    this.#deadline = candidates.sort((a, b) => a.at - b.at)[0];
    this.plan = {
      ...(settings.maxRuntimeMs ? { maxRuntime: formatElapsed(settings.maxRuntimeMs) } : {}),
      ...(settings.window ? { window: settings.window, timeZone: settings.timeZone } : {}),
      ...(this.#deadline ? { deadline: new Date(this.#deadline.at).toISOString() } : {}),
      ...(settings.maxRate ? { maxRate: settings.maxRate } : {}),
      ...(settings.pauseMs ? { pauseMs: settings.pauseMs } : {}),
      replicas: replicaPlan(replicas),
      ...(replicas.length ? { lagCheckEvery: settings.lagCheckEvery } : {}),
    };
  }

  /** An operator's stop (SIGTERM to a worker): the batches in flight finish and are checkpointed. */
  requestStop(): void {
    this.stopped ??= 'stop-requested';
  }

  /** A pause or a rate asks for each batch's writes to land before the next batch starts (none overlap). */
  get serialWrites(): boolean {
    return Boolean(this.settings.pauseMs || this.settings.maxRate);
  }

  /** False once the deadline has passed: start no new batch or table. */
  get running(): boolean {
    if (this.stopped) return false;
    if (this.#deadline && this.clock.now() >= this.#deadline.at) {
      this.stopped = this.#deadline.reason;
      this.log.info({ reason: this.stopped }, this.stopped === 'window' ? "sweep stopped at its window's end" : 'sweep stopped at its --max-runtime');
    }
    return !this.stopped;
  }

  /**
   * Before a batch of `system`: waits out the rate, then any replication lag over the limit. False when the
   * deadline came first (the batch must not start).
   */
  async beforeBatch(system: string): Promise<boolean> {
    if (!this.running) return false;
    if (this.settings.maxRate) {
      const due = this.#started + (this.#rowsChanged * 1000) / this.settings.maxRate;
      const wait = Math.min(due, this.#deadline?.at ?? Infinity) - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      if (!this.running) return false;
    }
    return this.#waitForReplicas(system);
  }

  /** After a batch's writes committed: `rows` rows changed (the rate's measure). */
  async afterBatch(rows: number): Promise<void> {
    this.#rowsChanged += rows;
    if (this.settings.pauseMs) await this.clock.sleep(this.settings.pauseMs);
  }

  /**
   * Before the first batch of a system, its replicas are read and waited for. After that, every `lagCheckEvery`
   * batches a reading is started without waiting for it, so that its round trips overlap the batches instead of
   * holding them up; the batch after it answered acts on it (waits while a replica is behind). A reading still
   * unanswered when the next is due is waited for: a slow or unreachable replica is never skipped.
   */
  async #waitForReplicas(system: string): Promise<boolean> {
    const watched = this.#replicas.get(system);
    if (!watched) return true;
    const since = this.#batchesSinceCheck.get(system);
    if (since === undefined) {
      this.#batchesSinceCheck.set(system, 0);
      return this.#waitWhileBehind(system, watched, await readSafely(watched));
    }
    const pending = this.#readings.get(system);
    if (pending?.answer) {
      this.#readings.delete(system);
      if (behindOf(watched, pending.answer).length) return this.#waitWhileBehind(system, watched, pending.answer);
    }
    if (since + 1 < this.settings.lagCheckEvery) {
      this.#batchesSinceCheck.set(system, since + 1);
      return true;
    }
    this.#batchesSinceCheck.set(system, 0);
    if (pending && !pending.answer) {
      this.#readings.delete(system);
      return this.#waitWhileBehind(system, watched, await pending.reading);
    }
    const reading: PendingReading = { reading: readSafely(watched) };
    void reading.reading.then((answer) => (reading.answer = answer));
    this.#readings.set(system, reading);
    return true;
  }

  async #waitWhileBehind(system: string, watched: SystemReplicas, first: ReplicaReading[]): Promise<boolean> {
    let pause: LagPause | undefined;
    let lastLog = 0;
    for (let readings = first; ; readings = await readSafely(watched)) {
      const behind = behindOf(watched, readings);
      if (!behind.length) break;
      const now = this.clock.now();
      if (!pause) {
        pause = { system, why: behind.map(describeReading), waitedMs: 0 };
        this.lagPauses.push(pause);
      }
      if (now - lastLog >= LAG_LOG_EVERY_MS) {
        lastLog = now;
        this.log.warn({ system, maxLagMs: watched.maxLagMs, replicas: behind.map(describeReading) }, 'sweep paused: a replica is behind or cannot say how far');
      }
      const wait = Math.min(LAG_POLL_MS, (this.#deadline?.at ?? Infinity) - now);
      if (wait <= 0 || !this.running) break;
      const t0 = this.clock.now();
      await this.clock.sleep(wait);
      pause.waitedMs += this.clock.now() - t0;
    }
    if (pause) this.log.info({ system, waitedMs: pause.waitedMs }, this.stopped ? 'sweep stopped while waiting for a replica' : 'replicas caught up: sweep resumes');
    return this.running;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#readings.values()].map((r) => r.reading));
    await Promise.all([...this.#replicas.values()].map((r) => r.close()));
  }
}

function behindOf(watched: SystemReplicas, readings: readonly ReplicaReading[]): ReplicaReading[] {
  return readings.filter((r) => !('lagMs' in r.status) || r.status.lagMs > watched.maxLagMs);
}

/** A reading that failed as a whole counts as a replica that cannot say (the sweep waits). */
async function readSafely(watched: SystemReplicas): Promise<ReplicaReading[]> {
  try {
    return await watched.read();
  } catch (err) {
    return [{ replica: watched.system, status: { unknown: err instanceof Error ? err.message : String(err) } }];
  }
}

function describeReading(r: ReplicaReading): string {
  return 'lagMs' in r.status ? `${r.replica}: ${formatElapsed(r.status.lagMs)} behind` : `${r.replica}: ${r.status.unknown}`;
}
