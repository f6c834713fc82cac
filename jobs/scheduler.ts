// Runs the data map's jobs on their cron schedules, safely with several replicas sharing one state store.
//
// Every tick is claimed in the state store (one row per job and tick), so exactly one replica runs it. The
// winner renews a lease while its child runs; a replica that finds a running run whose lease expired (its owner
// died) takes it over and runs the same command again, which resumes from the checkpoints it keeps itself.
// A job never overlaps itself: a tick that comes while a run of the job is going on (here or on another replica)
// is recorded as skipped. At start, a tick missed while no scheduler ran is reported, and run once if the job has
// `catch_up: true`. stop() forwards SIGTERM to the running children and hands their runs over to whoever resumes
// them next.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { JobDef } from '../src/datamap/types.ts';
import { silentLogger, type Logger } from '../src/log.ts';
import type { JobOutcome, JobRuns } from '../src/state/job-runs.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';
import { commandWords } from './command-line.ts';
import { cronTimes } from './cron-times.ts';
import type { JobExit, JobProcess, JobRunner } from './runner.ts';
import { clockTicks, type TickSource } from './ticks.ts';

export type RunReason = 'schedule' | 'catch-up' | 'takeover' | 'manual';

export type SchedulerEvent =
  | { type: 'missed'; job: string; tick: string; missed: number; lastTick: string; catchUp: boolean }
  | { type: 'started'; job: string; tick: string; reason: RunReason; pid: number | undefined }
  | { type: 'finished'; job: string; tick: string; outcome: JobOutcome; exitCode: number; durationMs: number }
  | { type: 'skipped'; job: string; tick: string; reason: string }
  /** Another replica took the run over (this one missed its lease): the child was stopped. */
  | { type: 'lost'; job: string; tick: string }
  /** Stopped by stop(): the run stays open with its lease released, for the next scheduler to resume. */
  | { type: 'handed-over'; job: string; tick: string; exitCode: number };

export interface SchedulerOptions {
  jobs: JobDef[];
  /** IANA time zone of the cron expressions (the data map's `timezone`). */
  timezone: string;
  runs: JobRuns;
  runner: JobRunner;
  clock?: Clock;
  /** Who fires the ticks: by default `clock`'s cron timers in this process; pg-boss's cron with a PostgreSQL state. */
  ticks?: TickSource;
  /** Identifies this replica in the state store; defaults to host:pid:random. */
  owner?: string;
  /** How long a run stays ours without a heartbeat. */
  leaseMs?: number;
  /** How often leases are renewed and other replicas' expired runs looked for (default: a third of the lease). */
  heartbeatMs?: number;
  log?: Logger;
  onEvent?: (event: SchedulerEvent) => void;
}

interface LocalRun {
  job: JobDef;
  tick: Date;
  reason: RunReason;
  process: JobProcess;
  /** performance.now() at launch: durations are real time, whatever the clock says. */
  startedAt: number;
  heartbeat: Timer;
  /** Another replica owns the run now: do not record its end. */
  lost: boolean;
  /** stop() asked it to end: hand the run over instead of recording an outcome. */
  handingOver: boolean;
  /** The recorded end, once the child exited. */
  settled: Promise<JobExit>;
}

export const DEFAULT_LEASE_MS = 60_000;

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** 0 done, 1 done with failures or findings, anything else failed. */
export function outcomeOf(exitCode: number): JobOutcome {
  return exitCode === 0 ? 'ok' : exitCode === 1 ? 'partial' : 'failed';
}

export class Scheduler {
  readonly owner: string;
  readonly ticks: TickSource;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly log: Logger;
  private readonly jobs: Map<string, JobDef>;
  private readonly running = new Map<string, LocalRun>();
  private readonly timers: Timer[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per job, the decision in progress: decisions about one job never interleave. */
  private readonly decisions = new Map<string, Promise<unknown>>();
  private stopping = false;
  private following: { stop(): Promise<void> } | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.owner = opts.owner ?? defaultOwner();
    this.clock = opts.clock ?? systemClock;
    this.ticks = opts.ticks ?? clockTicks(this.clock);
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.log = opts.log ?? silentLogger;
    for (const job of opts.jobs) {
      cronTimes(job.cron, opts.timezone); // bad cron or time zone: refuse before anything runs
      commandWords(job.run, job.name);
    }
    this.jobs = new Map(opts.jobs.map((j) => [j.name, j]));
  }

  /** Resumes runs whose owner died, reports (and catches up) missed ticks, then follows the schedules. */
  async start(): Promise<void> {
    for (const job of this.jobs.values()) {
      await this.decide(job, () => this.takeOverStale(job));
      await this.checkMissed(job);
    }
    this.following = await this.ticks.follow([...this.jobs.values()], this.opts.timezone, async (job, tick) => {
      try {
        return !(await this.track(this.onTick(job, tick, 'schedule'))).stopping;
      } catch (err) {
        this.log.error({ job: job.name, err: (err as Error).message }, 'scheduler error; will retry at the next tick');
        throw err;
      }
    });
    this.timers.push(this.clock.every(this.heartbeatMs, () => this.background(this.takeOverAll())));
  }

  /** Runs one job once now, recorded like a scheduled run (`dsar run-job`); resolves with its exit code. */
  async runNow(name: string): Promise<{ tick: Date; exit?: JobExit; skipped?: string }> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job '${name}'`);
    const tick = this.clock.now();
    const decision = await this.track(this.onTick(job, tick, 'manual'));
    if (!decision.run) return { tick, skipped: decision.skipped };
    return { tick, exit: await decision.run.settled };
  }

  /** Jobs running here now. */
  runningJobs(): Array<{ job: string; tick: string; pid: number | undefined }> {
    return [...this.running.values()].map((r) => ({ job: r.job.name, tick: r.tick.toISOString(), pid: r.process.pid }));
  }

  /** Resolves when nothing is being decided, run or recorded here (tests, and the end of stop()). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops following the schedules; SIGTERM to every running child, SIGKILL to those still running after
   * `graceMs`. Their runs are handed over (lease released) so the next scheduler resumes them from their checkpoints.
   */
  async stop(graceMs = 9_000): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.splice(0)) t.stop();
    await this.following?.stop();
    const runs = [...this.running.values()];
    for (const run of runs) {
      run.handingOver = true;
      run.process.terminate();
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(runs.map((r) => r.process.exited)), grace]);
    clearTimeout(timer);
    for (const run of runs) run.process.kill();
    await Promise.all(runs.map((r) => r.settled));
    await this.whenIdle();
  }

  // --- decisions ---------------------------------------------------------------------------------------------

  /** Handles one tick: the run started here, or why it was not. */
  private onTick(job: JobDef, tick: Date, reason: RunReason): Promise<{ run?: LocalRun; skipped?: string; stopping?: boolean }> {
    return this.decide(job, async () => {
      if (this.stopping) return { skipped: 'the scheduler is stopping', stopping: true };
      // A one-shot run starts afresh; only a scheduler resumes other replicas' interrupted runs.
      if (reason !== 'manual' && !this.running.has(job.name)) await this.takeOverStale(job);
      if (!(await this.opts.runs.claim(job.name, tick, this.owner, this.leaseMs, this.clock.now()))) {
        this.log.debug({ job: job.name, tick: tick.toISOString() }, 'tick claimed by another replica');
        return { skipped: 'claimed by another replica' };
      }
      const busy = this.running.get(job.name)?.tick.toISOString() ?? (await this.runningElsewhere(job.name, tick));
      if (busy) {
        const why = 'still running';
        await this.opts.runs.finish(job.name, tick, 'skipped', { reason: why, runningTick: busy }, { owner: this.owner, now: this.clock.now() });
        this.log.warn({ job: job.name, tick: tick.toISOString(), runningTick: busy }, 'tick skipped: the job is still running');
        this.emit({ type: 'skipped', job: job.name, tick: tick.toISOString(), reason: why });
        return { skipped: why };
      }
      return { run: this.launch(job, tick, reason) };
    });
  }

  /** The tick of another run of the job that is still going on (with a live lease), on any replica. */
  private async runningElsewhere(job: string, except: Date): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    const open = (await this.opts.runs.running(job)).find((r) => r.tick !== except.toISOString() && Date.parse(r.leaseUntil) > now);
    return open?.tick;
  }

  /** Takes over the job's runs whose owner stopped renewing the lease, and resumes the oldest. */
  private async takeOverStale(job: JobDef): Promise<void> {
    if (this.stopping || this.running.has(job.name)) return;
    const taken = await this.opts.runs.takeOverStale(job.name, this.clock.now(), this.owner, this.leaseMs);
    if (taken.length === 0) return;
    // Several open runs of one job: the oldest is the one that was working (a tick that came during it was being
    // recorded as skipped when its replica died too); it resumes, the newer ones are closed as skipped.
    const [resume, ...newer] = taken.sort((a, b) => a.tick.localeCompare(b.tick));
    for (const run of newer) {
      await this.opts.runs.finish(job.name, run.tick, 'skipped', { reason: 'still running', runningTick: resume.tick }, { owner: this.owner, now: this.clock.now() });
    }
    this.log.warn({ job: job.name, tick: resume.tick, attempt: resume.attempts }, 'taking over a run whose replica stopped');
    this.launch(job, new Date(resume.tick), 'takeover');
  }

  private async takeOverAll(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (!this.running.has(job.name)) await this.decide(job, () => this.takeOverStale(job));
    }
  }

  /** Compares the last recorded tick with the cron's previous fire time: a gap is a missed run. */
  private async checkMissed(job: JobDef): Promise<void> {
    const times = cronTimes(job.cron, this.opts.timezone);
    const now = this.clock.now();
    const previous = times.previous(now);
    const last = await this.opts.runs.lastRun(job.name);
    // Never run: nothing was missed yet (a new job, or a new state store).
    if (!previous || !last || Date.parse(last.tick) >= previous.getTime()) return;
    const missed = times.between(new Date(last.tick), now, 1000).length;
    this.log.warn({ job: job.name, tick: previous.toISOString(), missed, lastTick: last.tick, catchUp: job.catchUp }, 'missed run');
    this.emit({ type: 'missed', job: job.name, tick: previous.toISOString(), missed, lastTick: last.tick, catchUp: job.catchUp });
    if (job.catchUp) {
      await this.onTick(job, previous, 'catch-up');
      return;
    }
    // Recorded (once across replicas), so the next start does not report it again.
    if (await this.opts.runs.claim(job.name, previous, this.owner, this.leaseMs, now)) {
      await this.opts.runs.finish(job.name, previous, 'skipped', { reason: 'missed: no scheduler was running', missed }, { owner: this.owner, now });
    }
  }

  // --- runs --------------------------------------------------------------------------------------------------

  private launch(job: JobDef, tick: Date, reason: RunReason): LocalRun {
    const process = this.opts.runner.start(job, tick);
    const run: LocalRun = {
      job,
      tick,
      reason,
      process,
      startedAt: performance.now(),
      heartbeat: this.clock.every(this.heartbeatMs, () => this.background(this.beat(run))),
      lost: false,
      handingOver: false,
      settled: undefined as unknown as Promise<JobExit>,
    };
    run.settled = this.track(process.exited.then((exit) => this.settle(run, exit)));
    this.running.set(job.name, run);
    this.log.info({ job: job.name, tick: tick.toISOString(), reason, childPid: process.pid }, 'job started');
    this.emit({ type: 'started', job: job.name, tick: tick.toISOString(), reason, pid: process.pid });
    if (this.stopping) {
      // stop() began while this run was being decided: it ends with the others.
      run.handingOver = true;
      process.terminate();
    }
    return run;
  }

  /** Renews the lease; a run another replica took over is stopped here. */
  private async beat(run: LocalRun): Promise<void> {
    if (run.lost || run.handingOver) return;
    let held: boolean;
    try {
      held = await this.opts.runs.heartbeat(run.job.name, run.tick, this.owner, this.leaseMs, this.clock.now());
    } catch (err) {
      // The state store is unreachable: keep working; if the lease runs out, another replica takes over and the
      // next heartbeat that gets through stops this child.
      this.log.warn({ job: run.job.name, err: (err as Error).message }, 'heartbeat failed');
      return;
    }
    if (!held && this.running.get(run.job.name) === run) {
      run.lost = true;
      run.process.terminate();
      this.log.warn({ job: run.job.name, tick: run.tick.toISOString() }, 'lease lost to another replica; stopping this run');
      this.emit({ type: 'lost', job: run.job.name, tick: run.tick.toISOString() });
    }
  }

  private async settle(run: LocalRun, exit: JobExit): Promise<JobExit> {
    run.heartbeat.stop();
    const { job, tick } = run;
    try {
      if (run.lost) return exit;
      const now = this.clock.now();
      if (run.handingOver) {
        // Still `running`, lease ending now: whoever starts next resumes it from the command's checkpoints.
        await this.opts.runs.heartbeat(job.name, tick, this.owner, 0, now);
        this.log.info({ job: job.name, tick: tick.toISOString(), exitCode: exit.code }, 'run handed over');
        this.emit({ type: 'handed-over', job: job.name, tick: tick.toISOString(), exitCode: exit.code });
        return exit;
      }
      const outcome = outcomeOf(exit.code);
      const durationMs = Math.round(performance.now() - run.startedAt);
      const detail = { exitCode: exit.code, ...(exit.signal ? { signal: exit.signal } : {}), reason: run.reason, durationMs };
      await this.opts.runs.finish(job.name, tick, outcome, detail, { owner: this.owner, now });
      this.log[outcome === 'ok' ? 'info' : 'warn']({ job: job.name, tick: tick.toISOString(), outcome, exitCode: exit.code }, 'job finished');
      this.emit({ type: 'finished', job: job.name, tick: tick.toISOString(), outcome, exitCode: exit.code, durationMs });
      return exit;
    } catch (err) {
      this.log.error({ job: job.name, tick: tick.toISOString(), err: (err as Error).message }, 'could not record the end of the run');
      return exit;
    } finally {
      if (this.running.get(job.name) === run) this.running.delete(job.name);
    }
  }

  // --- plumbing ----------------------------------------------------------------------------------------------

  private decide<T>(job: JobDef, work: () => Promise<T>): Promise<T> {
    const previous = this.decisions.get(job.name) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.decisions.set(
      job.name,
      next.catch(() => {}),
    );
    return next;
  }

  /** Counts `p` as work in progress (whenIdle waits for it). */
  private track<T>(p: Promise<T>): Promise<T> {
    const entry = p.then(
      () => {},
      () => {},
    );
    this.inFlight.add(entry);
    void entry.then(() => this.inFlight.delete(entry));
    return p;
  }

  /** Work nobody awaits (timer callbacks): tracked, and its failure logged instead of thrown. */
  private background(p: Promise<unknown>): void {
    this.track(p).catch((err) => this.log.error({ err: (err as Error).message }, 'scheduler error; will retry at the next tick'));
  }

  private emit(event: SchedulerEvent): void {
    this.opts.onEvent?.(event);
  }
}
