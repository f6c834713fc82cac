// `dsar hold add <identity> --reason R`, `dsar hold remove <identity>`, `dsar hold list [identity]` (all with [--by type])
import type { Argv } from 'yargs';
import { defineCommand } from '../command.ts';
import type { HoldArgs } from '../handlers/holds.ts';

const by = (y: Argv) => y.option('by', { type: 'string', describe: 'identity type of <identity> (default: email)' });

export default defineCommand({
  command: 'hold',
  describe: 'legal holds: a held subject is skipped by erase and sweep',
  subcommands: [
    defineCommand<HoldArgs>({
      command: 'add <identity>',
      describe: 'place a legal hold on a subject',
      builder: (y) =>
        by(y.positional('identity', { type: 'string', describe: 'the subject (an email unless --by says otherwise)' })).option('reason', {
          type: 'string',
          demandOption: true,
          describe: 'why: the matter or case the hold serves',
        }),
      async run(args, ctx) {
        const { holdAddCommand } = await import('../handlers/holds.ts');
        return holdAddCommand(args, ctx);
      },
    }),
    defineCommand<HoldArgs>({
      command: 'remove <identity>',
      describe: 'lift the legal hold of a subject',
      builder: (y) =>
        by(y.positional('identity', { type: 'string', describe: 'the subject' })).option('reason', { type: 'string', describe: 'why it is lifted (optional)' }),
      async run(args, ctx) {
        const { holdRemoveCommand } = await import('../handlers/holds.ts');
        return holdRemoveCommand(args, ctx);
      },
    }),
    defineCommand<HoldArgs>({
      command: 'list [identity]',
      describe: 'list legal holds (or whether one subject is held)',
      builder: (y) => by(y.positional('identity', { type: 'string', describe: 'only this subject' })),
      async run(args, ctx) {
        const { holdListCommand } = await import('../handlers/holds.ts');
        return holdListCommand(args, ctx);
      },
    }),
  ],
});
