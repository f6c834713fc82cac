// `dsar datamap init`, `dsar datamap validate [--live]` and `dsar datamap docs`.
import { defineCommand } from '../command.ts';
import type { InitArgs } from '../datamap-init.ts';

export default defineCommand({
  command: 'datamap',
  describe: 'check the data map, or write the data inventory',
  subcommands: [
    defineCommand<InitArgs>({
      command: 'init',
      describe: 'write a first data map from the live systems (keys, identities, links, fields with masks that fit)',
      builder: (y) =>
        y
          .option('system', { type: 'string', array: true, describe: 'a system to read: name=postgres:ENV_VAR, name=mysql:ENV_VAR, name=sqlite:FILE, name=files:DIR (repeatable; default: the map\'s systems)' })
          .option('out', { type: 'string', requiresArg: true, describe: 'file to write (default: the --datamap file; - prints it)' })
          .option('merge', { type: 'boolean', default: false, describe: 'add what the map does not declare yet, keeping its text and comments' })
          .option('sample', { type: 'number', default: 1000, describe: 'rows sampled per table' }),
      async run(args, ctx) {
        const { datamapInitCommand } = await import('../datamap-init.ts');
        return datamapInitCommand(args, ctx);
      },
    }),
    defineCommand<{ live: boolean }>({
      command: 'validate',
      describe: 'validate the data map; --live also checks it against the real schemas',
      builder: (y) => y.option('live', { type: 'boolean', default: false, describe: 'connect to every system and compare' }),
      async run(args, ctx) {
        const { validateCommand } = await import('../handlers/validate.ts');
        return validateCommand(args, ctx);
      },
    }),
    defineCommand<{ out: string }>({
      command: 'docs',
      describe: 'write the data inventory: index.html (with a diagram of systems, tables and links) and inventory.md',
      builder: (y) => y.option('out', { type: 'string', default: './datamap-docs', describe: 'directory that receives the files' }),
      async run(args, ctx) {
        const { docsCommand } = await import('../handlers/docs.ts');
        return docsCommand(args, ctx);
      },
    }),
  ],
});
