// `validate --live`: the data map against the real schemas. Every finding names system.table.column and the map's line:column.
import type { ColumnInfo, SchemaInfo, TableInfo, TypeFamily } from '../../connectors/connector.ts';
import type { Location } from '../errors.ts';
import type { DataMap, TableDef } from './types.ts';
import { checkFits } from '../masking/masker.ts';
import { openSystems } from '../ops/systems.ts';
import { ROW_KEY } from '../../connectors/files.ts';
import type { Logger } from '../log.ts';

export interface LiveFinding {
  /** `system.table.column (file:line:column)` */
  where: string;
  system: string;
  table: string;
  column?: string;
  line: number;
  col: number;
  message: string;
}

export interface LiveReport {
  errors: LiveFinding[];
  warnings: LiveFinding[];
  unreachable: Array<{ system: string; message: string }>;
}

const DATE_FAMILIES: TypeFamily[] = ['date', 'timestamp'];
const NUMERIC: TypeFamily[] = ['integer', 'decimal', 'float'];

/** Finds a declared table in a schema; PostgreSQL names may be schema-qualified either side. */
export function findTable(schema: SchemaInfo, name: string): TableInfo | undefined {
  return (
    schema.tables.find((t) => t.name === name) ??
    schema.tables.find((t) => t.name.split('.').pop() === name || t.name === name.split('.').pop())
  );
}

function linkTypesCompatible(a: TypeFamily, b: TypeFamily): boolean {
  if (a === b || a === 'text' || b === 'text' || a === 'other' || b === 'other') return true;
  return NUMERIC.includes(a) && NUMERIC.includes(b);
}

export async function checkLive(map: DataMap, log: Logger): Promise<LiveReport> {
  const report: LiveReport = { errors: [], warnings: [], unreachable: [] };
  const systems = await openSystems(map, log);
  for (const u of systems.unreachable) report.unreachable.push({ system: u.system, message: u.message });
  try {
    const schemas = new Map<string, SchemaInfo>();
    await Promise.all(
      [...systems.connectors].map(async ([name, c]) => {
        try {
          schemas.set(name, await c.introspect());
        } catch (err) {
          report.unreachable.push({ system: name, message: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    for (const def of Object.values(map.tables)) {
      const schema = schemas.get(def.system);
      if (schema) checkTable(map, def, schema, schemas, report);
    }
  } finally {
    await systems.closeAll();
  }
  return report;
}

function checkTable(map: DataMap, def: TableDef, schema: SchemaInfo, schemas: Map<string, SchemaInfo>, report: LiveReport): void {
  const finding = (loc: Location, message: string, column?: string): LiveFinding => ({
    where: `${def.id}${column ? '.' + column : ''} (${loc.file}:${loc.line}:${loc.column})`,
    system: def.system,
    table: def.table,
    column,
    line: loc.line,
    col: loc.column,
    message,
  });
  const info = findTable(schema, def.table);
  if (!info) {
    report.errors.push(finding(def.loc, `table ${def.id} does not exist`));
    return;
  }
  const isFile = info.kind === 'file';
  const cols = new Map(info.columns.map((c) => [c.name, c]));
  const need = (name: string, loc: Location, what: string): ColumnInfo | undefined => {
    const c = cols.get(name);
    if (!c) report.errors.push(finding(loc, `${what} column ${JSON.stringify(name)} does not exist in ${def.id}`, name));
    return c;
  };

  // A file's rows are keyed by their ordinal (`_row`) unless the map names columns.
  for (const k of def.key) if (!(isFile && k === ROW_KEY)) need(k, def.loc, 'key');
  for (const [type, column] of Object.entries(def.identify)) {
    const c = need(column, def.loc, `identity (${type})`);
    if (c && !isFile && !info.indexes.some((i) => i.columns[0] === column))
      report.warnings.push(finding(def.loc, `identity column ${JSON.stringify(column)} has no index: each lookup scans ${def.id}`, column));
  }
  for (const f of Object.values(def.fields)) {
    const c = need(f.column, f.loc, 'field');
    if (!c || isFile) continue;
    const why = checkFits(f.mask, { column: c, category: f.category, options: f.maskOptions, hmacKey: Buffer.alloc(0) });
    if (why) report.errors.push(finding(f.loc, `mask '${f.mask}' cannot fit: ${why}`, f.column));
    if (info.partitionKey.includes(f.column) && f.mask !== 'keep')
      report.errors.push(finding(f.loc, `mask '${f.mask}' would rewrite the partition key ${JSON.stringify(f.column)} (rows would move partitions)`, f.column));
  }
  for (const link of def.links) {
    const c = need(link.column, link.loc, 'link');
    const target = map.tables[`${link.references.system}.${link.references.table}`];
    const targetSchema = schemas.get(link.references.system);
    const targetInfo = target && targetSchema ? findTable(targetSchema, target.table) : undefined;
    const rc = targetInfo?.columns.find((x) => x.name === link.references.column);
    if (targetInfo && !rc)
      report.errors.push(finding(link.loc, `link target column ${link.references.system}.${link.references.table}.${link.references.column} does not exist`, link.column));
    if (c && rc && !linkTypesCompatible(c.family, rc.family))
      report.errors.push(finding(link.loc, `link types cannot match: ${c.type} vs ${rc.type} (${link.references.system}.${link.references.table}.${link.references.column})`, link.column));
  }
  if (def.retention) {
    const rule = map.retention[def.retention];
    if (rule) {
      const c = need(rule.after, def.loc, `retention '${rule.name}' after`);
      if (c && !isFile && !DATE_FAMILIES.includes(c.family))
        report.errors.push(finding(def.loc, `retention '${rule.name}' after column ${JSON.stringify(rule.after)} is ${c.type}, not a date`, rule.after));
    }
  }
  if (def.child) need(def.child.column, def.loc, 'child');
}
