// The keyed digest behind `hash` and `fake`: HMAC-SHA-256 of the value's normalized text. Normalizing the way
// identities are normalized means the same person's email (or phone) masks alike in every system.
import { keyOf } from './hmac-key.ts';
import { hmacSha256, type Mac } from './hmac-sha256.ts';
import type { MaskContext } from './masker.ts';
import { isEmail, isPhone, kindOf, localDateText } from './value-kind.ts';

/** One MAC per key: the key's pads are computed once for a whole run. */
const macs = new WeakMap<Buffer, Mac>();

export function digestOf(value: unknown, ctx: MaskContext): Buffer {
  const key = keyOf(ctx);
  let mac = macs.get(key);
  if (!mac) macs.set(key, (mac = hmacSha256(key)));
  return mac(value instanceof Uint8Array ? value : normalizedText(value, ctx));
}

/** Emails lowercase-trim, phones digits, dates `YYYY-MM-DD` (DATE columns) or ISO instants, other text trimmed (NFC); a UNIQUE column's text as stored. */
export function normalizedText(value: unknown, ctx: MaskContext): string {
  if (value instanceof Date) {
    return kindOf(value, ctx.column) === 'date' ? localDateText(value) : value.toISOString();
  }
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  // A UNIQUE column holds `Bob@x` and `bob@x` as two rows: folding them would mask both alike and break the
  // constraint (a sweep then failed at that batch on every run). Its stored text is hashed exactly as stored.
  if (ctx.column?.unique) return String(value);
  const text = String(value).normalize('NFC').trim();
  if (isPhone(ctx.category)) {
    const digits = text.replace(/\D/g, '');
    if (digits) return digits;
  }
  if (isEmail(text, ctx.category)) return text.toLowerCase();
  return text;
}
