// Subjects are referred to by HMAC-SHA-256(installation key, `type:normalized value`): the state never holds a
// raw identity, yet the same person always maps to the same hash within one installation.
// The installation key is kept sealed under secrets.hmac_key (a secret the state never holds), so a copy of the
// state database alone can neither confirm a guess of who made a request nor unseal a held identity. Sealing the
// key, rather than deriving a new one, keeps every recorded subject hash (and the ledger's hash chain) as it was.
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { UsageError } from '../errors.ts';
import { SUBJECT_KEY } from './migrations.ts';
import type { StateDatabase } from './schema.ts';
import { openJson, sealJson } from './sealed-json.ts';

const SEALED_SUBJECT_KEY = 'subject_key_sealed';
const SEAL_PURPOSE = 'subject-key';
const KEY_HEX = /^[0-9a-f]{64}$/;

export type SubjectHasher = (identityType: string, normalizedValue: string) => string;

const SUBJECT_HASH = /^[0-9a-f]{64}$/;

/** True for a value shaped like a subject hash; guards against a raw identity being stored by mistake. */
export function isSubjectHash(value: string): boolean {
  return SUBJECT_HASH.test(value);
}

export function assertSubjectHash(value: string): void {
  if (!isSubjectHash(value)) throw new TypeError('expected a subject hash (64 hex characters), got something else');
}

/**
 * The installation's subject key (made by the first migration), unsealed with `hmacKey`. A key still in the clear
 * (a store made before keys were sealed, or never opened with an hmac_key) is sealed now and its clear copy deleted,
 * in one transaction; two processes doing so at once keep one sealing of the same key.
 */
export async function loadSubjectKey(db: Kysely<StateDatabase>, hmacKey: Buffer): Promise<Buffer> {
  const rows = await db.selectFrom('dsar_meta').select(['key', 'value']).where('key', 'in', [SUBJECT_KEY, SEALED_SUBJECT_KEY]).execute();
  const sealed = rows.find((r) => r.key === SEALED_SUBJECT_KEY);
  const clear = rows.find((r) => r.key === SUBJECT_KEY);
  if (sealed) {
    const hex = openJson(hmacKey, SEAL_PURPOSE, SEALED_SUBJECT_KEY, sealed.value);
    if (typeof hex !== 'string' || !KEY_HEX.test(hex)) {
      throw new UsageError(
        'the state store was sealed under another secrets.hmac_key: set the key it was made with (a new key would orphan every hold, opt-out and request on record)',
      );
    }
    if (clear) await db.deleteFrom('dsar_meta').where('key', '=', SUBJECT_KEY).execute();
    return Buffer.from(hex, 'hex');
  }
  if (!clear || !KEY_HEX.test(clear.value)) throw new Error('the state store has no subject key: its dsar_meta table was altered');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('dsar_meta')
      .values({ key: SEALED_SUBJECT_KEY, value: sealJson(hmacKey, SEAL_PURPOSE, SEALED_SUBJECT_KEY, clear.value) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    await trx.deleteFrom('dsar_meta').where('key', '=', SUBJECT_KEY).execute();
  });
  return Buffer.from(clear.value, 'hex');
}

export function subjectHasher(key: Buffer): SubjectHasher {
  return (identityType, normalizedValue) =>
    createHmac('sha256', key).update(`${identityType}:${normalizedValue}`).digest('hex');
}
