// `keep`: the value stays as it is (a field declared for the inventory, not for masking).
import type { Masker } from './masker.ts';

export const keepMasker: Masker = {
  name: 'keep',
  apply: (value) => value,
  isMasked: () => true,
  unique: true,
  canBeNull: false,
  maxOutputLength: () => null,
};
