// Time for the scheduler, injectable: the system clock fires cron ticks with node-cron; tests use FakeClock
// and decide when time passes.
import { createTask } from 'node-cron';
import { cronTimes } from './cron-times.ts';

export interface Timer {
  stop(): void;
}

export interface Clock {
  now(): Date;
  /** Calls `onTick` with each fire time of `cron` in `timezone`, until stopped. */
  cron(cron: string, timezone: string, onTick: (tick: Date) => void): Timer;
  /** Calls `fn` every `ms` until stopped (heartbeats, takeover checks). */
  every(ms: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => new Date(),
  cron(cron, timezone, onTick) {
    // node-cron passes the scheduled instant (whole seconds), which is what identifies a tick across replicas.
    // A tick fires up to a minute late on a busy machine rather than being dropped (node-cron's default is 1 s);
    // one node-cron still reports missed is still that tick: the claim and the overlap rule decide what to do.
    const task = createTask(cron, (ctx) => onTick(ctx.date), { timezone, missedExecutionTolerance: 60_000 });
    task.on('execution:missed', (ctx) => onTick(ctx.date));
    void task.start();
    return { stop: () => void task.destroy() };
  },
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    return { stop: () => clearInterval(handle) };
  },
};

/**
 * `base` read as the database's clock: every replica judges leases and takeovers by the one clock they share, so a
 * machine whose clock is off (by more than a lease) does not take a live replica's run over. The offset is measured
 * at start and every `refreshMs` (half the round trip counted). Cron ticks still fire by the machine's own clock:
 * a skewed machine fires a tick early or late, and the tick's claim still lets it run once.
 */
export async function databaseClock(base: Clock, databaseNow: () => Promise<Date>, refreshMs = 30_000): Promise<Clock & { stop(): void; offsetMs(): number }> {
  let offset = 0;
  const measure = async () => {
    const t0 = base.now().getTime();
    const db = (await databaseNow()).getTime();
    const t1 = base.now().getTime();
    offset = db - (t0 + t1) / 2;
  };
  await measure();
  const refresh = base.every(refreshMs, () => void measure().catch(() => undefined)); // a failed reading keeps the last offset
  return {
    now: () => new Date(base.now().getTime() + offset),
    cron: (cron, timezone, onTick) => base.cron(cron, timezone, onTick),
    every: (ms, fn) => base.every(ms, fn),
    stop: () => refresh.stop(),
    offsetMs: () => offset,
  };
}

interface FakeTimer {
  nextAt: number;
  advance(): void;
  fire(at: Date): void;
  stopped: boolean;
}

/** A clock that moves only when told to: `advanceTo` fires every cron tick and interval due, in time order. */
export class FakeClock implements Clock {
  private current: number;
  private readonly timers: FakeTimer[] = [];

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  cron(cron: string, timezone: string, onTick: (tick: Date) => void): Timer {
    const times = cronTimes(cron, timezone);
    const timer: FakeTimer = {
      nextAt: times.next(this.now())?.getTime() ?? Infinity,
      advance() {
        this.nextAt = times.next(new Date(this.nextAt))?.getTime() ?? Infinity;
      },
      fire: onTick,
      stopped: false,
    };
    return this.add(timer);
  }

  every(ms: number, fn: () => void): Timer {
    const timer: FakeTimer = {
      nextAt: this.current + ms,
      advance() {
        this.nextAt += ms;
      },
      fire: () => fn(),
      stopped: false,
    };
    return this.add(timer);
  }

  /** Moves time forward to `target`, firing what falls due on the way (each sees `now()` at its own time). */
  advanceTo(target: Date | string): void {
    const end = new Date(target).getTime();
    for (;;) {
      const due = this.timers.filter((t) => !t.stopped && t.nextAt <= end).sort((a, b) => a.nextAt - b.nextAt)[0];
      if (!due) break;
      this.current = due.nextAt;
      due.advance();
      due.fire(new Date(this.current));
    }
    this.current = Math.max(this.current, end);
  }

  advanceBy(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }

  private add(timer: FakeTimer): Timer {
    this.timers.push(timer);
    return {
      stop: () => {
        timer.stopped = true;
      },
    };
  }
}
