// Subjects are referred to by HMAC-SHA-256(installation key, `type:normalized value`): the state never holds a
// raw identity, yet the same person always maps to the same hash within one installation.
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SUBJECT_KEY } from './migrations.ts';
import type { StateDatabase } from './schema.ts';

export type SubjectHasher = (identityType: string, normalizedValue: string) => string;

const SUBJECT_HASH = /^[0-9a-f]{64}$/;

/** True for a value shaped like a subject hash; guards against a raw identity being stored by mistake. */
export function isSubjectHash(value: string): boolean {
  return SUBJECT_HASH.test(value);
}

export function assertSubjectHash(value: string): void {
  if (!isSubjectHash(value)) throw new TypeError('expected a subject hash (64 hex characters), got something else');
}

/** The installation's subject key (made by the first migration). */
export async function loadSubjectKey(db: Kysely<StateDatabase>): Promise<Buffer> {
  const row = await db.selectFrom('dsar_meta').select('value').where('key', '=', SUBJECT_KEY).executeTakeFirst();
  if (!row) throw new Error('the state store has no subject key: its dsar_meta table was altered');
  return Buffer.from(row.value, 'hex');
}

export async function loadSubjectHasher(db: Kysely<StateDatabase>): Promise<SubjectHasher> {
  return subjectHasher(await loadSubjectKey(db));
}

export function subjectHasher(key: Buffer): SubjectHasher {
  return (identityType, normalizedValue) =>
    createHmac('sha256', key).update(`${identityType}:${normalizedValue}`).digest('hex');
}
