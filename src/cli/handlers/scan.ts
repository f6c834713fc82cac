// `dsar scan [--system S] [--sample N] [--full] [--sarif FILE] [--write-map]`: the flags read, runScan
// (src/ops/scan.ts) called, its report rendered (and written as SARIF, or merged into the map).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { isExpected, UsageError } from '../../errors.ts';
import { writeWholeFile } from '../../extract/writer.ts';
import { toolVersion } from '../../package-root.ts';
import { toSarif } from '../../report/sarif.ts';
import { exitCodeOf, type ScanReport } from '../../scan/report.ts';
import { countBar } from '../progress.ts';
import { parseSample, runScan } from '../../ops/scan.ts';
import { renderScan } from '../render/scan.ts';

export interface ScanArgs extends GlobalArgs {
  system?: string[];
  sample: number;
  full: boolean;
  sarif?: string;
  writeMap?: boolean;
}

export async function scanCommand(args: ScanArgs, ctx: CliContext): Promise<number> {
  const sample = parseSample(args.sample);
  const map = loadDataMap(path.resolve(args.datamap));
  const progress = ctx.tty && !ctx.out.json ? countBar('scan {value} tables sampled') : undefined;
  let report: ScanReport;
  try {
    report = await runScan(map, { systems: args.system, sample, full: args.full, onTable: progress?.tick }, ctx.log);
  } finally {
    progress?.stop();
  }
  if (args.sarif) {
    const file = path.resolve(args.sarif);
    try {
      // Written beside the target and renamed over it: a planted symlink is replaced, never written through. Into a
      // directory that exists: a mistyped path is an error, not a new directory.
      if (!existsSync(path.dirname(file))) throw Object.assign(new Error('no such directory'), { code: 'ENOENT' });
      await writeWholeFile(file, JSON.stringify(toSarif(report, { toolVersion: toolVersion(), cwd: process.cwd() }), null, 2) + '\n');
    } catch (err) {
      throw new UsageError(`--sarif: cannot write ${file}: ${err instanceof UsageError ? err.message : ((err as NodeJS.ErrnoException).code ?? String(err))}`);
    }
  }
  // What the scan found, merged into the map by `datamap init --merge` (whole entries for new tables, with links).
  let mapMerged: Awaited<ReturnType<typeof import('../../ops/datamap-init.ts').initDataMap>> | undefined;
  // It reads the systems again (init decides keys and links from its own sample): twice the sampling, never a write.
  let writeMapError: string | undefined;
  if (args.writeMap && report.snippets.length) {
    const { initDataMap } = await import('../../ops/datamap-init.ts');
    try {
      mapMerged = await initDataMap({ datamap: args.datamap, systems: [], merge: true, only: args.system, sample }, ctx.log);
    } catch (err) {
      if (!isExpected(err)) throw err;
      writeMapError = (err as Error).message;
    }
  }
  const merged = mapMerged && { file: mapMerged.file, tables: mapMerged.tables.map((t) => t.table), fieldsAdded: mapMerged.fieldsAdded };
  ctx.out.result({ ...report, ...(args.sarif ? { sarif: path.resolve(args.sarif) } : {}), ...(merged ? { mapMerged: merged } : {}), ...(writeMapError ? { writeMapError } : {}) }, (r) =>
    [
      renderScan(r),
      ...(merged ? [`\nMerged into ${merged.file}: ${merged.tables.length} new table(s), ${merged.fieldsAdded.length} new field(s). Review them, then: dsar datamap validate --live`] : []),
      ...(writeMapError ? [`\n--write-map: nothing written: ${writeMapError}`] : []),
    ].join('\n'),
  );
  if (writeMapError) return 2;
  return exitCodeOf(report);
}
