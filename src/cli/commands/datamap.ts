// `dsar datamap validate [--live]` and `dsar datamap docs`.
import { defineCommand } from '../command.ts';

export default defineCommand({
  command: 'datamap',
  describe: 'check the data map, or write the data inventory',
  subcommands: [
    defineCommand<{ live: boolean }>({
      command: 'validate',
      describe: 'validate the data map; --live also checks it against the real schemas',
      builder: (y) => y.option('live', { type: 'boolean', default: false, describe: 'connect to every system and compare' }),
      async run(args, ctx) {
        const { validateCommand } = await import('../../ops/validate.ts');
        return validateCommand(args, ctx);
      },
    }),
    defineCommand<{ out: string }>({
      command: 'docs',
      describe: 'write the data inventory: index.html (with a diagram of systems, tables and links) and inventory.md',
      builder: (y) => y.option('out', { type: 'string', default: './datamap-docs', describe: 'directory that receives the files' }),
      async run(args, ctx) {
        const { docsCommand } = await import('../../ops/docs.ts');
        return docsCommand(args, ctx);
      },
    }),
  ],
});
