// Opt-outs of marketing and of sharing, by subject hash: extracts and marketing-purpose tables exclude them.
import { currentActor } from './actor.ts';
import type { StateBackend } from './backend.ts';
import type { SubjectHasher } from './subject-key.ts';

export const OPT_OUT_SCOPES = ['marketing', 'sharing'] as const;
export type OptOutScope = (typeof OPT_OUT_SCOPES)[number];

export interface OptOut {
  subjectHash: string;
  identityType: string;
  scope: OptOutScope;
  actor: string;
  createdAt: string;
}

export class OptOuts {
  constructor(
    private readonly backend: StateBackend,
    private readonly hash: SubjectHasher,
  ) {}

  /** Records an opt-out (value already normalized); recording it again keeps the first record. */
  async add(identityType: string, normalizedValue: string, scope: OptOutScope, actor = currentActor(), now = new Date()): Promise<OptOut> {
    if (!OPT_OUT_SCOPES.includes(scope)) throw new TypeError(`unknown opt-out scope: ${scope}`);
    const subjectHash = this.hash(identityType, normalizedValue);
    await this.backend.db
      .insertInto('dsar_optouts')
      .values({ subject_hash: subjectHash, scope, identity_type: identityType, actor, created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['scope', 'subject_hash']).doNothing())
      .execute();
    const row = await this.backend.db
      .selectFrom('dsar_optouts')
      .selectAll()
      .where('scope', '=', scope)
      .where('subject_hash', '=', subjectHash)
      .executeTakeFirstOrThrow();
    return toOptOut(row);
  }

  async list(scope?: OptOutScope): Promise<OptOut[]> {
    let query = this.backend.db.selectFrom('dsar_optouts').selectAll().orderBy('created_at').orderBy('subject_hash');
    if (scope) query = query.where('scope', '=', scope);
    return (await query.execute()).map(toOptOut);
  }

  /** Hashes of every subject opted out of `scope`. */
  async optedOut(scope: OptOutScope): Promise<Set<string>> {
    const rows = await this.backend.db.selectFrom('dsar_optouts').select('subject_hash').where('scope', '=', scope).execute();
    return new Set(rows.map((r) => r.subject_hash));
  }
}

function toOptOut(r: { subject_hash: string; identity_type: string; scope: string; actor: string; created_at: string }): OptOut {
  return { subjectHash: r.subject_hash, identityType: r.identity_type, scope: r.scope as OptOutScope, actor: r.actor, createdAt: r.created_at };
}
