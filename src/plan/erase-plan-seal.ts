// A plan kept in the state store so a killed erasure resumes with the very same rows: the rows a finished step
// removed cannot be found again by a new traversal (an owned address is reached only through its order). Row keys
// may be personal (a CSV keyed by email), so the plan is stored sealed: AES-256-GCM under a key derived from
// `secrets.hmac_key`, which the state store never holds.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { UsageError } from '../errors.ts';
import type { ErasePlan } from './erase-plan.ts';

const FORMAT = 'dsar-erase-plan/1';

function sealKey(hmacKey: Buffer): Buffer {
  return createHmac('sha256', hmacKey).update('dsar erase plan seal v1').digest();
}

/** JSON that keeps dates, bytes and bigints as what they were. */
function encode(plan: ErasePlan): string {
  return JSON.stringify(plan, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    return value;
  });
}

function decode(text: string): ErasePlan {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === '$date') return new Date(value.$date);
      if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(value.$bytes, 'base64');
      if (keys.length === 1 && keys[0] === '$bigint') return BigInt(value.$bigint);
    }
    return value;
  });
}

export interface SealedPlan {
  format: string;
  iv: string;
  tag: string;
  data: string;
}

export function sealPlan(plan: ErasePlan, hmacKey: Buffer): SealedPlan {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(hmacKey), iv);
  const data = Buffer.concat([cipher.update(encode(plan), 'utf8'), cipher.final()]);
  return { format: FORMAT, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plan back; a different `hmac_key` than the one that sealed it cannot open it (exit 2, nothing touched). */
export function unsealPlan(sealed: SealedPlan, hmacKey: Buffer): ErasePlan {
  if (sealed?.format !== FORMAT) throw new UsageError(`the stored erasure plan has an unknown format (${String(sealed?.format)})`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(hmacKey), Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    return decode(text);
  } catch {
    throw new UsageError('the stored erasure plan of this ticket cannot be opened: secrets.hmac_key changed since it was started');
  }
}
