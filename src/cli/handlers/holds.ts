// `dsar hold add|remove|list`: legal holds. A held subject is refused by erase (exit 1, nothing touched) and skipped
// by sweeps. Holds are kept by the subject's keyed hash; their reason is shown to operators but never put in the ledger
// (it may name people).
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { UsageError } from '../../errors.ts';
import type { Hold } from '../../state/holds.ts';
import type { StateStore } from '../../state/store.ts';
import { subjectIdentity } from '../../ops/export.ts';
import { openStateFor } from '../../state/for-map.ts';

export interface HoldArgs extends GlobalArgs {
  identity?: string;
  by?: string;
  reason?: string;
}

async function withSubject<T>(args: HoldArgs, work: (store: StateStore, type: string, value: string) => Promise<T>): Promise<T> {
  const map = loadDataMap(path.resolve(args.datamap));
  if (args.identity === undefined) throw new UsageError('an identity is required');
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const store = await openStateFor(map);
  try {
    return await work(store, identity.type, identity.value);
  } finally {
    await store.close();
  }
}

export async function holdAddCommand(args: HoldArgs, ctx: CliContext): Promise<number> {
  const reason = (args.reason ?? '').trim();
  if (!reason) throw new UsageError('--reason: a legal hold needs a reason (the matter or case it serves)');
  const hold = await withSubject(args, async (store, type, value) => {
    const h = await store.holds.add(type, value, reason);
    await store.ledger.append({ kind: 'hold', event: 'added', outcome: 'ok', subjectHash: h.subjectHash, endedAt: new Date(), detail: { identityType: type } });
    return h;
  });
  ctx.log.info({ subject: hold.subjectHash }, 'legal hold placed');
  ctx.out.result({ hold }, ({ hold: h }) => `legal hold placed on subject ${h.subjectHash.slice(0, 12)} (${h.identityType}): ${h.reason}`);
  return 0;
}

export async function holdRemoveCommand(args: HoldArgs, ctx: CliContext): Promise<number> {
  const result = await withSubject(args, async (store, type, value) => {
    const subjectHash = store.subjectHash(type, value);
    const removed = await store.holds.remove(type, value);
    if (removed) await store.ledger.append({ kind: 'hold', event: 'removed', outcome: 'ok', subjectHash, endedAt: new Date(), detail: { identityType: type } });
    return { subjectHash, removed };
  });
  ctx.log.info({ subject: result.subjectHash, removed: result.removed }, 'legal hold removal');
  ctx.out.result(result, (r) => (r.removed ? `legal hold lifted from subject ${r.subjectHash.slice(0, 12)}` : `subject ${r.subjectHash.slice(0, 12)} was not held`));
  // Lifting a hold that does not exist changes nothing and is not an error: the desired state holds.
  return 0;
}

export async function holdListCommand(args: HoldArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const only = args.identity === undefined ? undefined : subjectIdentity(map, args.by ?? 'email', args.identity);
  const store = await openStateFor(map);
  let holds: Hold[];
  try {
    holds = await store.holds.list();
    if (only) {
      const hash = store.subjectHash(only.type, only.value);
      holds = holds.filter((h) => h.subjectHash === hash);
    }
  } finally {
    await store.close();
  }
  ctx.out.result({ holds }, ({ holds: hs }) => renderHolds(hs, only !== undefined));
  return 0;
}

export function renderHolds(hs: Hold[], oneSubject: boolean): string {
  if (!hs.length) return oneSubject ? 'this subject is not held' : 'no legal holds';
  const header = ['SUBJECT', 'BY', 'SINCE', 'PLACED BY', 'REASON'];
  const rows = hs.map((h) => [h.subjectHash.slice(0, 12), h.identityType, h.createdAt.slice(0, 10), h.actor, h.reason]);
  const widths = header.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
