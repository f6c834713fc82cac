// `dsar datamap validate [--live]`: static checks always; --live compares the map with every system's schema.
import path from 'node:path';
import { loadDataMap } from '../../datamap/load.ts';
import { DataMapError } from '../../errors.ts';
import type { CliContext, GlobalArgs } from '../command.ts';

export async function validateCommand(args: GlobalArgs & { live: boolean }, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  if (map.unreachable.length > 0) throw new DataMapError(map.unreachable);
  const summary = {
    ok: true,
    file: map.file,
    systems: Object.keys(map.systems).length,
    tables: Object.keys(map.tables).length,
    extracts: Object.keys(map.extracts).length,
    jobs: Object.keys(map.jobs).length,
  };
  const mapWarnings = map.warnings.map((w) => ({ where: `${w.file}:${w.line}:${w.column}`, path: w.path, message: w.message }));
  const warningLines = mapWarnings.map((w) => `warning ${w.where}: ${w.path ? `${w.path}: ` : ''}${w.message}`);
  if (!args.live) {
    ctx.out.result({ ...summary, warnings: mapWarnings }, (s) =>
      [...warningLines, `${s.file}: valid (${s.systems} systems, ${s.tables} tables, ${s.extracts} extracts, ${s.jobs} jobs${mapWarnings.length ? `, ${mapWarnings.length} warning(s)` : ''})`].join('\n'),
    );
    return 0;
  }
  const { checkLive } = await import('../../ops/live-check.ts');
  const report = await checkLive(map, ctx.log);
  const warnings = [...mapWarnings, ...report.warnings];
  ctx.out.result({ ...summary, ...report, warnings, ok: report.errors.length === 0 && report.unreachable.length === 0 }, (r) =>
    [
      ...r.errors.map((e) => `error   ${e.where}: ${e.message}`),
      ...warningLines,
      ...report.warnings.map((w) => `warning ${w.where}: ${w.message}`),
      ...r.unreachable.map((u) => `unreachable ${u.system}: ${u.message}`),
      r.errors.length || r.unreachable.length
        ? `${r.errors.length} error(s), ${r.warnings.length} warning(s), ${r.unreachable.length} system(s) unreachable`
        : `${r.file}: valid against the live systems (${r.warnings.length} warning(s))`,
    ].join('\n'),
  );
  if (report.errors.length) return 2;
  return report.unreachable.length ? 1 : 0;
}
