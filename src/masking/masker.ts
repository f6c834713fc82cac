// The masking boundary: one masker per mask name, chosen by maskerFor(); maskValue() applies one idempotently and
// checkFits() tells `validate --live` why a mask cannot be written into a column.
import type { ColumnInfo } from '../../connectors/connector.ts';
import type { MaskName } from '../datamap/types.ts';
import { fakeMasker } from './fake.ts';
import { generalizeMasker } from './generalize.ts';
import { hashMasker } from './hash.ts';
import { keepMasker } from './keep.ts';
import { nullMasker } from './null.ts';
import { randomMasker } from './random.ts';
import { redactMasker } from './redact.ts';

export { requireHmacKey } from './hmac-key.ts';

export interface MaskContext {
  /** The live column (family, maxLength, nullable, unique) when known; without it the JS value decides the shape. */
  column?: ColumnInfo;
  /** Taxonomy category of the field, e.g. `contact.email`, `contact.address.postal`. */
  category: string;
  /** Mask options from the data map, e.g. `{ bucket: 10 }`, `{ prefix: 3 }`, `{ decimals: 1 }`. */
  options: Record<string, unknown>;
  /** `secrets.hmac_key` as bytes (see requireHmacKey). Only `hash` and `fake` need it; they throw UsageError without it. */
  hmacKey?: Buffer;
}

export interface Masker {
  name: MaskName;
  /** Pure: the masked value, of the same JS type as the input. NULL in -> NULL out. */
  apply(value: unknown, ctx: MaskContext): unknown;
  /** True when `value` already is this mask's output (so masking again would change nothing that matters). */
  isMasked(value: unknown, ctx: MaskContext): boolean;
  /** Distinct inputs give distinct outputs, or NULLs (which never collide): may go into a UNIQUE column. */
  unique: boolean;
  /** May turn a non-NULL value into NULL: cannot go into a NOT NULL column. */
  canBeNull: boolean;
  /** Longest output in characters (bytes for binary), or null when the length does not grow past the input's. */
  maxOutputLength(ctx: MaskContext): number | null;
  /** A mask-specific reason it cannot fit `ctx.column` (beyond NULL, UNIQUE and length), or undefined. */
  fits?(ctx: MaskContext): string | undefined;
}

const MASKERS: Record<MaskName, Masker> = {
  null: nullMasker,
  redact: redactMasker,
  hash: hashMasker,
  fake: fakeMasker,
  generalize: generalizeMasker,
  random: randomMasker,
  keep: keepMasker,
};

export function maskerFor(name: MaskName): Masker {
  const masker = MASKERS[name];
  if (!masker) throw new Error(`unknown mask: ${String(name)}`); // the data map validator rejects unknown names first
  return masker;
}

/** Masks one value; a value this mask already produced is returned unchanged, so masking twice changes nothing. */
export function maskValue(name: MaskName, value: unknown, ctx: MaskContext): unknown {
  const masker = maskerFor(name);
  if (value === null || value === undefined) return masker.apply(value, ctx);
  return masker.isMasked(value, ctx) ? value : masker.apply(value, ctx);
}

/** Why mask `name` cannot be written into `ctx.column`, or undefined when it fits (or the column is unknown). */
export function checkFits(name: MaskName, ctx: MaskContext): string | undefined {
  const column = ctx.column;
  if (!column) return undefined;
  const masker = maskerFor(name);
  const where = `column ${column.name} (${column.type})`;
  if (column.family === 'other' && name !== 'null' && name !== 'keep') {
    return `mask ${name} cannot make a value of ${where}; use null or keep`;
  }
  if (masker.canBeNull && !column.nullable) return `mask ${name} writes NULL but ${where} is NOT NULL`;
  const specific = masker.fits?.(ctx);
  if (specific) return specific;
  if (column.unique && !masker.unique) {
    return `mask ${name} can give different rows the same value but ${where} is UNIQUE`;
  }
  const longest = masker.maxOutputLength(ctx);
  if (longest !== null && column.maxLength !== null && longest > column.maxLength) {
    const unit = column.family === 'binary' ? 'bytes' : 'characters';
    return `mask ${name} needs ${longest} ${unit} but ${where} holds ${column.maxLength}`;
  }
  return undefined;
}
