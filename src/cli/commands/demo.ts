// `dsar demo`: a self-contained demonstration on generated SQLite and CSV data.
import { defineCommand } from '../command.ts';

export default defineCommand<{ dir: string; users: number }>({
  command: 'demo',
  describe: 'generate fake systems and run export, erase, sweep, extract, scan and docs on them',
  builder: (y) =>
    y
      .option('dir', { type: 'string', default: '.dsar-demo', describe: 'where the demo writes everything (emptied first)' })
      .option('users', { type: 'number', default: 3000, describe: 'how many fake subjects' }),
  async run(args, ctx) {
    const { demoCommand } = await import('../handlers/demo.ts');
    return demoCommand(args, ctx);
  },
});
