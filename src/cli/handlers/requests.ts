// `dsar requests [--open]` and `dsar requests verify`: the request ledger with statutory due dates, and its chain check.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { openStateFor } from '../../state/for-map.ts';
import type { RequestSummary } from '../../state/ledger.ts';
import type { StateStore } from '../../state/store.ts';

async function withStore<T>(args: GlobalArgs, work: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStateFor(loadDataMap(path.resolve(args.datamap)));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function requestsCommand(args: GlobalArgs & { open: boolean }, ctx: CliContext): Promise<number> {
  const requests = await withStore(args, (s) => s.ledger.listRequests({ open: args.open }));
  ctx.out.result({ requests }, ({ requests: rs }) => renderRequests(rs, args.open));
  return 0;
}

export async function verifyLedgerCommand(args: GlobalArgs, ctx: CliContext): Promise<number> {
  const result = await withStore(args, (s) => s.ledger.verify());
  if (!result.ok) ctx.log.error({ problems: result.problems.length }, 'the request ledger is broken');
  ctx.out.result(result, (r) =>
    r.ok ? `ledger intact: ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}, every hash chained` : ['LEDGER BROKEN:', ...r.problems.map((p) => `  ${p}`)].join('\n'),
  );
  return result.ok ? 0 : 1;
}

function daysText(r: RequestSummary): string {
  if (!r.open) return '-';
  if (r.daysLeft < 0) return `${-r.daysLeft} overdue`;
  return String(r.daysLeft);
}

export function renderRequests(rs: RequestSummary[], onlyOpen: boolean): string {
  if (!rs.length) return onlyOpen ? 'no open requests' : 'no requests recorded';
  const header = ['TICKET', 'KIND', 'RECEIVED', 'LAW', 'DUE', 'DAYS LEFT', 'STATUS', 'BY', 'SUBJECT'];
  const rows = rs.map((r) => [r.ticket, r.kind, r.receivedOn, r.law.toUpperCase(), r.dueOn, daysText(r), r.status, r.actor, (r.subjectHash ?? '').slice(0, 12)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
