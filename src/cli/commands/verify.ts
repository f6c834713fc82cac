// `dsar verify <identity> [--by type]`
import { defineCommand } from '../command.ts';
import type { VerifyArgs } from '../handlers/verify-subject.ts';

export default defineCommand<VerifyArgs>({
  command: 'verify <identity>',
  describe: 'deep check: searches every text column of every table and file of every system, declared or not, for the subject',
  builder: (y) =>
    y
      .positional('identity', { type: 'string', describe: 'the subject (an email unless --by says otherwise)' })
      .option('by', { type: 'string', describe: 'identity type of <identity> (default: email)' }),
  async run(args, ctx) {
    const { verifyCommand } = await import('../handlers/verify-subject.ts');
    return verifyCommand(args, ctx);
  },
});
