// Access requests (`dsar export <identity> --ticket T`, flags in src/cli/handlers/export.ts). Finds every row of the subject (traversal.ts), writes the
// package (manifest, data files, report.html) atomically, and records the request in the ledger.
import { toolVersion } from '../package-root.ts';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { StateStore } from '../state/store.ts';
import type { DataMap } from '../datamap/types.ts';
import { lookalikes, normalizeIdentity } from '../datamap/normalize.ts';
import { SystemError, UsageError } from '../errors.ts';
import { planTraversal, type SubjectData, type TraversalIdentity, type TraversalPlan } from '../plan/traversal.ts';
import { traverse } from './traverse.ts';
import { renderExportReport } from '../report/export-html.ts';
import { dueDate, daysLeft, type Law } from '../state/statutory.ts';
import { isSqlConnector, type Connector, type Row, type TypeFamily } from '../../connectors/connector.ts';
import { rowsToCsv, rowsToJson, typedRows } from '../report/export-format.ts';
import { assertPrivateOut, assertTargetFree, safeSegment, writePackage, type PackageFile, type WrittenFile } from './export-package.ts';
import { openSystems } from './systems.ts';
import { noRowsFound } from './verify.ts';
import { assertTicketIsThisRequest } from './ticket.ts';

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

export interface ExportRequest {
  map: DataMap;
  identity: TraversalIdentity;
  ticket: string;
  receivedOn: string;
  law: Law;
  /** The package directory (it must not exist unless `force`). */
  target: string;
  force: boolean;
}

/** The package directory must not exist (unless forced) and its parent must not be world-writable. */
export function assertExportTarget(target: string, force: boolean): void {
  assertTargetFree(target, force);
  assertPrivateOut(path.dirname(target), force);
}

/** Reads every row of the subject, writes the package and records the request; throws on bad input, nothing written. */
export async function runExport(req: ExportRequest, store: StateStore, log: Logger): Promise<ExportResult> {
  const { map, identity, ticket, receivedOn, law, target } = req;
  const plan = planTraversal(map, [identity]);
  assertExportTarget(target, req.force);

  const systems = [...new Set(plan.order.map((t) => map.tables[t].system))];
  const subject = store.subjectHash(identity.type, identity.value);
  assertTicketIsThisRequest(ticket, 'export', subject, await store.ledger.forTicket(ticket));
  const opened = await openSystems(map, log, systems);
  const startedAt = new Date();
  const request = { ticket, kind: 'export' as const, subjectHash: subject };
  try {
    await store.ledger.append({ ...request, event: 'started', outcome: 'in-progress', startedAt, receivedOn, law, detail: { identityType: identity.type, datamapSha256: map.hash } });
  } catch (err) {
    await opened.closeAll();
    throw err;
  }
  log.info({ subject, ticket, systems: systems.length }, 'export started');
  try {
    const data = await traverse(map, plan, opened.connectors, log);
    const unreachable = mergeUnreachable(opened.unreachable, data.unreachable);
    const rowsOf = await typedTables(data, opened.connectors);
    const createdAt = new Date();
    const written = await writePackage(
      target,
      packageFiles(map, data, rowsOf, ticket, createdAt, unreachable),
      (files) => ({ path: MANIFEST, content: manifestJson({ map, data, ticket, createdAt, unreachable, files, identityType: identity.type, subject, receivedOn, law }) }),
      req.force,
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
    log.info({ subject, ticket, rows, tables: Object.keys(rowCounts).length, queries: data.queries, unreachable: unreachable.length }, 'export completed');
    await opened.closeAll();
    const dueOn = dueDate(receivedOn, law);
    return {
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
  } catch (err) {
    await opened.closeAll();
    // The failure is recorded by kind and place only: a driver's message may quote personal values.
    const error = { error: err instanceof Error ? err.name : 'Error', ...(err instanceof SystemError ? where(err) : {}) };
    log.error({ subject, ticket, ...error }, 'export failed');
    await store.ledger
      .append({ ...request, event: 'failed', outcome: 'failed', startedAt, endedAt: new Date(), detail: error })
      .catch((e: unknown) => log.error({ ticket, err: e instanceof Error ? e.message : String(e) }, 'could not record the failed export in the ledger'));
    throw err;
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
