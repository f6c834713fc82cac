// A differentially private aggregate extract: the budget group's window is read and charged in the state store
// (refused, exit 1, nothing written, when the release would pass it), the noisy cells written, and a risk report
// that states the noise, never a true value. The request ledger records the release as any extract.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isSqlConnector, type Connector } from '../../connectors/connector.ts';
import { subtractDuration } from '../datamap/duration.ts';
import type { DataMap, DomainDef, ExtractDef } from '../datamap/types.ts';
import { RefusedError, SystemError, UsageError } from '../errors.ts';
import { cryptoBits, type BitSource } from '../extract/dp/bits.ts';
import { releaseDp } from '../extract/dp/release.ts';
import { generalizeValue } from '../extract/generalize-value.ts';
import { canonicalValue } from '../extract/ladder.ts';
import type { AggregatePlan } from '../extract/plan.ts';
import type { AggregateSource } from '../extract/source.ts';
import { openExtractFile, writeWholeFile } from '../extract/writer.ts';
import type { Logger } from '../log.ts';
import { toolVersion } from '../package-root.ts';
import { renderRiskHtml } from '../report/risk-html.ts';
import { LOSS_METRIC, renderRiskJson, RISK_FORMAT, type RiskReport } from '../report/risk-json.ts';
import type { StateStore } from '../state/store.ts';
import type { ExtractResult } from './extract.ts';
import { connectorFor } from './systems.ts';

export interface DpRunOptions {
  store: StateStore;
  log: Logger;
  target: string;
  /** Identity values of opted-out subjects excluded from the source. */
  excluded: number;
  startedAt: Date;
  /** Tests: the clock of the budget window, and the bits of the noise. */
  now?: Date;
  bits?: BitSource;
}

const fmt = (s: { epsilon: number; delta: number }) => `epsilon ${+s.epsilon.toPrecision(6)}, delta ${+s.delta.toPrecision(6)}`;

export async function runDpExtract(map: DataMap, def: ExtractDef, plan: AggregatePlan, source: AggregateSource, opts: DpRunOptions): Promise<ExtractResult> {
  const dp = plan.dp!;
  const now = opts.now ?? new Date();
  const domain = Object.keys(def.domain).length ? await domainValues(map, def, plan) : undefined;
  const outcome = await releaseDp({
    plan,
    source,
    domain,
    bits: opts.bits ?? cryptoBits(),
    salt: randomBytes(16).toString('hex'),
    charge: (charge, detail) =>
      opts.store.dpBudgets.charge({
        group: dp.budget.group,
        extract: def.name,
        mechanism: dp.settings.mechanism,
        charge,
        detail: { ...detail, datamapSha256: map.hash },
        budget: { epsilon: dp.budget.epsilon, delta: dp.budget.delta, since: subtractDuration(now, dp.budget.per) },
        now,
      }),
  });
  if (!outcome.ok) {
    const message = `extract ${def.name}: budget group ${dp.budget.group} has ${fmt(outcome.left)} left in its ${dp.budget.per.text} window (spent ${fmt(outcome.spent)}); this release needs ${fmt(outcome.needs)}: nothing written`;
    await opts.store.ledger.append({ kind: 'extract', startedAt: opts.startedAt, event: 'refused', outcome: 'refused', endedAt: new Date(), detail: { extract: def.name, datamapSha256: map.hash, budgetGroup: dp.budget.group, left: outcome.left } });
    opts.log.warn({ extract: def.name, budgetGroup: dp.budget.group, left: outcome.left }, 'dp release refused: over budget');
    throw new RefusedError(message);
  }
  const file = await openExtractFile(opts.target, def.output, outcome.columns);
  let data;
  try {
    await file.write(outcome.rows);
    data = await file.finish();
  } catch (err) {
    await file.abort();
    throw err;
  }
  const report: RiskReport = {
    format: RISK_FORMAT,
    extract: def.name,
    kind: 'aggregate',
    createdAt: new Date().toISOString(),
    toolVersion: toolVersion(),
    datamapSha256: map.hash,
    source: { system: def.from.system, table: def.from.table, where: def.where.map((w) => ({ column: w.column, op: w.op })), excludeOptouts: def.excludeOptouts ?? null, optedOutValuesExcluded: opts.excluded },
    subject: { column: plan.subject.column, determinedBy: plan.subject.how },
    privacy: { k: 1, l: null, maxSuppression: 0 },
    data: { file: path.basename(data.path), format: def.output, sha256: data.sha256, bytes: data.bytes, rows: outcome.rows.length },
    generalization: { columns: [], informationLoss: 0, lossMetric: LOSS_METRIC, search: { nodes: 1, evaluated: 0, exhaustive: true, method: 'none: a dp aggregate publishes its group columns as they are' } },
    dp: outcome.risk,
  };
  const files = [data, await writeWholeFile(`${opts.target}.risk.json`, renderRiskJson(report)), await writeWholeFile(`${opts.target}.risk.html`, renderRiskHtml(report))];
  await opts.store.ledger.append({
    kind: 'extract',
    startedAt: opts.startedAt,
    event: 'completed',
    outcome: 'ok',
    endedAt: new Date(),
    rowCounts: { out: outcome.rows.length },
    detail: { extract: def.name, system: def.from.system, table: def.from.table, datamapSha256: map.hash, dp: { budgetGroup: dp.budget.group, epsilon: dp.settings.epsilon, delta: dp.settings.delta }, files: files.map((f) => ({ file: path.basename(f.path), sha256: f.sha256, bytes: f.bytes })) },
  });
  opts.log.info({ extract: def.name, cells: outcome.rows.length, budgetGroup: dp.budget.group, left: outcome.risk.budget.left }, 'dp extract completed');
  return {
    ok: true,
    extract: def.name,
    kind: 'aggregate',
    files,
    // The true number of source rows is a statistic of the data: a dp release does not publish it.
    rowsIn: 0,
    rowsOut: outcome.rows.length,
    rowsSuppressed: 0,
    levels: {},
    informationLoss: 0,
    search: report.generalization.search.method,
    ms: { search: 0, write: Math.round(Date.now() - opts.startedAt.getTime()) },
    risk: report,
  };
}

/** Per group column, the domain's values as the source's cell keys spell them. */
async function domainValues(map: DataMap, def: ExtractDef, plan: AggregatePlan): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const group of plan.groups) {
    const d: DomainDef = def.domain[group.column];
    const raw = 'values' in d ? d.values : await columnValues(map, d.column);
    const spelled = raw.map((v) => (plan.untyped ? generalizeValue({ kind: 'raw' }, v) : canonicalValue({ kind: 'raw' }, group.family, v)));
    out.push([...new Map(spelled.map((v) => [JSON.stringify(v), v])).values()]);
  }
  return out;
}

/** The distinct values of a domain table's column (a reference table such as countries: read whole, in batches). */
async function columnValues(map: DataMap, ref: { system: string; table: string; column: string }): Promise<unknown[]> {
  if (!map.systems[ref.system]) throw new UsageError(`domain: unknown system '${ref.system}' in ${ref.system}.${ref.table}.${ref.column}`);
  const c: Connector = connectorFor(map, ref.system);
  await c.connect();
  try {
    const values = new Set<unknown>();
    if (isSqlConnector(c)) {
      const { sql } = await import('kysely');
      for await (const rows of c.streamRows(sql`select distinct ${sql.id(ref.column)} as v from ${c.tableRef(ref.table)} where ${sql.id(ref.column)} is not null`, { table: ref.table })) for (const r of rows) values.add(r.v);
    } else {
      for await (const rows of c.batches(ref.table, [], { batchSize: 5000, columns: [ref.column] })) for (const r of rows) if (r[ref.column] !== null && r[ref.column] !== undefined && r[ref.column] !== '') values.add(r[ref.column]);
    }
    if (values.size === 0) throw new SystemError(ref.system, ref.table, `the domain column ${ref.column} holds no value`);
    return [...values];
  } finally {
    await c.close().catch(() => undefined);
  }
}
