// `dsar extract <name> [--out FILE] [--memory-groups N]`: the flags read and checked, runExtract
// (src/ops/extract.ts) called, its result rendered.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { UsageError } from '../../errors.ts';
import { runExtract, type ExtractResult } from '../../ops/extract.ts';
import { openStateFor } from '../../state/for-map.ts';

export interface ExtractArgs extends GlobalArgs {
  name: string;
  out?: string;
  memoryGroups?: number;
}

export async function extractCommand(args: ExtractArgs, ctx: CliContext): Promise<number> {
  if (args.memoryGroups !== undefined && (!Number.isInteger(args.memoryGroups) || args.memoryGroups < 1)) throw new UsageError('--memory-groups must be a whole number of at least 1');
  const map = loadDataMap(path.resolve(args.datamap));
  const store = await openStateFor(map);
  try {
    const result = await runExtract(map, args.name, { out: args.out, store, log: ctx.log, frequencyBound: args.memoryGroups });
    ctx.out.result(result, renderExtract);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function renderExtract(r: ExtractResult): string {
  const levels = Object.entries(r.levels).map(([c, s]) => `${c}: ${s}`).join(', ') || 'none';
  if (!r.ok && r.closest) {
    const c = r.closest;
    return [
      `extract ${r.extract}: no generalization satisfies the privacy settings; nothing was written`,
      `closest: ${levels} would still suppress ${c.suppressedRows} of ${c.rows} rows (max_suppression allows ${c.allowed})`,
      `search: ${r.search}`,
      ...(r.movedAside ?? []).map((m) => `earlier output moved aside, it is not from this run: ${m.from} -> ${m.to}`),
    ].join('\n');
  }
  const dp = r.risk?.dp;
  if (dp) {
    return [
      `extract ${r.extract} (differentially private aggregate): ${r.rowsOut} noisy cell(s) written (${dp.cells.from === 'domain' ? 'every cell of the domain' : `cells whose noisy count reached ${dp.cells.threshold}`})`,
      `${dp.mechanism} noise, epsilon ${dp.epsilon}${dp.delta ? `, delta ${dp.delta}` : ''}; ${dp.queries.map((q) => `${q.query}: ±${q.interval95} (95%)`).join('; ')}`,
      `budget ${dp.budget.group}: epsilon ${+dp.budget.left.epsilon.toPrecision(6)}, delta ${+dp.budget.left.delta.toPrecision(6)} left in the ${dp.budget.per} window`,
      ...r.files.map((f) => `  ${f.path}  sha256 ${f.sha256}`),
    ].join('\n');
  }
  const lines = [
    `extract ${r.extract} (${r.kind}): ${r.rowsOut} row(s) written, ${r.rowsSuppressed} of ${r.rowsIn} source row(s) suppressed`,
    `generalization: ${levels} (information loss ${(r.informationLoss * 100).toFixed(1)}%)`,
  ];
  const rec = r.risk?.record;
  if (rec) lines.push(`k achieved ${rec.kAchieved}${rec.lAchieved !== undefined ? `, l achieved ${rec.lAchieved}` : ''}; highest re-identification risk ${rec.output.max.toFixed(4)}, average ${rec.output.average.toFixed(4)}`);
  const agg = r.risk?.aggregate;
  if (agg) lines.push(`cells: ${agg.cellsPublished} published, ${agg.cellsSuppressedPrimary} suppressed under k, ${agg.cellsSuppressedSecondary} suppressed to protect the totals`);
  lines.push(`search: ${r.search}`);
  for (const f of r.files) lines.push(`  ${f.path}  sha256 ${f.sha256}`);
  return lines.join('\n');
}
