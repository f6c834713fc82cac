// The HMAC key behind `hash` and `fake`: required only by the commands that write masked values.
import type { Secret } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';

const MISSING = 'secrets.hmac_key is not set (env:DSAR_HMAC_KEY): erase, sweep and extract need it';

/** The key's bytes (UTF-8 of the resolved text); UsageError (exit 2) when it is not configured or empty. */
export function requireHmacKey(secret: Secret | string | undefined): Buffer {
  const text = typeof secret === 'string' ? secret : secret?.resolve();
  if (!text) throw new UsageError(MISSING);
  return Buffer.from(text, 'utf8');
}

/** The context's key, for maskers that need one. */
export function keyOf(ctx: { hmacKey?: Buffer }): Buffer {
  if (!ctx.hmacKey || ctx.hmacKey.length === 0) throw new UsageError(MISSING);
  return ctx.hmacKey;
}
