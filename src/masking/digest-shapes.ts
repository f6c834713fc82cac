// Turns 32 bytes (an HMAC for `hash`, random bytes for `random`) into a value that fits the column and says what it is:
//   email  -> `<hex>@erased.invalid`    valid, unique, non-routable (.invalid is reserved by RFC 2606); hex 16..64 chars
//   phone  -> `+000<digits>`            country code 0 does not exist; as many digits as the original, 10 to 15
//   text   -> lowercase hex, 64 chars or the column's length (at least 16)
//   uuid   -> a version-8 UUID          (RFC 9562 "custom" version: real ids are v4/v7, so a v8 reads as masked)
//   inet   -> an address in 2001:db8::/32, the IPv6 documentation prefix (RFC 3849)
//   integer/decimal/float -> 1..the column's largest integer; binary -> the bytes cut to the column's length;
//   date/timestamp -> a day (and time) in 1971..2036, inside every engine's range; boolean; time.
import { compressIpv6 } from './ip.ts';
import type { MaskContext } from './masker.ts';
import { WIDE_CEILING, integerCeiling } from './numeric-range.ts';
import {
  dateLike, fitText, isEmail, isNumericKind, isPhone, isTextKind, kindOf, localDateText, localTimestampText,
  looksLikeUuid, numberLike,
} from './value-kind.ts';

export const ERASED_EMAIL_DOMAIN = 'erased.invalid';
/** Fewer hex digits than this (64 bits) would make collisions likely. */
export const MIN_HEX = 16;
const MAX_HEX = 64;
const EMAIL_SUFFIX = '@' + ERASED_EMAIL_DOMAIN;
const PHONE_MARKER = '+000';
const MIN_PHONE_DIGITS = 10;
const MAX_PHONE_DIGITS = 15; // E.164's longest number

const ERASED_EMAIL = /^[0-9a-f]{16,64}@erased\.invalid$/;
const FAKE_PHONE = /^\+000\d{6,15}$/;
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DOC_PREFIX = '2001:db8:';
const DAY_MS = 86_400_000;
const DATE_SPAN_DAYS = 24_000; // 1971-01-01 + ~65 years: inside MySQL's TIMESTAMP range in any time zone

type TextShape = 'email' | 'phone' | 'uuid' | 'hex';

function textShape(value: unknown, ctx: MaskContext): TextShape {
  if (isEmail(value, ctx.category)) return 'email';
  if (isPhone(ctx.category)) return 'phone';
  const max = ctx.column?.maxLength ?? null;
  if (looksLikeUuid(value) && (max === null || max >= 36)) return 'uuid';
  return 'hex';
}

function hexLength(max: number | null): number {
  return max === null ? MAX_HEX : Math.min(MAX_HEX, max);
}

export function shapeBytes(bytes: Buffer, value: unknown, ctx: MaskContext): unknown {
  const kind = kindOf(value, ctx.column);
  const max = ctx.column?.maxLength ?? null;
  if (isNumericKind(kind)) return numberLike(integerFrom(bytes, integerCeiling(ctx.column)), value);
  switch (kind) {
    case 'uuid': return uuidFrom(bytes);
    case 'inet': return documentationIpv6(bytes);
    case 'binary': return Buffer.from(bytes.subarray(0, max ?? bytes.length));
    case 'boolean': return (bytes[0] & 1) === 1;
    case 'date':
    case 'timestamp': return dateFrom(bytes, kind, value);
    case 'time': return timeFrom(bytes);
    case 'json': return JSON.stringify(bytes.toString('hex'));
  }
  const hex = bytes.toString('hex');
  switch (textShape(value, ctx)) {
    case 'email': {
      const room = max === null ? MAX_HEX : Math.min(MAX_HEX, max - EMAIL_SUFFIX.length);
      // Too narrow for an address (checkFits reports it): plain hex that at least fits.
      return room >= MIN_HEX ? hex.slice(0, room) + EMAIL_SUFFIX : fitText(hex, max);
    }
    case 'phone': {
      const original = String(value ?? '').replace(/\D/g, '').length;
      const digits = Math.min(MAX_PHONE_DIGITS, Math.max(MIN_PHONE_DIGITS, original));
      const number = (BigInt('0x' + hex) % 10n ** BigInt(digits)).toString().padStart(digits, '0');
      return fitText(PHONE_MARKER + number, max);
    }
    case 'uuid': return uuidFrom(bytes);
    case 'hex': return hex.slice(0, hexLength(max));
  }
}

/** Recognizes a value of the shape shapeBytes gives this context; false where no shape is recognizable. */
export function isShaped(value: unknown, ctx: MaskContext): boolean {
  if (value === null || value === undefined) return true;
  const kind = kindOf(value, ctx.column);
  if (kind === 'uuid') return UUID_V8.test(String(value));
  if (kind === 'inet') return String(value).startsWith(DOC_PREFIX);
  // pg hands JSON back parsed; MariaDB's JSON is text, quotes included.
  if (kind === 'json') return typeof value === 'string' && /^"?[0-9a-f]{64}"?$/.test(value);
  if (!isTextKind(kind) || typeof value !== 'string') return false;
  switch (textShape(value, ctx)) {
    case 'email': return ERASED_EMAIL.test(value);
    case 'phone': return FAKE_PHONE.test(value);
    case 'uuid': return UUID_V8.test(value);
    // Exactly the length the mask writes here, so a real hex identifier of another length is still masked.
    case 'hex': return value.length === hexLength(ctx.column?.maxLength ?? null) && /^[0-9a-f]+$/.test(value);
  }
}

/** Longest text the shape needs in this column (its minimum when the column is narrower), null for non-text. */
export function shapedMaxLength(ctx: MaskContext): number | null {
  const kind = ctx.column?.family ?? 'text';
  if (!isTextKind(kind)) return null;
  const max = ctx.column?.maxLength ?? null;
  const clamp = (low: number, high: number) => (max === null ? high : Math.min(high, Math.max(low, max)));
  switch (textShape(undefined, ctx)) {
    case 'email': return clamp(MIN_HEX + EMAIL_SUFFIX.length, MAX_HEX + EMAIL_SUFFIX.length);
    case 'phone': return clamp(PHONE_MARKER.length + MIN_PHONE_DIGITS, PHONE_MARKER.length + MAX_PHONE_DIGITS);
    default: return clamp(MIN_HEX, MAX_HEX);
  }
}

/** Why shaped values may collide in this column, which matters only when it is UNIQUE. */
export function shapedCollision(mask: string, ctx: MaskContext): string | undefined {
  const column = ctx.column;
  if (!column?.unique) return undefined;
  const where = `column ${column.name} (${column.type})`;
  const narrow = (what: string) => `mask ${mask} can give different rows the same value in UNIQUE ${where}: ${what}`;
  switch (column.family) {
    case 'boolean':
    case 'date':
    case 'timestamp':
    case 'time':
      return narrow(`a ${column.family} has too few values`);
    case 'integer':
    case 'decimal':
    case 'float':
      return integerCeiling(column) < 2 ** 47 ? narrow('the type holds fewer than 2^47 numbers') : undefined;
    case 'binary':
      return column.maxLength !== null && column.maxLength < 8 ? narrow('fewer than 8 bytes') : undefined;
    default:
      return undefined;
  }
}

function integerFrom(bytes: Buffer, ceiling: number): number {
  if (ceiling <= 0) return 0;
  return (bytes.readUIntBE(0, 6) % Math.min(ceiling, WIDE_CEILING)) + 1;
}

function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function documentationIpv6(bytes: Buffer): string {
  const groups = [0x2001, 0x0db8];
  for (let i = 0; i < 6; i++) groups.push(bytes.readUInt16BE(i * 2));
  return compressIpv6(groups);
}

function dateFrom(bytes: Buffer, kind: 'date' | 'timestamp', input: unknown): unknown {
  const day = new Date(1971, 0, 1 + (bytes.readUInt32BE(0) % DATE_SPAN_DAYS));
  if (kind === 'date') return dateLike(day.getFullYear(), day.getMonth() + 1, day.getDate(), kind, input);
  const at = new Date(day.getTime() + (bytes.readUInt32BE(4) % DAY_MS));
  at.setMilliseconds(0);
  if (input instanceof Date) return at;
  return typeof input === 'string' && !input.includes(':') ? localDateText(at) : localTimestampText(at);
}

function timeFrom(bytes: Buffer): string {
  const seconds = bytes.readUInt32BE(0) % 86_400;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}
