// `dsar export <identity> --ticket T`: an access request. Finds every row of the subject (traversal.ts), writes the
// package (manifest, data files, report.html) atomically, and records the request in the ledger.
import { toolVersion } from '../package-root.ts';
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../cli/command.ts';
import type { DataMap } from '../datamap/types.ts';
import { loadDataMap } from '../datamap/load.ts';
import { lookalikes, normalizeIdentity } from '../datamap/normalize.ts';
import { SystemError, UsageError } from '../errors.ts';
import { describeStep, planTraversal, traverse, type SubjectData, type TraversalIdentity, type TraversalPlan } from '../plan/traversal.ts';
import { renderExportReport } from '../report/export-html.ts';
import { dueDate, daysLeft, type Law } from '../state/statutory.ts';
import { isSqlConnector, type Connector, type Row, type TypeFamily } from '../../connectors/connector.ts';
import { rowsToCsv, rowsToJson, typedRows } from './export-format.ts';
import { assertPrivateOut, assertTargetFree, safeSegment, writePackage, type PackageFile, type WrittenFile } from './export-package.ts';
import { openStateFor } from '../state/for-map.ts';
import { openSystems } from './systems.ts';
import { noRowsFound } from './verify.ts';
import { assertSafeTicket, assertTicketIsThisRequest, parseLaw, parseReceived } from './ticket.ts';

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

export const MANIFEST = 'manifest.json';
export const REPORT = 'report.html';
export const PACKAGE_FORMAT = 'dsar-export/1';

/** The identity as the command line gives it, normalized by its type's normalizer; its type must be declared. */
export function subjectIdentity(map: DataMap, type: string, raw: string): TraversalIdentity {
  const def = map.identities[type];
  if (!def) throw new UsageError(`--by: unknown identity type '${type}' (declared: ${Object.keys(map.identities).join(', ') || 'none'})`);
  const value = normalizeIdentity(def.normalize, String(raw));
  if (!value) throw new UsageError(`the ${type} given is empty once normalized (${def.normalize})`);
  const alike = def.normalize === 'none' ? [] : lookalikes(value);
  if (alike.length) {
    throw new UsageError(
      `the ${type} given holds ${alike.join(', ')}, a character that looks like another (the Kelvin sign like K): another person's address may look the same, so dsar refuses it; give the identity in the plain characters it is stored in`,
    );
  }
  return { type, value };
}

/** The plan without identity values: what `--dry-run`, `--json` and the manifest show. */
export function printablePlan(plan: TraversalPlan) {
  return {
    identities: plan.identities.map((i) => ({ type: i.type })),
    steps: plan.steps.map(({ table, via, column, from, identity }) => ({ table, via, column, ...(from ? { from } : {}), ...(identity ? { identity } : {}) })),
    order: plan.order,
  };
}

export interface TableSummary {
  table: string;
  system: string;
  rows: number | null;
  status: 'read' | 'unreachable';
}

export interface ExportResult {
  ok: boolean;
  ticket: string;
  /** The package directory. */
  out: string;
  subject: string;
  receivedOn: string;
  law: Law;
  dueOn: string;
  daysLeft: number;
  rows: number;
  /** Said when no row of the subject was found anywhere (with the identity type, never its value). */
  noRows?: string;
  queries: number;
  tables: TableSummary[];
  unreachable: Array<{ system: string; table?: string; message: string }>;
  manifestSha256: string;
}

export async function exportCommand(args: ExportArgs, ctx: CliContext): Promise<number> {
  const ticket = assertSafeTicket(args.ticket);
  const law = parseLaw(args.law);
  const receivedOn = parseReceived(args.received);
  const map = loadDataMap(path.resolve(args.datamap));
  const identity = subjectIdentity(map, args.by ?? 'email', args.identity);
  const plan = planTraversal(map, [identity]);
  const target = path.resolve(args.out ?? 'exports', ticket);

  if (args.dryRun) {
    const doc = { dryRun: true, ticket, out: target, plan: printablePlan(plan) };
    ctx.out.result(doc, () =>
      [`export ${ticket} (dry run: nothing read or written); would write ${target}`, 'traversal plan, breadth-first:', ...plan.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`)].join('\n'),
    );
    return 0;
  }
  assertTargetFree(target, args.force);
  assertPrivateOut(path.dirname(target), args.force);

  const systems = [...new Set(plan.order.map((t) => map.tables[t].system))];
  const store = await openStateFor(map);
  try {
    const subject = store.subjectHash(identity.type, identity.value);
    assertTicketIsThisRequest(ticket, 'export', subject, await store.ledger.forTicket(ticket));
    const opened = await openSystems(map, ctx.log, systems);
    const startedAt = new Date();
    const request = { ticket, kind: 'export' as const, subjectHash: subject };
    try {
      await store.ledger.append({ ...request, event: 'started', outcome: 'in-progress', startedAt, receivedOn, law, detail: { identityType: identity.type, datamapSha256: map.hash } });
    } catch (err) {
      await opened.closeAll();
      throw err;
    }
    ctx.log.info({ subject, ticket, systems: systems.length }, 'export started');
    try {
      const data = await traverse(map, plan, opened.connectors, ctx.log);
      const unreachable = mergeUnreachable(opened.unreachable, data.unreachable);
      const rowsOf = await typedTables(data, opened.connectors);
      const createdAt = new Date();
      const written = await writePackage(
        target,
        packageFiles(map, data, rowsOf, ticket, createdAt, unreachable),
        (files) => ({ path: MANIFEST, content: manifestJson({ map, data, ticket, createdAt, unreachable, files, identityType: identity.type, subject, receivedOn, law }) }),
        args.force,
      );
      const manifest = written.find((f) => f.path === MANIFEST)!;
      const tables = tableSummaries(map, data, unreachable);
      const rowCounts = Object.fromEntries(tables.filter((t) => t.rows).map((t) => [t.table, t.rows!]));
      const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
      await store.ledger.append({
        ...request,
        event: 'completed',
        outcome: unreachable.length ? 'partial' : 'ok',
        startedAt,
        endedAt: new Date(),
        rowCounts,
        detail: { manifestSha256: manifest.sha256, files: written.length, queries: data.queries, unreachable: unreachable.map(where) },
      });
      ctx.log.info({ subject, ticket, rows, tables: Object.keys(rowCounts).length, queries: data.queries, unreachable: unreachable.length }, 'export completed');
      await opened.closeAll();
      const dueOn = dueDate(receivedOn, law);
      const result: ExportResult = {
        ok: unreachable.length === 0,
        ticket,
        out: target,
        subject,
        receivedOn,
        law,
        dueOn,
        daysLeft: daysLeft(dueOn, new Date()),
        rows,
        ...(rows === 0 ? { noRows: noRowsFound(identity.type) } : {}),
        queries: data.queries,
        tables,
        unreachable: unreachable.map((u) => ({ ...where(u), message: u.message })),
        manifestSha256: manifest.sha256,
      };
      ctx.out.result(result, renderResult);
      return unreachable.length ? 1 : 0;
    } catch (err) {
      await opened.closeAll();
      // The failure is recorded by kind and place only: a driver's message may quote personal values.
      const error = { error: err instanceof Error ? err.name : 'Error', ...(err instanceof SystemError ? where(err) : {}) };
      ctx.log.error({ subject, ticket, ...error }, 'export failed');
      await store.ledger
        .append({ ...request, event: 'failed', outcome: 'failed', startedAt, endedAt: new Date(), detail: error })
        .catch((e: unknown) => ctx.log.error({ ticket, err: e instanceof Error ? e.message : String(e) }, 'could not record the failed export in the ledger'));
      throw err;
    }
  } finally {
    await store.close();
  }
}

function where(e: SystemError): { system: string; table?: string } {
  return e.table ? { system: e.system, table: e.table } : { system: e.system };
}

/** Connection failures first; a traversal's "not connected" for a system already named is the same failure. */
function mergeUnreachable(connect: SystemError[], traversal: SystemError[]): SystemError[] {
  const down = new Set(connect.map((e) => e.system));
  return [...connect, ...traversal.filter((e) => !(down.has(e.system) && e.table === undefined))];
}

function isUnreachable(unreachable: SystemError[], system: string, table: string): boolean {
  return unreachable.some((u) => u.system === system && (u.table === undefined || u.table === table));
}

function tableSummaries(map: DataMap, data: SubjectData, unreachable: SystemError[]): TableSummary[] {
  return data.plan.order.map((id) => {
    const t = map.tables[id];
    const down = isUnreachable(unreachable, t.system, t.table);
    return { table: id, system: t.system, rows: down ? null : (data.tables.get(id)?.rows.length ?? 0), status: down ? 'unreachable' : 'read' };
  });
}

/** `data/<system>/<table>` for every table with rows, unique even when odd names sanitize to the same text. */
function dataPaths(data: SubjectData): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const [id, found] of data.tables) {
    const base = `data/${safeSegment(found.table.system)}/${safeSegment(found.table.table)}`;
    let p = base;
    for (let n = 2; used.has(p.toLowerCase()); n++) p = `${base}~${n}`;
    used.add(p.toLowerCase());
    out.set(id, p);
  }
  return out;
}

/** Each found table's rows with decimals and integers as numbers, by the column types of SQL systems. */
async function typedTables(data: SubjectData, connectors: Map<string, Connector>): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const [id, found] of data.tables) {
    const c = connectors.get(found.table.system);
    let families: Map<string, TypeFamily> | undefined;
    if (c && isSqlConnector(c)) {
      const info = await c.tableInfo(found.table.table).catch(() => undefined);
      families = info && new Map(info.columns.map((col) => [col.name, col.family]));
    }
    out.set(id, typedRows(found.rows, families));
  }
  return out;
}

function packageFiles(map: DataMap, data: SubjectData, rowsOf: Map<string, Row[]>, ticket: string, createdAt: Date, unreachable: SystemError[]): PackageFile[] {
  const paths = dataPaths(data);
  const files: PackageFile[] = [];
  for (const id of data.tables.keys()) {
    files.push({ path: `${paths.get(id)}.json`, content: rowsToJson(rowsOf.get(id)!) });
    files.push({ path: `${paths.get(id)}.csv`, content: rowsToCsv(rowsOf.get(id)!) });
  }
  const html = renderExportReport({
    ticket,
    createdAt: createdAt.toISOString(),
    toolVersion: toolVersion(),
    map,
    tables: [...data.tables].map(([id, f]) => ({ table: f.table, rows: rowsOf.get(id)!, files: [`${paths.get(id)}.json`, `${paths.get(id)}.csv`] })),
    unreachable: unreachable.map((u) => ({ ...where(u), message: u.message })),
  });
  files.push({ path: REPORT, content: html });
  return files;
}

interface ManifestInput {
  map: DataMap;
  data: SubjectData;
  ticket: string;
  createdAt: Date;
  unreachable: SystemError[];
  files: WrittenFile[];
  identityType: string;
  subject: string;
  receivedOn: string;
  law: Law;
}

function manifestJson(m: ManifestInput): string {
  const paths = dataPaths(m.data);
  const systems = [...new Set(m.data.plan.order.map((t) => m.map.tables[t].system))];
  const manifest = {
    format: PACKAGE_FORMAT,
    ticket: m.ticket,
    createdAt: m.createdAt.toISOString(),
    tool: { name: 'dsar', version: toolVersion() },
    datamap: { file: path.basename(m.map.file), sha256: m.map.hash },
    request: { kind: 'export', receivedOn: m.receivedOn, law: m.law, dueOn: dueDate(m.receivedOn, m.law) },
    subject: { identityType: m.identityType, hash: m.subject },
    complete: m.unreachable.length === 0,
    systems: systems.map((name) => {
      const down = m.unreachable.filter((u) => u.system === name);
      return { name, kind: m.map.systems[name].kind, status: down.length ? 'unreachable' : 'read', ...(down.length ? { errors: down.map((d) => d.message) } : {}) };
    }),
    tables: tableSummaries(m.map, m.data, m.unreachable).map((s) => {
      const t = m.map.tables[s.table];
      const found = m.data.tables.get(s.table);
      const p = paths.get(s.table);
      return {
        ...s,
        categories: [...new Set(Object.values(t.fields).map((f) => f.category))].sort(),
        retention: t.retention ?? null,
        purposes: t.purposes,
        reachedBy: found?.reachedBy ?? [],
        files: p ? { json: `${p}.json`, csv: `${p}.csv` } : null,
      };
    }),
    totals: {
      rows: [...m.data.tables.values()].reduce((n, f) => n + f.rows.length, 0),
      tables: m.data.tables.size,
      queries: m.data.queries,
      rounds: m.data.rounds,
    },
    traversal: printablePlan(m.data.plan),
    files: m.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
  };
  return JSON.stringify(manifest, null, 2) + '\n';
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
