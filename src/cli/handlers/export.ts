// `dsar export <identity> --ticket T [--out DIR] [--by TYPE] [--received DATE] [--law L] [--force] [--dry-run]`: the
// flags read and checked, runExport (src/ops/export.ts) called, its result rendered. A dry run prints the traversal
// plan and reads nothing.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { describeStep, planTraversal } from '../../plan/traversal.ts';
import { assertExportTarget, printablePlan, runExport, subjectIdentity, type ExportResult } from '../../ops/export.ts';
import { assertSafeTicket, parseLaw, parseReceived } from '../../ops/ticket.ts';
import { openStateFor } from '../../state/for-map.ts';

export interface ExportArgs extends GlobalArgs {
  identity: string;
  ticket: string;
  by?: string;
  out: string;
  received?: string;
  law?: string;
  force: boolean;
  dryRun: boolean;
}

export async function exportCommand(args: ExportArgs, ctx: CliContext): Promise<number> {
  const ticket = assertSafeTicket(args.ticket);
  const law = parseLaw(args.law);
  const receivedOn = parseReceived(args.received);
  const map = loadDataMap(path.resolve(args.datamap));
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const target = path.resolve(args.out ?? 'exports', ticket);

  if (args.dryRun) {
    const plan = planTraversal(map, [identity]);
    const doc = { dryRun: true, ticket, out: target, plan: printablePlan(plan) };
    ctx.out.result(doc, () =>
      [`export ${ticket} (dry run: nothing read or written); would write ${target}`, 'traversal plan, breadth-first:', ...plan.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`)].join('\n'),
    );
    return 0;
  }
  assertExportTarget(target, args.force); // before the state store opens: a refused export creates nothing
  const store = await openStateFor(map);
  try {
    const result = await runExport({ map, identity, ticket, receivedOn, law, target, force: args.force }, store, ctx.log);
    ctx.out.result(result, renderResult);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

function dueText(r: ExportResult): string {
  const late = -r.daysLeft;
  if (!r.ok) return late > 0 ? `still open, ${late} day(s) overdue` : `still open, ${r.daysLeft} day(s) left`;
  return late > 0 ? `answered ${late} day(s) late` : `answered with ${r.daysLeft} day(s) to spare`;
}

function renderResult(r: ExportResult): string {
  const width = Math.max(...r.tables.map((t) => t.table.length), 5);
  const lines = [
    `export ${r.ticket}: ${r.rows} row${r.rows === 1 ? '' : 's'} from ${r.tables.filter((t) => t.rows).length} table(s), ${r.queries} queries`,
    ...r.tables.map((t) => `  ${t.table.padEnd(width)}  ${t.status === 'unreachable' ? 'UNREACHABLE' : String(t.rows)}`),
    ...(r.noRows ? [r.noRows] : []),
    ...r.unreachable.map((u) => `unreachable: ${u.message}`),
    `package: ${r.out}`,
    `manifest sha256: ${r.manifestSha256}`,
    `due ${r.dueOn} (${r.law.toUpperCase()}, received ${r.receivedOn}): ${dueText(r)}`,
  ];
  if (!r.ok) lines.push(`incomplete: ${r.unreachable.length} system(s) or table(s) could not be read; run again with --force once they are back`);
  return lines.join('\n');
}
