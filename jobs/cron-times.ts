// Fire times of a cron schedule in a time zone: the next one, the previous one, and those in between.
// node-cron fires the jobs but only tells the next run from *now*; catch-up needs the previous fire time and
// `jobs list` the next one from any instant. The fields are parsed by node-cron itself (5 or 6 fields, ranges,
// steps, lists, names, L, W, #) and matched the way node-cron matches them (day of month AND day of week), so
// the times computed here are the times node-cron fires.
import { parse, validateDetailed, type ParsedFields } from 'node-cron';
import { UsageError } from '../src/errors.ts';

/** How far to look for a fire time (node-cron looks as far): `0 0 29 2 1` fires once in many years. */
const MAX_DAYS = 366 * 100;

interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface CronTimes {
  readonly expression: string;
  readonly timezone: string;
  /** The first fire time strictly after `instant` (to the second), or undefined when there is none. */
  next(instant: Date): Date | undefined;
  /** The last fire time at or before `instant` (to the second), or undefined when there is none. */
  previous(instant: Date): Date | undefined;
  /** Fire times in (after, until], oldest first, at most `limit`. */
  between(after: Date, until: Date, limit: number): Date[];
  /** Whether `instant` (to the second) is a fire time. */
  matches(instant: Date): boolean;
}

const compiled = new Map<string, CronTimes>();

/** The fire times of `expression` in `timezone` (IANA name). Invalid input is a UsageError naming the problem. */
export function cronTimes(expression: string, timezone = 'UTC'): CronTimes {
  const key = `${timezone}\u0000${expression}`;
  let times = compiled.get(key);
  if (!times) {
    times = compile(expression, timezone);
    compiled.set(key, times);
  }
  return times;
}

function compile(expression: string, timezone: string): CronTimes {
  const check = validateDetailed(expression);
  if (!check.valid) throw new UsageError(`cron '${expression}': ${check.errors[0]?.message ?? 'not a cron expression'}`);
  const zone = zoneOf(timezone);
  const f = parse(expression);
  const seconds = [...f.second].sort((a, b) => a - b);
  const minutes = [...f.minute].sort((a, b) => a - b);
  const hours = [...f.hour].sort((a, b) => a - b);
  const months = new Set(f.month);

  const dayMatches = (y: number, m: number, d: number) => months.has(m) && matchesDayOfMonth(f, y, m, d) && matchesDayOfWeek(f, y, m, d);
  const matchesMs = (ms: number) => {
    const t = zone.local(ms);
    return seconds.includes(t.second) && minutes.includes(t.minute) && hours.includes(t.hour) && dayMatches(t.year, t.month, t.day);
  };

  /** Walks the days from `base` in `direction`, trying each matching day's times in that order. */
  const walk = (baseMs: number, direction: 1 | -1): number | undefined => {
    const base = zone.local(baseMs);
    const baseSecondOfDay = base.hour * 3600 + base.minute * 60 + base.second;
    const order = <T>(xs: T[]) => (direction === 1 ? xs : [...xs].reverse());
    let { year, month, day } = base;
    for (let i = 0; i < MAX_DAYS; i++) {
      if (dayMatches(year, month, day)) {
        for (const hour of order(hours))
          for (const minute of order(minutes))
            for (const second of order(seconds)) {
              const secondOfDay = hour * 3600 + minute * 60 + second;
              if (i === 0 && (direction === 1 ? secondOfDay <= baseSecondOfDay : secondOfDay > baseSecondOfDay)) continue;
              const ms = zone.toInstant({ year, month, day, hour, minute, second });
              if ((direction === 1 ? ms > baseMs : ms <= baseMs) && matchesMs(ms)) return ms;
            }
      }
      const d = new Date(Date.UTC(year, month - 1, day + direction));
      ({ year, month, day } = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    }
    return undefined;
  };

  const toDate = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  const floorSecond = (d: Date) => Math.floor(d.getTime() / 1000) * 1000;
  return {
    expression,
    timezone,
    next: (instant) => toDate(walk(floorSecond(instant), 1)),
    previous: (instant) => toDate(walk(floorSecond(instant), -1)),
    between(after, until, limit) {
      const out: Date[] = [];
      for (let t = walk(floorSecond(after), 1); t !== undefined && t <= until.getTime() && out.length < limit; t = walk(t, 1)) out.push(new Date(t));
      return out;
    },
    matches: (instant) => matchesMs(floorSecond(instant)),
  };
}

// --- time zones -------------------------------------------------------------------------------------------

interface Zone {
  local(ms: number): LocalTime;
  /** The instant of a wall-clock time; for a time skipped or repeated by a DST change, the one node-cron picks. */
  toInstant(t: LocalTime): number;
}

function zoneOf(timezone: string): Zone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new UsageError(`unknown time zone '${timezone}' (an IANA name such as UTC or Europe/Berlin)`);
  }
  const local = (ms: number): LocalTime => {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
  };
  const wallMs = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  /** Minutes east of UTC at `ms`. */
  const offset = (ms: number) => Math.round((wallMs(local(ms)) - Math.floor(ms / 1000) * 1000) / 60000);
  const readsBack = (ms: number, t: LocalTime) => wallMs(local(ms)) === wallMs(t);
  return {
    local,
    // The same resolution as node-cron's localTimeToTimestamp, so both agree around DST changes.
    toInstant(t) {
      const guess = wallMs(t);
      const first = offset(guess);
      const candidate1 = guess - first * 60000;
      const second = offset(candidate1);
      if (second === first) return candidate1;
      const candidate2 = guess - second * 60000;
      if (readsBack(candidate1, t)) return candidate1;
      if (readsBack(candidate2, t)) return candidate2;
      return Math.max(candidate1, candidate2);
    },
  };
}

// --- day of month / day of week, as node-cron matches them --------------------------------------------------

const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekdayOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

function nearestWeekday(y: number, m: number, target: number): number {
  const last = lastDayOfMonth(y, m);
  if (target < 1 || target > last) return -1;
  const weekday = weekdayOf(y, m, target);
  if (weekday === 6) return target === 1 ? target + 2 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function matchesDayOfMonth(f: ParsedFields, y: number, m: number, d: number): boolean {
  for (const value of f.dayOfMonth) {
    if (value === d) return true;
    if (typeof value !== 'string') continue;
    if (value === 'L' && d === lastDayOfMonth(y, m)) return true;
    const nearest = /^(\d{1,2}|L)W$/.exec(value);
    if (nearest && nearestWeekday(y, m, nearest[1] === 'L' ? lastDayOfMonth(y, m) : Number(nearest[1])) === d) return true;
    const fromLast = /^L-(\d{1,2})$/.exec(value);
    if (fromLast && lastDayOfMonth(y, m) - Number(fromLast[1]) === d) return true;
  }
  return false;
}

function matchesDayOfWeek(f: ParsedFields, y: number, m: number, d: number): boolean {
  const weekday = weekdayOf(y, m, d);
  for (const value of f.dayOfWeek) {
    if (value === weekday) return true;
    if (typeof value !== 'string') continue;
    const nth = /^([0-7])#([1-5])$/.exec(value);
    if (nth) {
      if (Number(nth[1]) % 7 === weekday && Math.floor((d - 1) / 7) + 1 === Number(nth[2])) return true;
      continue;
    }
    const last = /^([0-7])L$/i.exec(value);
    if (last && Number(last[1]) % 7 === weekday && d + 7 > lastDayOfMonth(y, m)) return true;
  }
  return false;
}
