// `dsar export <identity> --ticket T [--by type] [--out DIR] [--received YYYY-MM-DD] [--law gdpr|ccpa] [--force] [--dry-run]`
import { defineCommand } from '../command.ts';
import type { ExportArgs } from '../handlers/export.ts';

export default defineCommand<ExportArgs>({
  command: 'export <identity>',
  describe: 'access request: every record of the subject in every system, written as a package',
  builder: (y) =>
    y
      .positional('identity', { type: 'string', describe: 'the subject (an email unless --by says otherwise)' })
      .option('ticket', { type: 'string', demandOption: true, describe: 'the verified request reference (a safe file name)' })
      .option('by', { type: 'string', describe: 'identity type of <identity> (default: email)' })
      .option('out', { type: 'string', default: './exports', describe: 'directory that receives <out>/<ticket>/' })
      .option('received', { type: 'string', describe: 'day the request was received, YYYY-MM-DD (default: today)' })
      .option('law', { type: 'string', choices: ['gdpr', 'ccpa'], default: 'gdpr', describe: 'sets the due date: GDPR 30 days, CCPA 45 days' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing package for this ticket; also write into a world-writable --out' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the traversal plan; read and write nothing' }),
  async run(args, ctx) {
    const { exportCommand } = await import('../handlers/export.ts');
    return exportCommand(args, ctx);
  },
});
