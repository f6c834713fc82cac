// Pseudonyms of an extract: HMAC-SHA-256 of the value under a key derived from `hmac_key` and a fresh random salt.
// The same value gets the same pseudonym within one extract (joins inside the data set work) and an unrelated one
// in the next extract (two extracts cannot be linked through it). The salt is never written anywhere.
import crypto, { createHmac, randomBytes } from 'node:crypto';
import { normalizeLinkValue } from '../datamap/normalize.ts';

/** Hex characters kept of the HMAC: 128 bits, so collisions stay negligible at billions of rows. */
export const PSEUDONYM_HEX_LENGTH = 32;
const BLOCK = 64; // SHA-256 block size
const CONTEXT = 'dsar extract pseudonym v1\0';

export type Pseudonymizer = (value: unknown) => string | null;

/**
 * The pseudonym function of one extract. The value is taken as text the way links compare values (`1` and `"1"`
 * alike); NULL stays NULL.
 *
 * HMAC is computed from its definition, H((K ^ opad) || H((K ^ ipad) || m)), with two one-shot hashes over
 * preallocated buffers: Node's createHmac costs about 3x more per call, and this runs once per row.
 */
export function pseudonymizer(hmacKey: Buffer, salt: Buffer = randomBytes(16)): Pseudonymizer {
  const key = createHmac('sha256', hmacKey).update(CONTEXT).update(salt).digest(); // 32 bytes < one block: used as is
  const inner = Buffer.alloc(BLOCK + 1024);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (key[i] ?? 0) ^ 0x36;
    outer[i] = (key[i] ?? 0) ^ 0x5c;
  }
  const hmac = (text: string): string => {
    let message: Buffer;
    if (text.length * 3 <= inner.length - BLOCK) message = inner.subarray(0, BLOCK + inner.write(text, BLOCK, 'utf8'));
    else message = Buffer.concat([inner.subarray(0, BLOCK), Buffer.from(text, 'utf8')]);
    outer.write(crypto.hash('sha256', message, 'binary'), BLOCK, 'binary'); // one byte per char: the cheapest round trip
    return crypto.hash('sha256', outer, 'hex');
  };
  return (value) => (value === null || value === undefined ? null : hmac(normalizeLinkValue(value)).slice(0, PSEUDONYM_HEX_LENGTH));
}
