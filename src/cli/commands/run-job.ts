// `dsar run-job <name>`: one run of one job now (for a system crontab); exits with the job's exit code.
import { defineCommand } from '../command.ts';
import type { RunJobArgs } from '../handlers/run-job.ts';

export default defineCommand<RunJobArgs>({
  command: 'run-job <name>',
  describe: 'run one job of the data map once, recorded like a scheduled run (for a system crontab)',
  builder: (y) => y.positional('name', { type: 'string', describe: 'the job, as named under jobs:' }),
  async run(args, ctx) {
    const { runJobCommand } = await import('../handlers/run-job.ts');
    return runJobCommand(args, ctx);
  },
});
