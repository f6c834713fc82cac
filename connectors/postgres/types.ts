// How PostgreSQL's date and time values become JavaScript values, the same whatever the host's TZ. pg reads a
// `timestamp without time zone` and a `date` as local time, so TZ=America/Los_Angeles moved them by 8 hours while
// MariaDB's (read as UTC by the pool) did not. Here they are UTC wall time, as MySQL's and SQLite's are, and
// Dates sent back are written as UTC (pg.defaults.parseInputDatesAsUTC) so that a value read and written stays put.
import pg from 'pg';

const TIMESTAMP = 1114;
const DATE = 1082;

pg.defaults.parseInputDatesAsUTC = true;

export const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(TIMESTAMP, 'text', utcTimestamp);
pgTypes.setTypeParser(DATE, 'text', utcDate);

const STAMP = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/;
const DAY = /^(\d{4,})-(\d\d)-(\d\d)$/;

/** `2023-05-01 10:00:00.123` as that instant in UTC; `infinity`, BC dates and anything unusual stay text. */
export function utcTimestamp(text: string): Date | string {
  const m = STAMP.exec(text);
  if (!m) return text;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** `2023-05-01` as midnight UTC of that day. */
export function utcDate(text: string): Date | string {
  const m = DAY.exec(text);
  return m ? utc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0) : text;
}

function utc(year: number, month: number, day: number, h: number, min: number, s: number, ms: number): Date {
  const d = new Date(Date.UTC(2000, month - 1, day, h, min, s, ms));
  d.setUTCFullYear(year); // Date.UTC maps years 0-99 onto 1900-1999
  return d;
}
