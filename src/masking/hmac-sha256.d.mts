export interface Mac {
  (message: string | Uint8Array): Buffer;
  /** The first `chars` hex digits of the digest (all 64 by default). */
  hex(message: string | Uint8Array, chars?: number): string;
}

/** The HMAC-SHA-256 function of `key` (see hmac-sha256.mjs). */
export function hmacSha256(key: Uint8Array): Mac;
