// `dsar sweep [--dry-run] [--system S] [--table T] [--as-of DATE] [--batch-size 5000] [--max-runtime 2h] [--window 01:00-05:00]
// [--max-rate ROWS/S] [--pause-ms MS] [--lag-check-every N]`
import { defineCommand } from '../command.ts';
import { UsageError } from '../../errors.ts';
import type { SweepArgs } from '../handlers/sweep.ts';

export default defineCommand<SweepArgs & { distribute: boolean; rangeRows?: number; lease?: string; wait: boolean }>({
  command: 'sweep',
  describe: 'retention sweep: anonymizes or deletes every row past its retention period, in bounded batches',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'count per table what a sweep would do; change nothing' })
      .option('system', { type: 'string', describe: 'only the tables of this system' })
      .option('table', { type: 'string', describe: 'only this table (system.table)' })
      .option('as-of', { type: 'string', describe: 'judge expiry at this instant, YYYY-MM-DD or ISO date-time (default: now; never later than now)' })
      .option('batch-size', { type: 'number', default: 5000, describe: 'rows per batch: one short transaction and one checkpoint each' })
      .option('max-runtime', { type: 'string', describe: 'stop after this long (2h, 90m, 30s): the batch in flight finishes and is checkpointed; the next run resumes' })
      .option('window', { type: 'string', describe: "run only inside this daily window, in the data map's timezone (01:00-05:00); stop at its end as --max-runtime does" })
      .option('max-rate', { type: 'number', describe: 'change at most this many rows per second' })
      .option('pause-ms', { type: 'number', describe: 'wait this long after each batch (its writes land first)' })
      .option('distribute', { type: 'boolean', default: false, describe: 'queue the sweep for `dsar worker` processes (PostgreSQL state store): one share per table, per key range above --range-rows' })
      .option('range-rows', { type: 'number', describe: 'with --distribute: cut tables above this many rows into key ranges of about this size (default 1,000,000)' })
      .option('wait', { type: 'boolean', default: false, describe: 'with --distribute: wait until the workers finished the run; exit 0 when every share is done, 1 when one failed (for scheduled sweeps)' })
      .option('lease', { type: 'string', describe: "with --distribute: how long a share may go without its worker's heartbeat before another worker takes it over (default 10m)" })
      .option('lag-check-every', { type: 'number', describe: "read the systems' replication lag every this many batches (default 10; replicas come from the data map)" }),
  async run(args, ctx) {
    if (args.wait && !args.distribute) throw new UsageError('--wait waits for the workers of a --distribute run: add --distribute');
    if (args.distribute) {
      const { distributeCommand } = await import('../handlers/distribute.ts');
      return distributeCommand(args, ctx);
    }
    const { sweepCommand } = await import('../handlers/sweep.ts');
    return sweepCommand(args, ctx);
  },
});
