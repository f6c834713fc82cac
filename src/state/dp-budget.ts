// The privacy budget ledger: every differentially private release, what it spent and from which budget group,
// hash-chained (each entry's hash covers the one before). A release is charged before its file is published, in one
// transaction that first sums what the group spent in the budget's window: a release that would pass the budget is
// refused and nothing is recorded. Composition: dp-composition.ts.
import { currentActor } from './actor.ts';
import type { StateBackend } from './backend.ts';
import { canonicalJson, chainedHash } from './canonical-json.ts';
import type { DpReleaseTable } from './schema.ts';
import { spent, withinBudget, type Charge, type Spent } from './dp-composition.ts';

const LOCK = 'dsar_dp_releases';
export const DP_GENESIS = '0'.repeat(64);

export interface DpRelease {
  id: number;
  group: string;
  extract: string;
  releasedAt: string;
  mechanism: string;
  charge: Charge;
  detail: Record<string, unknown>;
  actor: string;
  entryHash: string;
}

export interface BudgetLimit extends Spent {
  /** Releases at or after this instant count against the budget. */
  since: Date;
}

export type ChargeOutcome =
  | { ok: true; release: DpRelease; spent: Spent; left: Spent }
  | { ok: false; spent: Spent; left: Spent; needs: Spent };

function hashOf(row: Omit<DpReleaseTable, 'entry_hash'>): string {
  return chainedHash(row, HASHED);
}

const HASHED: Record<keyof Omit<DpReleaseTable, 'entry_hash'>, true> = {
  id: true, budget_group: true, extract: true, released_at: true, mechanism: true, charge: true, detail: true, actor: true, prev_hash: true,
};

function toRelease(row: DpReleaseTable): DpRelease {
  return {
    id: Number(row.id),
    group: row.budget_group,
    extract: row.extract,
    releasedAt: row.released_at,
    mechanism: row.mechanism,
    charge: JSON.parse(row.charge),
    detail: JSON.parse(row.detail),
    actor: row.actor,
    entryHash: row.entry_hash,
  };
}

const left = (budget: Spent, used: Spent): Spent => ({ epsilon: Math.max(0, budget.epsilon - used.epsilon), delta: Math.max(0, budget.delta - used.delta) });

export class DpBudgets {
  constructor(private readonly backend: StateBackend) {}

  /** Records the release if the group's budget allows it in its window; otherwise records nothing. */
  async charge(input: { group: string; extract: string; mechanism: string; charge: Charge; detail: Record<string, unknown>; budget: BudgetLimit; now: Date }): Promise<ChargeOutcome> {
    return this.backend.exclusive(LOCK, async (db) => {
      const window = await db.selectFrom('dsar_dp_releases').select('charge').where('budget_group', '=', input.group).where('released_at', '>=', input.budget.since.toISOString()).execute();
      const before = spent(window.map((r) => JSON.parse(r.charge) as Charge));
      const after = spent([...window.map((r) => JSON.parse(r.charge) as Charge), input.charge]);
      if (!withinBudget(after, input.budget)) return { ok: false, spent: before, left: left(input.budget, before), needs: { epsilon: input.charge.epsilon, delta: input.charge.delta } };
      const last = await db.selectFrom('dsar_dp_releases').select(['id', 'entry_hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const unhashed = {
        id: last ? Number(last.id) + 1 : 1,
        budget_group: input.group,
        extract: input.extract,
        released_at: input.now.toISOString(),
        mechanism: input.mechanism,
        charge: canonicalJson(input.charge),
        detail: canonicalJson(input.detail),
        actor: currentActor(),
        prev_hash: last?.entry_hash ?? DP_GENESIS,
      };
      const row: DpReleaseTable = { ...unhashed, entry_hash: hashOf(unhashed) };
      await db.insertInto('dsar_dp_releases').values(row).execute();
      return { ok: true, release: toRelease(row), spent: after, left: left(input.budget, after) };
    });
  }

  /** What the group spent since `since`, and its releases then. */
  async spentSince(group: string, since: Date): Promise<{ spent: Spent; releases: DpRelease[] }> {
    const rows = await this.backend.db.selectFrom('dsar_dp_releases').selectAll().where('budget_group', '=', group).where('released_at', '>=', since.toISOString()).orderBy('id').execute();
    const releases = rows.map(toRelease);
    return { spent: spent(releases.map((r) => r.charge)), releases };
  }

  /** Every entry's hash recomputed and chained to the one before: the ids of entries that do not match. */
  async verify(): Promise<{ ok: boolean; entries: number; problems: string[] }> {
    const rows = await this.backend.db.selectFrom('dsar_dp_releases').selectAll().orderBy('id').execute();
    const problems: string[] = [];
    let prev = DP_GENESIS;
    rows.forEach((row, i) => {
      if (Number(row.id) !== i + 1) problems.push(`release ${row.id}: expected id ${i + 1} (an entry is missing)`);
      if (row.prev_hash !== prev) problems.push(`release ${row.id}: does not follow the entry before it`);
      const { entry_hash, ...rest } = row;
      if (hashOf(rest) !== entry_hash) problems.push(`release ${row.id}: its content does not match its hash`);
      prev = row.entry_hash;
    });
    return { ok: problems.length === 0, entries: rows.length, problems };
  }
}
