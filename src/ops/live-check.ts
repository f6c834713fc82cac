// `validate --live`: the data map against the real schemas. Every finding names system.table.column and the map's line:column.
import { linkTypesCompatible, type ColumnInfo, type Connector, type SchemaInfo, type TableInfo, type TypeFamily } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { Location } from '../errors.ts';
import type { DataMap, TableDef } from '../datamap/types.ts';
import { checkFits } from '../masking/masker.ts';
import { openSystems } from './systems.ts';
import { ORDINAL_KEY } from '../../connectors/connector.ts';
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

/** Finds a declared table in a schema; PostgreSQL names may be schema-qualified either side. */
export function findTable(schema: SchemaInfo, name: string): TableInfo | undefined {
  return (
    schema.tables.find((t) => t.name === name) ??
    schema.tables.find((t) => t.name.split('.').pop() === name || t.name === name.split('.').pop())
  );
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
    // Files have no constraints: a key or a link target must be unique in the data itself (one pass per file).
    for (const [id, columns] of fileUniqueness(map, schemas)) {
      const def = map.tables[id];
      const c = systems.connectors.get(def.system);
      if (!c) continue;
      try {
        for (const dup of await duplicatedIn(c, def.table, columns)) {
          report.errors.push(liveFinding(def, def.loc, `${dup.what} (${dup.columns.join(', ')}) is not unique in the data: ${dup.rows} rows share a value, so one person's request would reach another's rows`, dup.columns[0]));
        }
      } catch (err) {
        report.unreachable.push({ system: def.system, message: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await systems.closeAll();
  }
  return report;
}

function liveFinding(def: TableDef, loc: Location, message: string, column?: string): LiveFinding {
  return { where: `${def.id}${column ? '.' + column : ''} (${loc.file}:${loc.line}:${loc.column})`, system: def.system, table: def.table, column, line: loc.line, col: loc.column, message };
}

/** A primary key or unique index over (a subset of) `columns`: no two rows share their values. */
function uniqueIn(info: TableInfo, columns: readonly string[]): boolean {
  const within = (cs: readonly string[]) => cs.length > 0 && cs.every((c) => columns.includes(c));
  return within(info.primaryKey) || info.indexes.some((i) => (i.unique || i.primary) && within(i.columns));
}

/** Per declared file table: the column sets that must be unique in its data (its key, and columns links point at). */
function fileUniqueness(map: DataMap, schemas: Map<string, SchemaInfo>): Map<string, Array<{ what: string; columns: string[] }>> {
  const out = new Map<string, Array<{ what: string; columns: string[] }>>();
  const isFile = (id: string) => {
    const def = map.tables[id];
    const schema = def && schemas.get(def.system);
    return schema ? findTable(schema, def.table)?.kind === 'file' : false;
  };
  const add = (id: string, what: string, columns: string[]) => {
    if (!isFile(id) || columns.includes(ORDINAL_KEY)) return;
    const list = out.get(id) ?? [];
    if (!list.some((x) => x.columns.join() === columns.join())) list.push({ what, columns });
    out.set(id, list);
  };
  for (const def of Object.values(map.tables)) {
    if (def.key.length) add(def.id, 'key', def.key);
    for (const link of def.links) add(`${link.references.system}.${link.references.table}`, `the column ${def.id}.${link.column} references`, [link.references.column]);
  }
  return out;
}

/** Column sets whose values repeat in the file, with how many rows share the most repeated value. */
async function duplicatedIn(c: Connector, table: string, sets: ReadonlyArray<{ what: string; columns: string[] }>): Promise<Array<{ what: string; columns: string[]; rows: number }>> {
  const seen = sets.map(() => new Map<string, number>());
  for await (const rows of c.batches(table, [], { batchSize: 5000 })) {
    for (const row of rows) {
      sets.forEach((set, i) => {
        const values = set.columns.map((col) => normalizeLinkValue(row[col]));
        if (values.every((v) => v === '')) return; // an empty link leads nowhere
        const k = JSON.stringify(values);
        seen[i].set(k, (seen[i].get(k) ?? 0) + 1);
      });
    }
  }
  return sets.flatMap((set, i) => {
    // A loop, not Math.max(...values): a spread of a million-row file's counts overflows the call stack.
    let most = 0;
    for (const n of seen[i].values()) if (n > most) most = n;
    return most > 1 ? [{ ...set, rows: most }] : [];
  });
}

function checkTable(map: DataMap, def: TableDef, schema: SchemaInfo, schemas: Map<string, SchemaInfo>, report: LiveReport): void {
  const finding = (loc: Location, message: string, column?: string): LiveFinding => liveFinding(def, loc, message, column);
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
  for (const k of def.key) if (!(isFile && k === ORDINAL_KEY)) need(k, def.loc, 'key');
  if (!isFile && info.kind === 'table' && def.key.length && def.key.every((k) => cols.has(k)) && !uniqueIn(info, def.key)) {
    report.errors.push(finding(def.loc, `key (${def.key.join(', ')}) has no primary key or unique constraint in ${def.id}: rows sharing it would be exported, erased and swept as one`, def.key[0]));
  }
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
    if (targetInfo && rc && targetInfo.kind === 'table' && !uniqueIn(targetInfo, [rc.name]))
      report.errors.push(
        finding(link.loc, `link target ${link.references.system}.${link.references.table}.${link.references.column} is not unique (no primary key or unique constraint on it alone): one value would join the rows of several people`, link.column),
      );
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
