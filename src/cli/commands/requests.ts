// `dsar requests [--open]` and `dsar requests verify`.
import { defineCommand } from '../command.ts';

export default defineCommand<{ open: boolean }>({
  command: 'requests',
  describe: 'the request ledger: access and erasure requests with their statutory due dates',
  builder: (y) => y.option('open', { type: 'boolean', default: false, describe: 'only requests still owed an answer' }),
  subcommands: [
    defineCommand({
      command: 'verify',
      describe: 'check the ledger hash chain; exit 1 when an entry was changed or deleted',
      async run(args, ctx) {
        const { verifyLedgerCommand } = await import('../handlers/requests.ts');
        return verifyLedgerCommand(args, ctx);
      },
    }),
  ],
  async run(args, ctx) {
    const { requestsCommand } = await import('../handlers/requests.ts');
    return requestsCommand(args, ctx);
  },
});
