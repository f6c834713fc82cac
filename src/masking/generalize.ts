// `generalize`: keeps a coarser truth. Dates -> January 1st of their year (a Date stays a Date, `YYYY-MM-DD...` text
// keeps its format); IPv4 -> its /24, IPv6 -> its /48; numbers -> the lower bound of their bucket (options.bucket,
// default 10); postal codes -> their first options.prefix characters (default 3; truncated rather than padded
// with `*`, so the result never outgrows the column and reads like the extracts' `prefix-N`); locations
// (online.location or options.decimals) -> options.decimals decimals (default 1).
// Idempotent by construction: generalizing a generalized value gives it back. A value of none of these shapes
// (checkFits reports such columns) is redacted rather than left as it was.
import type { TypeFamily } from '../../connectors/connector.ts';
import { generalizeIp } from './ip.ts';
import type { Masker, MaskContext } from './masker.ts';
import { redactMasker } from './redact.ts';
import { dateLike, inCategory, isNumericKind, kindOf, numberLike, sameValue } from './value-kind.ts';

type Generalization = 'date' | 'ip' | 'number' | 'postal' | 'location';

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(.*)$/s;
const TIME_PART = /^([T ])(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)/;
const DATE_CATEGORIES = ['identity.birthdate', 'account.activity', 'usage.activity'];

function isPostal(category: string): boolean {
  return inCategory(category, 'contact.address') && /\.(postal|zip|postcode|postal-code|zip-code)\b/.test(category);
}

/** How a value of this context is generalized; without a value, what the column and category promise. */
function generalizationOf(value: unknown, ctx: MaskContext): Generalization | undefined {
  const { options, category } = ctx;
  if (options.prefix !== undefined || isPostal(category)) return 'postal';
  if (options.decimals !== undefined || inCategory(category, 'online.location')) return 'location';
  if (options.bucket !== undefined) return 'number';
  const kind: TypeFamily | undefined = ctx.column?.family ?? (value === undefined ? undefined : kindOf(value));
  if (kind === 'date' || kind === 'timestamp') return 'date';
  if (kind === 'inet' || inCategory(category, 'online.ip')) return 'ip';
  if (kind && isNumericKind(kind)) return 'number';
  if (typeof value === 'string') {
    if (DATE_TEXT.test(value)) return 'date';
    if (generalizeIp(value) !== undefined) return 'ip';
  }
  if (DATE_CATEGORIES.some((c) => inCategory(category, c))) return 'date';
  return undefined;
}

function positiveOption(value: unknown, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

function generalizeDate(value: unknown): unknown {
  if (value instanceof Date) return dateLike(value.getFullYear(), 1, 1, 'date', value);
  const m = DATE_TEXT.exec(String(value));
  if (!m) return undefined;
  const zeroedTime = m[4].replace(TIME_PART, (_all, sep: string, time: string) => sep + time.replace(/\d/g, '0'));
  return `${m[1]}-01-01${zeroedTime}`;
}

function generalizeNumber(value: unknown, ctx: MaskContext): unknown {
  const bucket = positiveOption(ctx.options.bucket, 10);
  if (typeof value === 'bigint' && Number.isInteger(bucket)) {
    const b = BigInt(bucket);
    const r = ((value % b) + b) % b;
    return value - r;
  }
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(n)) return undefined;
  return numberLike(Math.floor(n / bucket) * bucket || 0, value); // no -0
}

function generalizePostal(value: unknown, ctx: MaskContext): unknown {
  const prefix = Math.floor(positiveOption(ctx.options.prefix, 3));
  const kept = Array.from(String(value)).slice(0, prefix).join('');
  return typeof value === 'number' ? Number(kept) : kept;
}

function generalizeLocation(value: unknown, ctx: MaskContext): unknown {
  const decimals = Math.floor(positiveOption(ctx.options.decimals, 1));
  const round = (n: number) => (Number(n.toFixed(decimals)) || 0).toFixed(decimals); // no "-0.0"
  if (typeof value === 'number') return Number(round(value));
  // Text such as `37.7749,-122.4194`: every number in it.
  const text = String(value);
  if (!/\d/.test(text)) return undefined;
  return text.replace(/-?\d+(?:\.\d+)?/g, (n) => round(Number(n)));
}

const BY_KIND: Record<Generalization, (value: unknown, ctx: MaskContext) => unknown> = {
  date: generalizeDate,
  ip: (value) => generalizeIp(String(value)),
  number: generalizeNumber,
  postal: generalizePostal,
  location: generalizeLocation,
};

function apply(value: unknown, ctx: MaskContext): unknown {
  if (value === null || value === undefined || value === '') return value ?? null;
  const how = generalizationOf(value, ctx);
  const general = how && BY_KIND[how](value, ctx);
  return general === undefined ? redactMasker.apply(value, ctx) : general;
}

export const generalizeMasker: Masker = {
  name: 'generalize',
  apply,
  isMasked(value, ctx) {
    if (value === null || value === undefined || value === '') return true;
    const numeric = generalizationOf(value, ctx) === 'number';
    return sameValue(value, apply(value, ctx), numeric) || (!numeric && redactMasker.isMasked(value, ctx));
  },
  unique: false,
  canBeNull: false,
  maxOutputLength: () => null,
  fits(ctx) {
    const column = ctx.column;
    if (!column || generalizationOf(undefined, ctx)) return undefined;
    return (
      `mask generalize applies to dates, IP addresses, numbers, postal codes and locations; ` +
      `column ${column.name} (${column.type}) with category ${ctx.category} is none of these`
    );
  },
};
