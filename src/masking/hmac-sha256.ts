// HMAC-SHA-256 for the per-row paths (hash and fake masks, extract pseudonyms), computed from its definitions
// (RFC 2104 over FIPS 180-4): H((K ^ opad) || H((K ^ ipad) || m)). The key's two pad blocks are compressed once per
// key, so a short value costs two SHA-256 compressions in plain JavaScript and no call into native code; Node's
// crypto (createHmac, or crypto.hash twice) costs 2-3x more per value because each call crosses into C++ and
// compresses the pad blocks again. A sweep or an extract calls this once per value: ~1 us instead of ~2.2 us.
// Checked against createHmac by property tests (test/masking/hmac-sha256.test.ts). Not constant-time, which is
// fine here: it pseudonymizes values the caller already holds and never verifies a MAC.

import { hash } from 'node:crypto';

const BLOCK = 64;
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

// Scratch shared by every MAC: each call runs to its end synchronously, so no two calls ever use them at once.
const W = new Int32Array(64);
const state = new Int32Array(8);
/** Messages up to this many bytes are packed without allocating. */
const SCRATCH = 1024;
const scratch = new Uint8Array(SCRATCH);
// latin1Slice: Buffer's own fast path under toString('latin1'), without its argument checks.
const hexOut = Buffer.alloc(64) as Buffer & { latin1Slice(start: number, end: number): string };

/** One SHA-256 compression of the block in W[0..15] into `s`. */
function compress(s: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15];
    const w2 = W[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  s[0] = (s[0] + a) | 0;
  s[1] = (s[1] + b) | 0;
  s[2] = (s[2] + c) | 0;
  s[3] = (s[3] + d) | 0;
  s[4] = (s[4] + e) | 0;
  s[5] = (s[5] + f) | 0;
  s[6] = (s[6] + g) | 0;
  s[7] = (s[7] + h) | 0;
}

/** W[0..15] from 64 bytes of `bytes` at `at`, big-endian. */
function loadBlock(bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) W[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

/**
 * SHA-256 state after `len` bytes of `bytes` and the final padding, continuing from `init`, which has already
 * absorbed one 64-byte block (a pad of the key): the length in the padding counts that block too.
 */
function finish(init: Int32Array, bytes: Uint8Array, len: number): void {
  state.set(init);
  let at = 0;
  for (; at + BLOCK <= len; at += BLOCK) {
    loadBlock(bytes, at);
    compress(state);
  }
  W.fill(0, 0, 16);
  const rest = len - at;
  for (let i = 0; i < rest; i++) W[i >> 2] |= bytes[at + i] << (24 - 8 * (i & 3));
  W[rest >> 2] |= 0x80 << (24 - 8 * (rest & 3));
  if (rest >= 56) {
    compress(state);
    W.fill(0, 0, 16);
  }
  const bits = (BLOCK + len) * 8;
  W[14] = Math.floor(bits / 0x100000000);
  W[15] = bits >>> 0;
  compress(state);
}

/** The message's bytes in `scratch` when they fit (ASCII is copied without encoding), else a new buffer. */
function bytesOf(message: string | Uint8Array): Uint8Array {
  if (typeof message !== 'string') return message;
  const n = message.length;
  if (n <= SCRATCH) {
    let i = 0;
    for (; i < n; i++) {
      const c = message.charCodeAt(i);
      if (c > 0x7f) break;
      scratch[i] = c;
    }
    if (i === n) return scratch.subarray(0, n);
    if (n * 3 <= SCRATCH) return scratch.subarray(0, Buffer.from(scratch.buffer, scratch.byteOffset, SCRATCH).write(message, 'utf8'));
  }
  return Buffer.from(message, 'utf8');
}

/** The state after one block of `key` (padded with zeros) XOR `pad`. */
function padState(key: Uint8Array, pad: number): Int32Array {
  for (let i = 0; i < 16; i++) {
    let word = 0;
    for (let j = 0; j < 4; j++) word = (word << 8) | ((key[4 * i + j] ?? 0) ^ pad);
    W[i] = word;
  }
  const s = IV.slice();
  compress(s);
  return s;
}

/** The HMAC-SHA-256 function of `key`: `mac(m)` gives the 32-byte digest, `mac.hex(m, chars)` its first hex digits. */
export interface Mac {
  (message: string | Uint8Array): Buffer;
  /** The first `chars` hex digits of the digest (all 64 by default). */
  hex(message: string | Uint8Array, chars?: number): string;
}

export function hmacSha256(key: Uint8Array): Mac {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  const inner = padState(k, 0x36);
  const outer = padState(k, 0x5c);
  /** Runs both hashes; the digest is left in `state`. */
  const run = (message: string | Uint8Array): void => {
    const bytes = bytesOf(message);
    finish(inner, bytes, bytes.length);
    for (let i = 0; i < 8; i++) W[i] = state[i];
    W[8] = 0x80000000 | 0;
    W.fill(0, 9, 15);
    W[15] = (BLOCK + 32) * 8;
    state.set(outer);
    compress(state);
  };
  const mac = ((message: string | Uint8Array) => {
    run(message);
    return digestBytes();
  }) as Mac;
  mac.hex = (message: string | Uint8Array, chars = 64): string => {
    run(message);
    for (let i = 0; i < chars; i++) hexOut[i] = HEX_DIGITS[(state[i >> 3] >>> (28 - 4 * (i & 7))) & 15];
    return hexOut.latin1Slice(0, chars);
  };
  return mac;
}

function digestBytes(): Buffer {
  const out = Buffer.allocUnsafe(32);
  for (let i = 0; i < 8; i++) out.writeInt32BE(state[i], 4 * i);
  return out;
}
