// `dsar erase <identity> --ticket T [--dry-run] [--by TYPE] [--child] [--received DATE] [--law L] [--verify-deep]`:
// the flags read and checked, runErasure (src/ops/erase.ts) called, its result rendered.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { UsageError } from '../../errors.ts';
import { requireHmacKey } from '../../masking/masker.ts';
import { MAX_STEP_ROWS } from '../../plan/erase-plan.ts';
import { runErasure, type ErasureResult } from '../../ops/erase.ts';
import { subjectIdentity } from '../../ops/export.ts';
import { assertSafeTicket, parseLaw, parseReceived } from '../../ops/ticket.ts';
import { noRowsFound, searchedScope } from '../../ops/verify.ts';
import { renderDeep } from '../render/deep-verify.ts';
import { renderPlan, renderResidue } from '../render/erase.ts';
import { openStateFor } from '../../state/for-map.ts';

export interface EraseArgs extends GlobalArgs {
  identity: string;
  ticket: string;
  by?: string;
  dryRun: boolean;
  child: boolean;
  received?: string;
  law?: string;
  verifyDeep?: boolean;
  stepRows?: number;
  pauseMs?: number;
}

export async function eraseCommand(args: EraseArgs, ctx: CliContext): Promise<number> {
  const ticket = assertSafeTicket(args.ticket);
  const law = parseLaw(args.law);
  const receivedOn = parseReceived(args.received);
  const map = loadDataMap(path.resolve(args.datamap));
  requireHmacKey(map.secrets.hmacKey);
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const store = await openStateFor(map);
  try {
    const result = await runErasure(
      {
        map,
        identity,
        runKey: `erase:${ticket}`,
        ledger: { kind: 'erase', ticket, receivedOn, law },
        dryRun: args.dryRun,
        child: args.child,
        stepRows: stepRowsOf(args.stepRows),
        pauseMs: pauseOf(args.pauseMs),
        verifyDeep: args.verifyDeep,
      },
      store,
      ctx.log,
    );
    ctx.out.result({ ticket, ...result }, (r) => renderErasure(`erase ${ticket}`, r));
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

/** `--step-rows`: smaller transactions than the default 1,000 rows (never larger). */
function stepRowsOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_ROWS) throw new UsageError(`--step-rows must be a whole number from 1 to ${MAX_STEP_ROWS}, got '${value}'`);
  return n;
}

/** `--pause-ms`: a wait after each step's transaction, to spare a busy database. */
function pauseOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--pause-ms must be a whole number of milliseconds, got '${value}'`);
  return n || undefined;
}

export function renderErasure(title: string, r: ErasureResult): string {
  const lines = [`${title}${r.dryRun ? ' (dry run: nothing changed)' : r.resumed ? ' (resumed)' : ''}`, renderPlan(r.plan)];
  if (r.rowsFound === 0 && !r.resumed) lines.push(noRowsFound(r.identityType, 'or it was erased before'));
  if (r.done) {
    const changed = r.done.reduce((n, d) => n + d.changed, 0);
    lines.push(`done: ${changed} row${changed === 1 ? '' : 's'} changed in ${new Set(r.done.map((d) => d.table)).size} table(s)`);
  }
  const v = r.verification;
  if (v) {
    if (v.residue.length) {
      lines.push(`verification: ${v.residue.length} value(s) of the subject remain (${searchedScope(v)}):`);
      lines.push(...v.residue.map((h) => `  ${renderResidue(h)}`));
    } else {
      lines.push(`verification: no value of the subject remains (${searchedScope(v)})`);
    }
    if (v.retained.length) lines.push(`kept on purpose (on_erase: keep): ${v.retained.length} value(s)`);
    for (const u of v.unreachable) lines.push(`not searched: ${u}`);
  }
  if (r.deepVerification) lines.push(...renderDeep(r.deepVerification));
  for (const f of r.failures) lines.push(`failed: ${f}`);
  if (!r.ok && !r.dryRun) lines.push('incomplete: run the same command again once the failures above are resolved');
  return lines.join('\n');
}
