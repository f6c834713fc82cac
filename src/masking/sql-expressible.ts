// Masks a connector can apply in one UPDATE without reading rows, described engine-neutrally; each connector
// renders them in its own SQL. Everything else is read, masked in process (masker.ts) and written back by key.
import type { MaskName } from '../datamap/types.ts';
import type { MaskContext } from './masker.ts';
import { redactedValue } from './redact.ts';

export type SqlMask =
  /** SET col = NULL */
  | { kind: 'null' }
  /** SET col = CASE WHEN col IS NULL THEN NULL ELSE ? END: a fixed value (bound as a parameter); NULL stays NULL. */
  | { kind: 'literal'; value: unknown }
  /** SET col = January 1st of col's year, e.g. date_trunc('year', col) (PostgreSQL), MAKEDATE(YEAR(col), 1) (MySQL). */
  | { kind: 'year-start'; family: 'date' | 'timestamp' }
  /** Nothing to write. */
  | { kind: 'keep' };

/** The SQL form of `mask` for `ctx.column`, or undefined when the mask needs each value (or the column is unknown). */
export function sqlMaskFor(mask: MaskName, ctx: MaskContext): SqlMask | undefined {
  const family = ctx.column?.family;
  switch (mask) {
    case 'null':
      return { kind: 'null' };
    case 'keep':
      return { kind: 'keep' };
    case 'redact':
      // Without the column's type the marker's type is unknown; 'other' types (enums, arrays) have no marker.
      if (!family || family === 'other') return undefined;
      return { kind: 'literal', value: redactedValue(family, undefined, ctx) };
    case 'generalize':
      return family === 'date' || family === 'timestamp' ? { kind: 'year-start', family } : undefined;
    default:
      return undefined;
  }
}

/** True for null, keep, redact of a known column type and generalize of a date or timestamp column. */
export function sqlExpressible(mask: MaskName, ctx: MaskContext): boolean {
  return sqlMaskFor(mask, ctx) !== undefined;
}
