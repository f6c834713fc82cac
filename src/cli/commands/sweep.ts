// `dsar sweep [--dry-run] [--system S] [--table T] [--as-of DATE] [--batch-size 5000]`
import { defineCommand } from '../command.ts';
import type { SweepArgs } from '../../ops/sweep.ts';

export default defineCommand<SweepArgs>({
  command: 'sweep',
  describe: 'retention sweep: anonymizes or deletes every row past its retention period, in bounded batches',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'count per table what a sweep would do; change nothing' })
      .option('system', { type: 'string', describe: 'only the tables of this system' })
      .option('table', { type: 'string', describe: 'only this table (system.table)' })
      .option('as-of', { type: 'string', describe: 'judge expiry at this instant, YYYY-MM-DD or ISO date-time (default: now; never later than now)' })
      .option('batch-size', { type: 'number', default: 5000, describe: 'rows per batch: one short transaction and one checkpoint each' }),
  async run(args, ctx) {
    const { sweepCommand } = await import('../../ops/sweep.ts');
    return sweepCommand(args, ctx);
  },
});
