export interface Mac {
  (message: string | Uint8Array): Buffer;
  hex(message: string | Uint8Array): string;
}

/** The HMAC-SHA-256 function of `key` (see hmac-sha256.mjs). */
export function hmacSha256(key: Uint8Array): Mac;
