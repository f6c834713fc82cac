// Legal holds: a held subject is skipped by erase and sweep. Kept by subject hash; the identity type is kept
// (it is not personal) so `hold list` can say what kind of identity was held, and the identity itself only
// sealed (identity-seal.ts), for the sweep, which must find the held subject's rows.
import { currentActor } from './actor.ts';
import type { StateBackend } from './backend.ts';
import { chunks } from './chunks.ts';
import type { IdentitySealer, SealedIdentity } from './identity-seal.ts';
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
    private readonly sealer: IdentitySealer,
  ) {}

  /** Places a hold (value already normalized); a subject already held gets the new reason. */
  async add(identityType: string, normalizedValue: string, reason: string, actor = currentActor(), now = new Date()): Promise<Hold> {
    if (!reason.trim()) throw new TypeError('a legal hold needs a reason');
    const hold: Hold = { subjectHash: this.hash(identityType, normalizedValue), identityType, reason, actor, createdAt: now.toISOString() };
    const sealed = this.sealer.seal({ type: identityType, value: normalizedValue }, hold.subjectHash);
    await this.backend.db
      .insertInto('dsar_holds')
      .values({ subject_hash: hold.subjectHash, identity_type: identityType, identity_sealed: sealed, reason, actor, created_at: hold.createdAt })
      .onConflict((oc) => oc.column('subject_hash').doUpdateSet({ reason, actor, created_at: hold.createdAt, identity_sealed: sealed }))
      .execute();
    return hold;
  }

  /** The identity of every held subject, unsealed: for the sweep, which resolves them to rows. Never log them. */
  async heldIdentities(): Promise<SealedIdentity[]> {
    return (await this.readSealed()).identities;
  }

  /** Holds whose identity cannot be unsealed: placed before identities were sealed (migration 0002), or tampered with. */
  async unresolvableHolds(): Promise<number> {
    return (await this.readSealed()).unresolvable;
  }

  private async readSealed(): Promise<{ identities: SealedIdentity[]; unresolvable: number }> {
    const rows = await this.backend.db.selectFrom('dsar_holds').select(['subject_hash', 'identity_sealed']).orderBy('subject_hash').execute();
    const identities: SealedIdentity[] = [];
    let unresolvable = 0;
    for (const r of rows) {
      const identity = r.identity_sealed ? this.sealer.open(r.identity_sealed, r.subject_hash) : undefined;
      // A sealed identity that does not hash back to its row's subject was not sealed for it.
      if (identity && this.hash(identity.type, identity.value) === r.subject_hash) identities.push(identity);
      else unresolvable++;
    }
    return { identities, unresolvable };
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
