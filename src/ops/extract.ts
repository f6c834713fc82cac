// Extracts (`dsar extract <name>`, flags in src/cli/handlers/extract.ts): a de-identified data set as the data map declares it under `extracts:`, with
// its risk report beside it (`<file>.risk.json`, `<file>.risk.html`) and an entry in the ledger. The work happens in
// the source system wherever it can (src/extract/sql-source.ts); this file wires the pieces together.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSqlConnector, type ColumnInfo, type Connector, type SqlConnector } from '../../connectors/connector.ts';
import type { DataMap, ExtractDef } from '../datamap/types.ts';
import { RefusedError, SystemError, UsageError } from '../errors.ts';
import { runAggregateExtract, type AggregateOutcome } from '../extract/aggregate.ts';
import { FileAggregateSource, FileRecordSource, whereFilter, type RowFilter } from '../extract/file-source.ts';
import { linkedExclusions, optOutLinks } from '../extract/optout-links.ts';
import { excludedCount, excludedValues, type ExcludedValues, type OptOutMatcher } from '../extract/optout-values.ts';
import { textOf } from '../extract/generalize-value.ts';
import { planExtract, type ExtractPlan, type SourceColumns } from '../extract/plan.ts';
import { pseudonymizer } from '../extract/pseudonym.ts';
import { runRecordExtract, type RecordOutcome } from '../extract/record.ts';
import { allowedSuppression, type PrivacyTarget } from '../extract/risk.ts';
import type { AggregateSource, RecordSource } from '../extract/source.ts';
import { filterSql, MAX_EXCLUDED_VALUES } from '../extract/sql-filter.ts';
import { SqlAggregateSource, SqlRecordSource } from '../extract/sql-source.ts';
import { openExtractFile, writeWholeFile, type WrittenFile } from '../extract/writer.ts';
import { moveAsideStale, outputPaths, type MovedAside } from '../extract/stale-outputs.ts';
import { ClassChangedError } from '../extract/written-classes.ts';
import type { Logger } from '../log.ts';
import { requireHmacKey } from '../masking/hmac-key.ts';
import { renderRiskHtml } from '../report/risk-html.ts';
import { LOSS_METRIC, renderRiskJson, RISK_FORMAT, type RiskReport } from '../report/risk-json.ts';
import type { StateStore } from '../state/store.ts';
import { toolVersion } from '../package-root.ts';
import { safeSegment } from './export-package.ts';
import { connectorFor } from './systems.ts';
import { runDpExtract } from './extract-dp.ts';
import type { BitSource } from '../extract/dp/bits.ts';

export interface ExtractResult {
  ok: boolean;
  extract: string;
  kind: ExtractDef['kind'];
  /** The data file, its risk reports (absent when nothing qualified). */
  files: WrittenFile[];
  rowsIn: number;
  rowsOut: number;
  rowsSuppressed: number;
  /** Chosen (or, without a solution, closest) generalization: column -> step. */
  levels: Record<string, string>;
  informationLoss: number;
  search: string;
  /** Milliseconds spent searching the lattice and writing the output (an aggregate's GROUP BY is in `write`). */
  ms?: { search: number; write: number };
  /** Without a solution: what the most general node would still suppress, and what the limit allows. */
  closest?: { suppressedRows: number; rows: number; allowed: number; levels: Record<string, string> };
  /** A refused run's earlier output files, moved aside so that none looks current. */
  movedAside?: MovedAside[];
  risk?: RiskReport;
}

export interface RunExtractOptions {
  out?: string;
  /** Base groups a record-level search may hold in memory (default DEFAULT_FREQUENCY_BOUND). */
  frequencyBound?: number;
  store: StateStore;
  log: Logger;
  /** Tests: the clock of a dp budget's window, and the bits of its noise. */
  now?: Date;
  bits?: BitSource;
}

/** Runs one extract; configuration problems throw before anything is read (exit 2). */
export async function runExtract(map: DataMap, name: string, opts: RunExtractOptions): Promise<ExtractResult> {
  const def = map.extracts[name];
  if (!def) throw new UsageError(`unknown extract '${name}' (declared: ${Object.keys(map.extracts).join(', ') || 'none'})`);
  const hmacKey = requireHmacKey(map.secrets.hmacKey);
  const target = targetFile(def, opts.out);
  const connector = connectorFor(map, def.from.system);
  const startedAt = new Date();
  const ledgerBase = { kind: 'extract' as const, startedAt };
  try {
    await connector.connect();
    const columns = await sourceColumns(connector, def);
    const plan = planExtract(map, def, columns);
    const { k, l, diversity, c, t, maxSuppression } = def.privacy;
    const privacy: PrivacyTarget = { k, l, diversity, c, t, maxSuppression };
    const { source, excluded } = await buildSource(map, def, plan, connector, columns, opts.store);
    if (plan.kind === 'aggregate' && plan.dp) {
      opts.log.info({ extract: name, kind: 'dp aggregate', system: def.from.system, table: def.from.table, optedOutValuesExcluded: excluded }, 'extract started');
      return await runDpExtract(map, def, plan, source as AggregateSource, { store: opts.store, log: opts.log, target, excluded, startedAt, now: opts.now, bits: opts.bits });
    }
    const open = (cols: string[]) => openExtractFile(target, def.output, cols);
    opts.log.info({ extract: name, kind: def.kind, system: def.from.system, table: def.from.table, optedOutValuesExcluded: excluded }, 'extract started');

    const outcome =
      plan.kind === 'record'
        ? await runRecordExtract(plan, source as RecordSource, privacy, pseudonymizer(hmacKey), open, { frequencyBound: opts.frequencyBound })
        : await runAggregateExtract(plan, source as AggregateSource, privacy, open, { system: def.from.system, table: def.from.table });

    if (!outcome.ok) {
      const result = { ...closestResult(def, outcome), movedAside: moveAsideStale(outputPaths(target)) };
      opts.log.warn({ extract: name, suppressedRows: result.closest!.suppressedRows, rows: result.closest!.rows }, 'extract refused: no generalization satisfies the privacy settings');
      await opts.store.ledger.append({ ...ledgerBase, event: 'refused', outcome: 'refused', endedAt: new Date(), detail: { extract: name, datamapSha256: map.hash, closest: result.closest } });
      return result;
    }

    const data = outcome.file;
    const report = riskReport(map, def, plan, outcome, data, excluded);
    const files = [data, await writeWholeFile(`${target}.risk.json`, renderRiskJson(report)), await writeWholeFile(`${target}.risk.html`, renderRiskHtml(report))];
    const counts = rowCounts(outcome);
    await opts.store.ledger.append({
      ...ledgerBase,
      event: 'completed',
      outcome: 'ok',
      endedAt: new Date(),
      rowCounts: counts,
      detail: {
        extract: name,
        system: def.from.system,
        table: def.from.table,
        datamapSha256: map.hash,
        levels: levelsOf(outcome.node.levels),
        files: files.map((f) => ({ file: path.basename(f.path), sha256: f.sha256, bytes: f.bytes })),
        optedOutValuesExcluded: excluded,
      },
    });
    opts.log.info({ extract: name, ...counts, file: target }, 'extract completed');
    return {
      ok: true,
      extract: name,
      kind: def.kind,
      files,
      rowsIn: counts.in,
      rowsOut: counts.out,
      rowsSuppressed: counts.suppressed,
      levels: levelsOf(outcome.node.levels),
      informationLoss: outcome.node.loss,
      search: outcome.search.method,
      ms: { search: Math.round(outcome.ms.search), write: Math.round(outcome.ms.write) },
      risk: report,
    };
  } catch (err) {
    if (err instanceof RefusedError) throw err; // recorded as refused where it was decided
    const failure = err instanceof ClassChangedError ? new SystemError(def.from.system, def.from.table, err.message) : err;
    // Recorded by kind and place only: a driver's message may quote values.
    await opts.store.ledger
      .append({ ...ledgerBase, event: 'failed', outcome: 'failed', endedAt: new Date(), detail: { extract: name, error: failure instanceof Error ? failure.name : 'Error' } })
      .catch((e: unknown) => opts.log.error({ extract: name, err: e instanceof Error ? e.message : String(e) }, 'could not record the failed extract in the ledger'));
    throw failure;
  } finally {
    await connector.close().catch(() => undefined);
  }
}

/** `--out FILE` (an existing directory receives `<name>.<ext>`), default `./extracts/<name>.<ext>`. */
function targetFile(def: ExtractDef, out: string | undefined): string {
  const file = `${safeSegment(def.name)}.${def.output}`;
  if (!out) return path.resolve('extracts', file);
  const resolved = path.resolve(out);
  return out.endsWith('/') || (existsSync(resolved) && statSync(resolved).isDirectory()) ? path.join(resolved, file) : resolved;
}

async function sourceColumns(c: Connector, def: ExtractDef): Promise<SourceColumns> {
  if (isSqlConnector(c)) {
    const info = await c.tableInfo(def.from.table);
    const single = info.indexes.filter((i) => (i.unique || i.primary) && i.columns.length === 1).map((i) => i.columns[0]);
    // A column alone in a unique index may still hold several NULLs: only a NOT NULL one counts each subject once.
    const uniqueColumns = [...new Set([...single, ...(info.primaryKey.length === 1 ? info.primaryKey : [])])].filter(
      (name) => info.columns.find((col) => col.name === name)?.nullable === false,
    );
    return { columns: info.columns, primaryKey: info.primaryKey, uniqueColumns, anyFamily: false };
  }
  const table = (await c.introspect()).tables.find((t) => t.name === def.from.table);
  if (!table) throw new SystemError(def.from.system, def.from.table, 'no such file');
  const columns: ColumnInfo[] = table.columns.map((col) => ({ ...col, family: 'text' }));
  return { columns, primaryKey: [], uniqueColumns: [], anyFamily: true };
}

async function buildSource(
  map: DataMap,
  def: ExtractDef,
  plan: ExtractPlan,
  c: Connector,
  columns: SourceColumns,
  store: StateStore,
): Promise<{ source: RecordSource | AggregateSource; excluded: number }> {
  const matcher: OptOutMatcher = {
    identities: Object.entries(def.identify).map(([type, column]) => ({ type, column, normalize: map.identities[type]?.normalize ?? 'none' })),
    hashes: def.excludeOptouts ? await store.optouts.optedOut(def.excludeOptouts) : new Set(),
    hash: (type, value) => store.subjectHash(type, value),
  };
  // The same system's connector serves its linked tables; another system's is opened for the one pass.
  const open = async (system: string) => {
    if (system === def.from.system) return { connector: c, release: async () => undefined };
    const other = connectorFor(map, system);
    await other.connect();
    return { connector: other, release: () => other.close() };
  };
  const linked = await linkedExclusions(map, optOutLinks(map, def), matcher, open);
  const withLinked = (excluded: ExcludedValues): ExcludedValues => {
    for (const [column, values] of linked) excluded.set(column, [...(excluded.get(column) ?? []), ...values]);
    return excluded;
  };
  if (isSqlConnector(c)) {
    const familyOf = (column: string) => columns.columns.find((col) => col.name === column)?.family ?? 'other';
    const make = (excluded: ExcludedValues) => sqlSource(c, def, plan, filterSql(c, def.where, excluded, familyOf));
    // Opted-out subjects: their identity values are found once (by hash), then excluded in SQL by every query.
    const excluded = withLinked(await excludedValues(matcher, (column) => make(new Map()).distinctValues(column)));
    const count = excludedCount(excluded);
    if (count > MAX_EXCLUDED_VALUES) {
      throw new SystemError(def.from.system, def.from.table, `${count} identity values of opted-out subjects to exclude: more than one statement can carry (${MAX_EXCLUDED_VALUES})`);
    }
    return { source: make(excluded), excluded: count };
  }
  // Files: the same one pass over the identity values, then rows are kept or dropped as they stream.
  const where = whereFilter(def.where);
  const excluded = withLinked(await excludedValues(matcher, (column) => fileColumnValues(c, def.from.table, column, where)));
  const dropped = new Map([...excluded].map(([column, values]) => [column, new Set(values.map(textOf))]));
  const keep: RowFilter = excludedCount(excluded)
    ? (row) => where(row) && ![...dropped].some(([column, values]) => row[column] !== null && row[column] !== undefined && values.has(textOf(row[column])))
    : where;
  const source = plan.kind === 'record' ? new FileRecordSource(c, def.from.table, plan, keep) : new FileAggregateSource(c, def.from.table, plan, keep);
  return { source, excluded: excludedCount(excluded) };
}

async function* fileColumnValues(c: Connector, table: string, column: string, where: RowFilter): AsyncIterable<unknown[]> {
  for await (const rows of c.batches(table, [], { batchSize: 5000 })) yield rows.filter(where).map((r) => r[column]).filter((v) => v !== null && v !== undefined && v !== '');
}

function sqlSource(c: SqlConnector, def: ExtractDef, plan: ExtractPlan, filter: ReturnType<typeof filterSql>): SqlRecordSource | SqlAggregateSource {
  return plan.kind === 'record' ? new SqlRecordSource(c, def.from.table, plan, filter) : new SqlAggregateSource(c, def.from.table, plan, filter);
}

function levelsOf(levels: ReadonlyArray<{ column: string; step: string }>): Record<string, string> {
  return Object.fromEntries(levels.map((l) => [l.column, l.step]));
}

/** Source rows read and suppressed; rows written (an aggregate writes its cells and a totals row). */
function rowCounts(outcome: Extract<RecordOutcome | AggregateOutcome, { ok: true }>): { in: number; out: number; suppressed: number } {
  return { in: outcome.risk.rowsIn, out: outcome.rowsWritten, suppressed: outcome.risk.rowsSuppressed };
}

function closestResult(def: ExtractDef, outcome: Extract<RecordOutcome | AggregateOutcome, { ok: false }>): ExtractResult {
  const node = outcome.closest;
  const rows = 'judgement' in node ? node.judgement.rows : node.summary.rows;
  const suppressedRows = 'judgement' in node ? node.judgement.suppressedRows : node.summary.smallRows;
  const levels = levelsOf(node.levels);
  return {
    ok: false,
    extract: def.name,
    kind: def.kind,
    files: [],
    rowsIn: rows,
    rowsOut: 0,
    rowsSuppressed: 0,
    levels,
    informationLoss: node.loss,
    search: outcome.search.method,
    closest: { suppressedRows, rows, allowed: allowedSuppression(rows, def.privacy.maxSuppression), levels },
  };
}

function riskReport(map: DataMap, def: ExtractDef, plan: ExtractPlan, outcome: Extract<RecordOutcome | AggregateOutcome, { ok: true }>, data: WrittenFile, excluded: number): RiskReport {
  return {
    format: RISK_FORMAT,
    extract: def.name,
    kind: def.kind,
    createdAt: new Date().toISOString(),
    toolVersion: toolVersion(),
    datamapSha256: map.hash,
    source: {
      system: def.from.system,
      table: def.from.table,
      where: def.where.map((w) => ({ column: w.column, op: w.op })),
      excludeOptouts: def.excludeOptouts ?? null,
      optedOutValuesExcluded: excluded,
    },
    subject: { column: plan.subject.column, determinedBy: plan.subject.how },
    privacy: {
      k: def.privacy.k,
      l: def.privacy.l ?? null,
      ...(def.privacy.l !== undefined ? { diversity: def.privacy.diversity ?? 'distinct' } : {}),
      ...(def.privacy.c !== undefined ? { c: def.privacy.c } : {}),
      ...(def.privacy.t !== undefined ? { t: def.privacy.t } : {}),
      maxSuppression: def.privacy.maxSuppression,
    },
    data: { file: path.basename(data.path), format: def.output, sha256: data.sha256, bytes: data.bytes, rows: outcome.rowsWritten },
    generalization: { columns: outcome.node.levels, informationLoss: outcome.node.loss, lossMetric: LOSS_METRIC, search: outcome.search },
    ...(plan.kind === 'record' ? { record: (outcome as Extract<RecordOutcome, { ok: true }>).risk } : { aggregate: (outcome as Extract<AggregateOutcome, { ok: true }>).risk }),
  };
}
