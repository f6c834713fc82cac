// The CLI side of `dsar datamap init`: flags to a request, the result to text (or the map itself with `--out -`).
import type { InitResult } from '../ops/datamap-init.ts';
import type { CliContext, GlobalArgs } from './command.ts';

export interface InitArgs extends GlobalArgs {
  system?: string[];
  out?: string;
  merge: boolean;
  sample: unknown;
}

export async function datamapInitCommand(args: InitArgs, ctx: CliContext): Promise<number> {
  const [{ initDataMap }, { parseSystemArg }, { parseSample }, { countBar }] = await Promise.all([
    import('../ops/datamap-init.ts'),
    import('../init/system-arg.ts'),
    import('../ops/scan.ts'),
    import('./progress.ts'),
  ]);
  const systems = (args.system ?? []).map((s) => parseSystemArg(s));
  const sample = parseSample(args.sample);
  const progress = ctx.tty && !ctx.out.json ? countBar('datamap init: {value} tables read') : undefined;
  let result: InitResult;
  try {
    result = await initDataMap({ datamap: args.datamap, systems, out: args.out, merge: args.merge, sample, onTable: progress?.tick }, ctx.log);
  } finally {
    progress?.stop();
  }
  ctx.out.result(result, (r) => (r.file ? renderInit(r) : r.text));
  return 0;
}

export function renderInit(r: InitResult): string {
  const out: string[] = [];
  const people = r.tables.filter((t) => Object.keys(t.identify).length);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const links = r.tables.reduce((n, t) => n + t.links, 0);
  const suggested = r.tables.reduce((n, t) => n + t.suggestions, 0);
  const fields = r.tables.reduce((n, t) => n + t.fields, 0);
  out.push(
    `${r.merged ? 'merged into' : 'wrote'} ${r.file}: ${count(r.tables.length, r.merged ? 'new table' : 'table')} from ${r.systems.join(', ')} ` +
      `(${people.length} of people: ${people.map((t) => t.table).join(', ') || 'none'}), ${count(links, 'link')} (${suggested} left as suggestions), ${count(fields, 'field')}`,
  );
  if (r.fieldsAdded.length) out.push(`  fields added to declared tables: ${r.fieldsAdded.join(', ')}`);
  for (const t of r.tables.filter((x) => x.unlinked)) out.push(`  ${t.table}: no identity or link reaches it: marked \`unlinked\` for review`);
  for (const n of r.notDeclared) out.push(`  ${n.table}: not declared: ${n.reason}`);
  for (const s of r.skipped) out.push(`  skipped: ${s}`);
  out.push('Each guess ends with a comment (high, medium, low: why). Review them, then: dsar datamap validate --live');
  return out.join('\n');
}
