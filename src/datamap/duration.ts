// Retention periods: a positive whole number and a unit, `3y`, `18m`, `90d`, `12h`.
import type { Duration } from './types.ts';

const DURATION = /^([1-9][0-9]*)(y|m|d|h)$/;

/** The duration, or undefined when `text` is not `<positive integer><y|m|d|h>`. */
export function parseDuration(text: string): Duration | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return { amount: Number(m[1]), unit: m[2] as Duration['unit'], text: m[0] };
}

/**
 * The instant `d` before `instant`, in UTC calendar arithmetic: `1m` before 31 March is 28/29 February
 * (the day is clamped to the month's length), `1y` before 29 February 2024 is 28 February 2023.
 * A row expires when its `after` value is earlier than `subtractDuration(asOf, keep)`.
 */
export function subtractDuration(instant: Date, d: Duration): Date {
  if (d.unit === 'h') return new Date(instant.getTime() - d.amount * 3_600_000);
  if (d.unit === 'd') return new Date(instant.getTime() - d.amount * 86_400_000);
  const months = d.unit === 'y' ? d.amount * 12 : d.amount;
  const total = instant.getUTCFullYear() * 12 + instant.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const out = new Date(instant.getTime());
  out.setUTCFullYear(year, month, Math.min(instant.getUTCDate(), lastDay));
  return out;
}
