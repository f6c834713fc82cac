// Daily time windows (`01:00-05:00`, `22:30-04:00` across midnight, seconds allowed) in an IANA time zone: whether
// an instant falls inside one, and the instant it ends.
export interface DailyWindow {
  text: string;
  /** Seconds after local midnight. */
  start: number;
  end: number;
}

const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$/;

/** The window, or a reason it is not one. */
export function parseWindow(text: string): DailyWindow | string {
  const parts = text.trim().split('-');
  if (parts.length !== 2) return 'expected a daily window such as "01:00-05:00"';
  const [start, end] = parts.map((p) => secondsOf(p.trim()));
  if (start === undefined || end === undefined) return 'expected times as HH:MM or HH:MM:SS (24-hour), such as "01:00-05:00"';
  if (start === end) return 'the window starts and ends at the same time';
  return { text: text.trim(), start, end };
}

function secondsOf(t: string): number | undefined {
  const m = TIME.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : undefined;
}

/** When `now` is inside the window, the instant the window ends; undefined when outside. */
export function windowEnd(w: DailyWindow, now: Date, timeZone: string): Date | undefined {
  const t = localSeconds(now, timeZone);
  const inside = w.start < w.end ? t >= w.start && t < w.end : t >= w.start || t < w.end;
  if (!inside) return undefined;
  const ahead = (w.end - t + 86_400) % 86_400;
  const guess = new Date(Math.floor(now.getTime() / 1000) * 1000 + ahead * 1000);
  // A daylight-saving change between now and the end moves the wall clock by its offset: correct by the difference.
  const drift = localSeconds(guess, timeZone) - w.end;
  const wrapped = drift > 43_200 ? drift - 86_400 : drift < -43_200 ? drift + 86_400 : drift;
  return new Date(guess.getTime() - wrapped * 1000);
}

/** Seconds after local midnight of `instant` in `timeZone`. */
export function localSeconds(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}
