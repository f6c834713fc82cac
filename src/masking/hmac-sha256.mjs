// HMAC-SHA-256 for the per-row paths (hash and fake masks, extract pseudonyms), computed from its definition
// (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)), as two one-shot hashes over preallocated buffers. Node's
// createHmac builds an object per call and costs about 3x more; a sweep or an extract calls this once per value.
// Plain JavaScript (types in hmac-sha256.d.mts) so that the pseudonym worker thread loads it without TypeScript.
import { hash } from 'node:crypto';

const BLOCK = 64; // SHA-256 block size
/** Message bytes that fit in the preallocated buffer; longer messages take one allocation. */
const SCRATCH = 1024;

/** The HMAC-SHA-256 function of `key`. It reuses its buffers: safe because each call is synchronous. */
export function hmacSha256(key) {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  const inner = Buffer.alloc(BLOCK + SCRATCH);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (k[i] ?? 0) ^ 0x36;
    outer[i] = (k[i] ?? 0) ^ 0x5c;
  }
  const withInnerPad = (message) => {
    if (typeof message === 'string') {
      if (message.length * 3 <= SCRATCH) return inner.subarray(0, BLOCK + inner.write(message, BLOCK, 'utf8'));
      return Buffer.concat([inner.subarray(0, BLOCK), Buffer.from(message, 'utf8')]);
    }
    if (message.length > SCRATCH) return Buffer.concat([inner.subarray(0, BLOCK), message]);
    inner.set(message, BLOCK);
    return inner.subarray(0, BLOCK + message.length);
  };
  const outerInput = (message) => {
    hash('sha256', withInnerPad(message), 'buffer').copy(outer, BLOCK);
    return outer;
  };
  const mac = (message) => hash('sha256', outerInput(message), 'buffer');
  mac.hex = (message) => hash('sha256', outerInput(message), 'hex');
  return mac;
}
