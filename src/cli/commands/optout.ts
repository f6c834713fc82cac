// `dsar optout <identity> --scope marketing|sharing [--by type]`
import { defineCommand } from '../command.ts';
import type { OptOutArgs } from '../handlers/optout.ts';

export default defineCommand<OptOutArgs>({
  command: 'optout <identity>',
  describe: 'record an opt-out; marketing also erases the subject from tables declared with a marketing purpose',
  builder: (y) =>
    y
      .positional('identity', { type: 'string', describe: 'the subject (an email unless --by says otherwise)' })
      .option('scope', { type: 'string', choices: ['marketing', 'sharing'], demandOption: true, describe: 'what the subject opts out of' })
      .option('by', { type: 'string', describe: 'identity type of <identity> (default: email)' }),
  async run(args, ctx) {
    const { optoutCommand } = await import('../handlers/optout.ts');
    return optoutCommand(args, ctx);
  },
});
