// Held identities, sealed: a legal hold is looked up by subject hash, but the sweep must find the held subject's
// rows, which takes the identity itself. It is kept encrypted (AES-256-GCM) under a key derived from the state's
// subject key, bound to its subject hash, so the state's tables alone reveal no identity.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export interface SealedIdentity {
  type: string;
  /** Normalized with the identity type's normalizer. */
  value: string;
}

export interface IdentitySealer {
  /** `v1:` + base64(iv | tag | ciphertext); `bindTo` (the subject hash) is authenticated with it. */
  seal(identity: SealedIdentity, bindTo: string): string;
  /** The identity, or undefined when the text was not sealed by this key for `bindTo` (tampered or foreign). */
  open(sealed: string, bindTo: string): SealedIdentity | undefined;
}

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The sealer of a state store whose subject key is `subjectKey` (its own derived key, never the key itself). */
export function identitySealer(subjectKey: Buffer): IdentitySealer {
  const key = createHmac('sha256', subjectKey).update('dsar-seal').digest();
  return {
    seal(identity, bindTo) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(bindTo, 'utf8'));
      const body = Buffer.concat([cipher.update(JSON.stringify([identity.type, identity.value]), 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed, bindTo) {
      if (!sealed.startsWith(VERSION)) return undefined;
      const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(bindTo, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
        const [type, value] = JSON.parse(text) as [unknown, unknown];
        return typeof type === 'string' && typeof value === 'string' ? { type, value } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
