// `dsar optout <identity> --scope marketing|sharing`: records the opt-out (by keyed hash). Extracts exclude opted-out
// subjects. A marketing opt-out is also honoured at once in the tables declared `purposes: [marketing]`: the
// subject's rows there are erased as `dsar erase` would (delete or anonymize per on_erase, references kept intact,
// legal holds win), and recording it again later erases whatever came back since.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import type { DataMap, TableDef } from '../../datamap/types.ts';
import { RefusedError, UsageError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { requireHmacKey } from '../../masking/masker.ts';
import type { TraversalIdentity } from '../../plan/traversal.ts';
import { OPT_OUT_SCOPES, type OptOut, type OptOutScope } from '../../state/optouts.ts';
import type { StateStore } from '../../state/store.ts';
import { runErasure, type ErasureResult } from '../../ops/erase.ts';
import { renderErasure } from './erase.ts';
import { subjectIdentity } from '../../ops/export.ts';
import { openStateFor } from '../../state/for-map.ts';

export interface OptOutArgs extends GlobalArgs {
  identity: string;
  scope: string;
  by?: string;
}

export interface OptOutResult {
  ok: boolean;
  optOut: OptOut;
  /** Tables declared with a marketing purpose (marketing scope only). */
  marketingTables: string[];
  /** The erasure of the subject's rows in those tables; null when there is none to do. */
  erasure: ErasureResult | null;
}

export const isMarketingTable = (t: TableDef): boolean => t.purposes.includes('marketing');

export async function optoutCommand(args: OptOutArgs, ctx: CliContext): Promise<number> {
  if (!(OPT_OUT_SCOPES as readonly string[]).includes(args.scope)) throw new UsageError(`--scope: '${args.scope}' is not one of ${OPT_OUT_SCOPES.join(', ')}`);
  const map = loadDataMap(path.resolve(args.datamap));
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const store = await openStateFor(map);
  try {
    const result = await recordOptOut(map, identity, args.scope as OptOutScope, store, ctx.log);
    ctx.out.result(result, renderOptOut);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export async function recordOptOut(map: DataMap, identity: TraversalIdentity, scope: OptOutScope, store: StateStore, log: Logger): Promise<OptOutResult> {
  const marketingTables = scope === 'marketing' ? Object.values(map.tables).filter(isMarketingTable).map((t) => t.id) : [];
  // Checked before anything is recorded: an opt-out that cannot be honoured is bad configuration (exit 2).
  if (marketingTables.length) requireHmacKey(map.secrets.hmacKey);
  const optOut = await store.optouts.add(identity.type, identity.value, scope);
  log.info({ subject: optOut.subjectHash, scope }, 'opt-out recorded');

  let erasure: ErasureResult | null = null;
  if (marketingTables.length) {
    try {
      erasure = await runErasure(
        {
          map,
          identity,
          runKey: `optout:marketing:${optOut.subjectHash}`,
          ledger: { kind: 'optout' },
          dryRun: false,
          child: false,
          includeTable: isMarketingTable,
        },
        store,
        log,
      );
    } catch (err) {
      if (err instanceof RefusedError) throw new RefusedError(`opt-out of ${scope} recorded, but the subject's marketing rows were not erased: ${err.message}`);
      throw err;
    }
  }
  const rowCounts = Object.fromEntries((erasure?.done ?? []).map((d) => [`${d.table}:${d.action}`, d.changed]));
  await store.ledger.append({
    kind: 'optout',
    event: 'recorded',
    outcome: erasure && !erasure.ok ? 'partial' : 'ok',
    subjectHash: optOut.subjectHash,
    endedAt: new Date(),
    rowCounts,
    detail: { scope, identityType: identity.type, marketingTables: marketingTables.length },
  });
  return { ok: erasure?.ok ?? true, optOut, marketingTables, erasure };
}

export function renderOptOut(r: OptOutResult): string {
  const lines = [`opt-out of ${r.optOut.scope} recorded for subject ${r.optOut.subjectHash.slice(0, 12)} (since ${r.optOut.createdAt})`];
  if (r.optOut.scope === 'sharing') lines.push('extracts exclude this subject from now on');
  else if (!r.marketingTables.length) lines.push('no table is declared with purposes: [marketing]; extracts with exclude_optouts: marketing exclude this subject');
  if (r.erasure) lines.push(renderErasure(`marketing data (${r.marketingTables.join(', ')})`, r.erasure));
  return lines.join('\n');
}
