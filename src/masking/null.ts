// `null`: the value is removed. NULLs never collide, so it fits UNIQUE columns; it cannot go into NOT NULL ones.
import type { Masker } from './masker.ts';

export const nullMasker: Masker = {
  name: 'null',
  apply: () => null,
  isMasked: (value) => value === null || value === undefined,
  unique: true,
  canBeNull: true,
  maxOutputLength: () => 0,
};
