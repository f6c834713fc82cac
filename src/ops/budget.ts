// `dsar budget [group]`: per budget group of the data map, what its differentially private releases spent in the
// current window and what is left, and whether the release ledger's hash chain is intact.
import { subtractDuration } from '../datamap/duration.ts';
import type { DataMap, DpBudget } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';
import type { Spent } from '../state/dp-composition.ts';
import type { StateStore } from '../state/store.ts';

export interface BudgetStatus {
  group: string;
  extracts: string[];
  budget: { epsilon: number; delta: number; per: string };
  since: string;
  releases: number;
  spent: Spent;
  left: Spent;
  lastRelease: string | null;
}

export interface BudgetReport {
  groups: BudgetStatus[];
  chain: { ok: boolean; entries: number; problems: string[] };
}

/** The budget groups the map declares (one budget per group: validation makes sure of it). */
export function budgetGroups(map: DataMap): Map<string, { budget: DpBudget; extracts: string[] }> {
  const out = new Map<string, { budget: DpBudget; extracts: string[] }>();
  for (const x of Object.values(map.extracts)) {
    if (!x.budget || !x.privacy.dp) continue;
    const g = out.get(x.budget.group) ?? { budget: x.budget, extracts: [] };
    g.extracts.push(x.name);
    out.set(x.budget.group, g);
  }
  return out;
}

export async function budgetReport(map: DataMap, store: StateStore, opts: { group?: string; now?: Date } = {}): Promise<BudgetReport> {
  const groups = budgetGroups(map);
  if (opts.group && !groups.has(opts.group)) throw new UsageError(`unknown budget group '${opts.group}' (declared: ${[...groups.keys()].join(', ') || 'none'})`);
  const now = opts.now ?? new Date();
  const statuses: BudgetStatus[] = [];
  for (const [group, { budget, extracts }] of groups) {
    if (opts.group && group !== opts.group) continue;
    const since = subtractDuration(now, budget.per);
    const { spent, releases } = await store.dpBudgets.spentSince(group, since);
    statuses.push({
      group,
      extracts,
      budget: { epsilon: budget.epsilon, delta: budget.delta, per: budget.per.text },
      since: since.toISOString(),
      releases: releases.length,
      spent,
      left: { epsilon: Math.max(0, budget.epsilon - spent.epsilon), delta: Math.max(0, budget.delta - spent.delta) },
      lastRelease: releases.at(-1)?.releasedAt ?? null,
    });
  }
  return { groups: statuses, chain: await store.dpBudgets.verify() };
}
