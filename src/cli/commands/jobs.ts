// `dsar jobs list`, `dsar jobs history [job] [--limit N]` (the scheduler's jobs and their recorded runs) and
// `dsar jobs status [run]` (a distributed sweep's shares).
import { defineCommand } from '../command.ts';

export default defineCommand({
  command: 'jobs',
  describe: 'the scheduled jobs and their runs',
  subcommands: [
    defineCommand({
      command: 'list',
      describe: 'each job: its cron, next run, last run and outcome',
      async run(args, ctx) {
        const { jobsListCommand } = await import('../handlers/jobs.ts');
        return jobsListCommand(args, ctx);
      },
    }),
    defineCommand<{ job?: string; limit: number }>({
      command: 'history [job]',
      describe: 'recorded runs, newest first, of one job or of all',
      builder: (y) =>
        y
          .positional('job', { type: 'string', describe: 'the job, as named under jobs:' })
          .option('limit', { type: 'number', default: 20, describe: 'how many runs to show' }),
      async run(args, ctx) {
        const { jobsHistoryCommand } = await import('../handlers/jobs.ts');
        return jobsHistoryCommand(args, ctx);
      },
    }),
    defineCommand<{ run?: string }>({
      command: 'status [run]',
      describe: "a distributed sweep's shares (the latest run by default): state, owner, rows done and left, rate",
      builder: (y) => y.positional('run', { type: 'string', describe: 'the run id `dsar sweep --distribute` printed' }),
      async run(args, ctx) {
        const { jobsStatusCommand } = await import('../handlers/distribute.ts');
        return jobsStatusCommand(args, ctx);
      },
    }),
  ],
});
