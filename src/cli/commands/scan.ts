// `dsar scan [--system S] [--sample N] [--full] [--sarif FILE] [--write-map]`
import { defineCommand } from '../command.ts';
import type { ScanArgs } from '../handlers/scan.ts';

export default defineCommand<ScanArgs>({
  command: 'scan',
  describe: 'discovery: find undeclared personal data, card numbers, and declared columns that are gone, in every system',
  builder: (y) =>
    y
      .option('system', { type: 'string', array: true, describe: 'scan only this system (repeatable; default: all)' })
      .option('sample', { type: 'number', default: 1000, describe: 'rows sampled per table' })
      .option('full', { type: 'boolean', default: false, describe: 'read every row instead of a sample' })
      .option('sarif', { type: 'string', describe: 'also write the findings as SARIF 2.1.0 to this file' })
      .option('write-map', { type: 'boolean', default: false, describe: 'merge what is undeclared into the data map (as `datamap init --merge` does), keeping its text and comments' }),
  async run(args, ctx) {
    const { scanCommand } = await import('../handlers/scan.ts');
    return scanCommand(args, ctx);
  },
});
