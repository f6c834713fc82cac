// `dsar worker [--exit-when-idle]`: sweeps the shares of distributed sweeps (`dsar sweep --distribute`).
import { defineCommand } from '../command.ts';

export default defineCommand<{ exitWhenIdle: boolean }>({
  command: 'worker',
  describe: 'takes shares of distributed sweeps from the queue in the PostgreSQL state store and sweeps them; SIGTERM stops it at a batch end',
  builder: (y) => y.option('exit-when-idle', { type: 'boolean', default: false, describe: 'exit once no share of any run is left to do' }),
  async run(args, ctx) {
    const { workerCommand } = await import('../handlers/distribute.ts');
    return workerCommand(args, ctx);
  },
});
