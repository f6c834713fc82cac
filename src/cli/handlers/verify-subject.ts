// `dsar verify <identity> [--by type]`: is anything of the subject anywhere? Finds the subject's rows (the traversal)
// to learn every identity value they hold, then runs the deep check (deep-verify.ts) over every system. Reads only,
// records nothing; exit 1 when an identity is found outside what `on_erase: keep` keeps, or a system is unreachable.
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { requireHmacKey } from '../../masking/masker.ts';
import { planTraversal } from '../../plan/traversal.ts';
import { traverse } from '../../ops/traverse.ts';
import { deepValues, deepVerify, type DeepReport } from '../../ops/deep-verify.ts';
import { renderDeep } from '../render/deep-verify.ts';
import { subjectIdentity } from '../../ops/export.ts';
import { openSystems } from '../../ops/systems.ts';
import { collectSubjectValues } from '../../ops/verify.ts';

export interface VerifyArgs extends GlobalArgs {
  identity: string;
  by?: string;
}

export interface VerifyResult extends DeepReport {
  identityType: string;
  /** Rows of the subject the traversal found through the data map (their identity values are searched too). */
  rowsFound: number;
}

export async function verifyCommand(args: VerifyArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const plan = planTraversal(map, [identity]);
  const opened = await openSystems(map, ctx.log);
  try {
    const data = await traverse(map, plan, opened.connectors, ctx.log);
    const values = collectSubjectValues(map, data, [identity]);
    const report = await deepVerify(map, opened.connectors, deepValues(map, values.identities), hmacKey);
    const result: VerifyResult = { identityType: identity.type, rowsFound: [...data.tables.values()].reduce((n, t) => n + t.rows.length, 0), ...report };
    ctx.log.info({ identityType: identity.type, places: report.hits.length + report.moreHits, unreachable: report.unreachable.length }, 'deep verification');
    ctx.out.result(result, (r) => [`verify (${r.identityType}): ${r.rowsFound} row(s) of the subject found through the data map`, ...renderDeep(r)].join('\n'));
    return report.clean ? 0 : 1;
  } finally {
    await opened.closeAll();
  }
}
