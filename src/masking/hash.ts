// `hash`: HMAC-SHA-256 of the value's normalized text under secrets.hmac_key, shaped to the column (see
// digest-shapes.ts). Deterministic: the same value and key give the same output in every system and every run.
import { digestOf } from './digest.ts';
import { isShaped, shapeBytes, shapedCollision, shapedMaxLength } from './digest-shapes.ts';
import type { Masker } from './masker.ts';

export const hashMasker: Masker = {
  name: 'hash',
  apply(value, ctx) {
    if (value === null || value === undefined) return null;
    return shapeBytes(digestOf(value, ctx), value, ctx);
  },
  // Emails, phones, UUIDs, inet and full-length hex are recognizable; numbers, dates and bytes are not.
  isMasked: isShaped,
  unique: true,
  canBeNull: false,
  maxOutputLength: shapedMaxLength,
  fits: (ctx) => shapedCollision('hash', ctx),
};
