// `dsar budget [group]`
import path from 'node:path';
import { defineCommand } from '../command.ts';

const num = (x: number) => String(+x.toPrecision(6));

export default defineCommand<{ group?: string }>({
  command: 'budget [group]',
  describe: 'privacy budgets of the dp extracts: spent and left in each window; checks the release ledger',
  builder: (y) => y.positional('group', { type: 'string', describe: 'one budget group (default: all)' }),
  async run(args, ctx) {
    const [{ loadDataMap }, { openStateFor }, { budgetReport }] = await Promise.all([import('../../datamap/load.ts'), import('../../state/for-map.ts'), import('../../ops/budget.ts')]);
    const map = loadDataMap(path.resolve(args.datamap));
    const store = await openStateFor(map);
    try {
      const report = await budgetReport(map, store, { group: args.group });
      ctx.out.result(report, (r) =>
        [
          ...(r.groups.length ? r.groups : []).map(
            (g) =>
              `${g.group} (${g.extracts.join(', ')}): ${g.releases} release(s) in the last ${g.budget.per}; spent epsilon ${num(g.spent.epsilon)} of ${g.budget.epsilon}, delta ${num(g.spent.delta)} of ${g.budget.delta}; left epsilon ${num(g.left.epsilon)}, delta ${num(g.left.delta)}`,
          ),
          ...(r.groups.length ? [] : ['no extract of the data map has a dp budget']),
          r.chain.ok ? `release ledger: ${r.chain.entries} entr${r.chain.entries === 1 ? 'y' : 'ies'}, hash chain intact` : `release ledger: ${r.chain.problems.join('; ')}`,
        ].join('\n'),
      );
      return report.chain.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  },
});
