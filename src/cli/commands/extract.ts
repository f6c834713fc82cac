// `dsar extract <name> [--out FILE] [--memory-groups N]`
import { defineCommand } from '../command.ts';
import type { ExtractArgs } from '../handlers/extract.ts';

export default defineCommand<ExtractArgs>({
  command: 'extract <name>',
  describe: 'de-identified data set declared under extracts: (k-anonymous records or small-cell-suppressed aggregates), with a risk report beside it',
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'the extract, as named under extracts: in the data map' })
      .option('out', { type: 'string', describe: 'the data file (default ./extracts/<name>.<csv|ndjson|json>); the risk report goes beside it' })
      .option('memory-groups', {
        type: 'number',
        describe: 'record-level: base groups the search may hold in memory (default 1,000,000); past it the database answers each node, or the finest column is read coarser',
      }),
  async run(args, ctx) {
    const { extractCommand } = await import('../handlers/extract.ts');
    return extractCommand(args, ctx);
  },
});
