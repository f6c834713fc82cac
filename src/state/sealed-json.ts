// A value kept in the state store sealed (AES-256-GCM) under a key derived from secrets.hmac_key, a secret the
// state store never holds: a copy of the state database alone reveals nothing of it. Bound to a name (the run), so
// a sealed value cannot be moved to another run. Used for a sweep's checkpoint key, which may be an email.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function derived(hmacKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', hmacKey).update(`dsar-${purpose}`).digest();
}

export function sealJson(hmacKey: Buffer, purpose: string, bindTo: string, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derived(hmacKey, purpose), iv);
  cipher.setAAD(Buffer.from(bindTo, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The value, or undefined when it was not sealed under this key for `bindTo` (another key, tampered). */
export function openJson(hmacKey: Buffer, purpose: string, bindTo: string, sealed: unknown): unknown {
  if (typeof sealed !== 'string' || !sealed.startsWith(VERSION)) return undefined;
  const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived(hmacKey, purpose), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(bindTo, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}
