// Where a sampler's randomness comes from: uniform integers built from random bytes by rejection (never from a
// float, never by a modulo that favours small values). Production draws from `node:crypto`; tests inject a seeded
// stream so that a chi-square over a million draws is the same every run.
import { createHash, randomBytes } from 'node:crypto';

export interface BitSource {
  /** A uniform integer in [0, n), n >= 1. */
  below(n: bigint): bigint;
}

/** Uniform integers from a byte stream: the fewest bytes that cover n, the top bits masked, values >= n redrawn. */
export class ByteBits implements BitSource {
  #buffer = Buffer.alloc(0);
  #at = 0;

  constructor(private readonly next: (size: number) => Buffer) {}

  #bytes(count: number): Buffer {
    if (this.#at + count > this.#buffer.length) {
      this.#buffer = Buffer.concat([this.#buffer.subarray(this.#at), this.next(Math.max(4096, count))]);
      this.#at = 0;
    }
    const out = this.#buffer.subarray(this.#at, this.#at + count);
    this.#at += count;
    return out;
  }

  below(n: bigint): bigint {
    if (n <= 0n) throw new RangeError(`below(${n}): n must be positive`);
    if (n === 1n) return 0n;
    const bits = (n - 1n).toString(2).length;
    if (bits <= 32) {
      // The common case (small denominators) in Number arithmetic: same rejection, no BigInt per draw.
      const bytes = Math.ceil(bits / 8);
      const span = 2 ** bits; // keeping the low `bits` bits: a power-of-two modulo, exact and unbiased
      const limit = Number(n);
      for (;;) {
        const b = this.#bytes(bytes);
        let v = 0;
        for (let i = 0; i < bytes; i++) v = v * 256 + b[i];
        v %= span;
        if (v < limit) return BigInt(v);
      }
    }
    const bytes = Math.ceil(bits / 8);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      const v = BigInt('0x' + this.#bytes(bytes).toString('hex')) & mask;
      if (v < n) return v;
    }
  }
}

/** Bits from the operating system's CSPRNG. */
export function cryptoBits(): BitSource {
  return new ByteBits((size) => randomBytes(size));
}

/** A deterministic stream (SHA-256 of seed and counter): for tests only, never for a release. */
export function seededBits(seed: string): BitSource {
  let counter = 0;
  return new ByteBits((size) => {
    const blocks: Buffer[] = [];
    for (let got = 0; got < size; got += 32) blocks.push(createHash('sha256').update(`${seed}:${counter++}`).digest());
    return Buffer.concat(blocks);
  });
}
