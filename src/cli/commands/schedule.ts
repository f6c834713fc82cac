// `dsar schedule [--lease SECONDS]`: long-running; runs the data map's jobs on their cron schedules.
import { defineCommand } from '../command.ts';
import type { ScheduleArgs } from '../handlers/schedule.ts';

export default defineCommand<ScheduleArgs>({
  command: 'schedule',
  describe: 'long-running: run the jobs of the data map on their cron schedules (several replicas may share a PostgreSQL state store)',
  builder: (y) =>
    y.option('lease', {
      type: 'number',
      default: 60,
      describe: 'seconds a run stays this replica\'s without a heartbeat; then another replica takes it over',
    }),
  async run(args, ctx) {
    const { scheduleCommand } = await import('../handlers/schedule.ts');
    return scheduleCommand(args, ctx);
  },
});
