// `random`: like `hash` in shape but from fresh random bytes, so it is neither deterministic nor recognizable.
import { randomBytes } from 'node:crypto';
import { shapeBytes, shapedCollision, shapedMaxLength } from './digest-shapes.ts';
import type { Masker } from './masker.ts';

export const randomMasker: Masker = {
  name: 'random',
  apply(value, ctx) {
    if (value === null || value === undefined) return null;
    return shapeBytes(randomBytes(32), value, ctx);
  },
  isMasked: (value) => value === null || value === undefined,
  unique: true,
  canBeNull: false,
  maxOutputLength: shapedMaxLength,
  fits: (ctx) => shapedCollision('random', ctx),
};
