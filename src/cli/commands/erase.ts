// `dsar erase <identity> --ticket T [--by type] [--dry-run] [--child] [--received YYYY-MM-DD] [--law gdpr|ccpa] [--verify-deep] [--step-rows N] [--pause-ms MS]`
import { defineCommand } from '../command.ts';
import type { EraseArgs } from '../handlers/erase.ts';

export default defineCommand<EraseArgs>({
  command: 'erase <identity>',
  describe: 'erasure / account closure: deletes or anonymizes the subject per table rules, then verifies nothing is left',
  builder: (y) =>
    y
      .positional('identity', { type: 'string', describe: 'the subject (an email unless --by says otherwise)' })
      .option('ticket', { type: 'string', demandOption: true, describe: 'the verified request reference; the same ticket resumes an interrupted run' })
      .option('by', { type: 'string', describe: 'identity type of <identity> (default: email)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan (tables, actions, row counts, reasons); change nothing' })
      .option('child', { type: 'boolean', default: false, describe: 'the subject is a child: legal-obligation bases do not apply (holds still do)' })
      .option('received', { type: 'string', describe: 'day the request was received, YYYY-MM-DD (default: today)' })
      .option('law', { type: 'string', choices: ['gdpr', 'ccpa'], describe: 'sets the due date: GDPR 30 days, CCPA 45 days (default: gdpr)' })
      .option('verify-deep', { type: 'boolean', default: false, describe: 'afterwards, also search every text column of every table and file, declared or not, for the subject' })
      .option('step-rows', { type: 'number', describe: 'rows per transaction, at most 1,000 (the default): smaller ones hold locks for less time' })
      .option('pause-ms', { type: 'number', describe: "wait this long after each step's transaction (spares a busy database)" }),
  async run(args, ctx) {
    const { eraseCommand } = await import('../handlers/erase.ts');
    return eraseCommand(args, ctx);
  },
});
