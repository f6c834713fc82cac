// Pseudonyms of an extract: HMAC-SHA-256 of the value under a key derived from `hmac_key` and a fresh random salt.
// The same value gets the same pseudonym within one extract (joins inside the data set work) and an unrelated one
// in the next extract (two extracts cannot be linked through it). The salt is never written anywhere.
import { createHmac, randomBytes } from 'node:crypto';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { hmacSha256 } from '../masking/hmac-sha256.ts';

/** Hex characters kept of the HMAC: 128 bits, so collisions stay negligible at billions of rows. */
export const PSEUDONYM_HEX_LENGTH = 32;
const CONTEXT = 'dsar extract pseudonym v1\0';

export interface Pseudonymizer {
  (value: unknown): string | null;
  /** The extract's derived key (for the worker that computes pseudonyms in bulk: pseudonym-pool.ts). */
  readonly key: Buffer;
}

/**
 * The pseudonym function of one extract. The value is taken as text the way links compare values (`1` and `"1"`
 * alike); NULL stays NULL.
 */
export function pseudonymizer(hmacKey: Buffer, salt: Buffer = randomBytes(16)): Pseudonymizer {
  const key = createHmac('sha256', hmacKey).update(CONTEXT).update(salt).digest();
  const mac = hmacSha256(key);
  const one = (value: unknown) => (value === null || value === undefined ? null : mac.hex(normalizeLinkValue(value), PSEUDONYM_HEX_LENGTH));
  return Object.assign(one, { key });
}
