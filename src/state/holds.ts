// Legal holds: a held subject is skipped by erase and sweep. Kept by subject hash; the identity type is kept
// (it is not personal) so `hold list` can say what kind of identity was held.
import { currentActor } from './actor.ts';
import type { StateBackend } from './backend.ts';
import { chunks } from './chunks.ts';
import type { SubjectHasher } from './subject-key.ts';

export interface Hold {
  subjectHash: string;
  identityType: string;
  reason: string;
  actor: string;
  createdAt: string;
}

export class Holds {
  constructor(
    private readonly backend: StateBackend,
    private readonly hash: SubjectHasher,
  ) {}

  /** Places a hold (value already normalized); a subject already held gets the new reason. */
  async add(identityType: string, normalizedValue: string, reason: string, actor = currentActor(), now = new Date()): Promise<Hold> {
    if (!reason.trim()) throw new TypeError('a legal hold needs a reason');
    const hold: Hold = { subjectHash: this.hash(identityType, normalizedValue), identityType, reason, actor, createdAt: now.toISOString() };
    await this.backend.db
      .insertInto('dsar_holds')
      .values({ subject_hash: hold.subjectHash, identity_type: identityType, reason, actor, created_at: hold.createdAt })
      .onConflict((oc) => oc.column('subject_hash').doUpdateSet({ reason, actor, created_at: hold.createdAt }))
      .execute();
    return hold;
  }

  /** Lifts the hold; false when the subject was not held. */
  async remove(identityType: string, normalizedValue: string): Promise<boolean> {
    const result = await this.backend.db
      .deleteFrom('dsar_holds')
      .where('subject_hash', '=', this.hash(identityType, normalizedValue))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(): Promise<Hold[]> {
    const rows = await this.backend.db.selectFrom('dsar_holds').selectAll().orderBy('created_at').orderBy('subject_hash').execute();
    return rows.map((r) => ({ subjectHash: r.subject_hash, identityType: r.identity_type, reason: r.reason, actor: r.actor, createdAt: r.created_at }));
  }

  /** Hashes of every held subject (holds are few: one row per litigation subject). */
  async heldSubjects(): Promise<Set<string>> {
    const rows = await this.backend.db.selectFrom('dsar_holds').select('subject_hash').execute();
    return new Set(rows.map((r) => r.subject_hash));
  }

  /** The reason of a hold on any of these subject hashes (one subject's hashes, one per identity), if any. */
  async isHeld(subjectHashes: readonly string[]): Promise<string | undefined> {
    for (const chunk of chunks([...new Set(subjectHashes)])) {
      const row = await this.backend.db
        .selectFrom('dsar_holds')
        .select('reason')
        .where('subject_hash', 'in', chunk)
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
      if (row) return row.reason;
    }
    return undefined;
  }
}
