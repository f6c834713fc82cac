// A ladder step applied in process, for systems that cannot run SQL (files): the same values the SQL form gives
// (sql-generalize.ts), canonical as canonicalValue() makes them.
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { Step } from './ladder.ts';

const YEAR = /^\s*(-?\d{4})(?:\b|-|$)/;

/** The generalized value of `value` at `step` (null stays null, except under `*`). */
export function generalizeValue(step: Step, value: unknown): unknown {
  if (step.kind === 'star') return '*';
  if (value === null || value === undefined) return null;
  switch (step.kind) {
    case 'raw':
      return typeof value === 'number' ? value : textOf(value);
    case 'years': {
      const y = yearOf(value);
      return y === null ? null : Math.floor(y / step.span) * step.span;
    }
    case 'prefix':
      return prefix(textOf(value), step.length);
    case 'bucket': {
      const n = typeof value === 'number' ? value : Number(textOf(value));
      return textOf(value) === '' || !Number.isFinite(n) ? null : Math.floor(n / step.width) * step.width;
    }
  }
}

/** A value as text the way the SQL side's asText prints it for files: dates ISO 8601, numbers plainly. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return normalizeLinkValue(value);
}

function yearOf(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getUTCFullYear();
  const m = YEAR.exec(textOf(value));
  return m ? Number(m[1]) : null;
}

/** The first `length` characters (code points, as SQL's substr counts them). */
function prefix(text: string, length: number): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.slice(0, length);
  return Array.from(text).slice(0, length).join('');
}
