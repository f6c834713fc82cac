// `redact`: a fixed marker of the column's type. Text gets `[REDACTED]`, or the longest of `[R]` and `*` that fits
// the column (empty text for a zero-length column); numbers 0; booleans false; dates 1970-01-01; timestamps
// 1970-01-02 00:00 (MySQL's TIMESTAMP starts at 1970-01-01 00:00:01 UTC, and midnight of the 1st in a zone east of
// UTC would fall before it); times 00:00:00; binary an empty value; UUIDs the nil UUID; inet 0.0.0.0; JSON "[REDACTED]".
import type { TypeFamily } from '../../connectors/connector.ts';
import type { Masker, MaskContext } from './masker.ts';
import { dateLike, isNumericKind, kindOf, numberLike, sameValue } from './value-kind.ts';

export const REDACTED_MARKERS = ['[REDACTED]', '[R]', '*'] as const;

export function redactedText(max: number | null | undefined): string {
  return REDACTED_MARKERS.find((m) => max === null || max === undefined || m.length <= max) ?? '';
}

/** The marker for a column of `kind`, in the JS type of `input` (a Date stays a Date; undefined gives SQL-ready text). */
export function redactedValue(kind: TypeFamily, input: unknown, ctx: MaskContext): unknown {
  if (isNumericKind(kind)) return numberLike(0, input);
  switch (kind) {
    case 'boolean': return false;
    case 'date': return dateLike(1970, 1, 1, kind, input);
    case 'timestamp': return dateLike(1970, 1, 2, kind, input);
    case 'time': return '00:00:00';
    case 'binary': return Buffer.alloc(0);
    case 'uuid': return '00000000-0000-0000-0000-000000000000';
    case 'inet': return '0.0.0.0';
    case 'json': return JSON.stringify(REDACTED_MARKERS[0]);
    default: return redactedText(ctx.column?.maxLength);
  }
}

function apply(value: unknown, ctx: MaskContext): unknown {
  if (value === null || value === undefined) return null;
  return redactedValue(kindOf(value, ctx.column), value, ctx);
}

export const redactMasker: Masker = {
  name: 'redact',
  apply,
  isMasked(value, ctx) {
    if (value === null || value === undefined) return true;
    const kind = kindOf(value, ctx.column);
    if (kind === 'json') return value === REDACTED_MARKERS[0] || value === JSON.stringify(REDACTED_MARKERS[0]);
    // Any marker counts: a value redacted for a wider column is redacted all the same.
    if (typeof value === 'string' && (REDACTED_MARKERS as readonly string[]).includes(value)) return true;
    return sameValue(value, apply(value, ctx), isNumericKind(kind));
  },
  unique: false,
  canBeNull: false,
  maxOutputLength(ctx) {
    const kind = ctx.column?.family ?? 'text';
    return kind === 'text' ? redactedText(ctx.column?.maxLength).length : null;
  },
};
