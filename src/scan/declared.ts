// What the data map declares for a table, column by column, and what of it no longer exists in the system.
import { ORDINAL_KEY, type TableInfo } from '../../connectors/connector.ts';
import type { Location } from '../errors.ts';
import type { DataMap, TableDef } from '../datamap/types.ts';
import type { MissingFinding } from './report.ts';

export interface KnownColumn {
  column: string;
  /** How the map uses it. */
  role: 'field' | 'key' | 'identify' | 'link' | 'retention' | 'child';
  loc: Location;
}

/** Every column the map names for the table, once each (a field first, then the other roles). */
export function knownColumns(map: DataMap, def: TableDef): KnownColumn[] {
  const out = new Map<string, KnownColumn>();
  const add = (column: string, role: KnownColumn['role'], loc: Location) => {
    if (!out.has(column)) out.set(column, { column, role, loc });
  };
  for (const f of Object.values(def.fields)) add(f.column, 'field', f.loc);
  for (const k of def.key) add(k, 'key', def.loc);
  for (const c of Object.values(def.identify)) add(c, 'identify', def.loc);
  for (const l of def.links) add(l.column, 'link', l.loc);
  const rule = def.retention ? map.retention[def.retention] : undefined;
  if (rule) add(rule.after, 'retention', def.loc);
  if (def.child) add(def.child.column, 'child', def.loc);
  return [...out.values()];
}

/** Files address rows by number: `_row` is a key the file itself does not have. */

export function mapPosition(loc: Location): { at: string; line: number; col: number } {
  return { at: `${loc.file}:${loc.line}:${loc.column}`, line: loc.line, col: loc.column };
}

/** The declared table, or each declared column, that the live table does not have. */
export function missingFromSystem(map: DataMap, def: TableDef, info: TableInfo | undefined): MissingFinding[] {
  if (!info) {
    return [{ system: def.system, table: def.table, where: def.id, what: 'table', ...mapPosition(def.loc), message: `declared table ${def.id} no longer exists` }];
  }
  const live = new Set(info.columns.map((c) => c.name));
  return knownColumns(map, def)
    .filter((k) => !live.has(k.column) && !(k.column === ORDINAL_KEY && info.kind === 'file'))
    .map((k) => ({
      system: def.system,
      table: def.table,
      column: k.column,
      where: `${def.id}.${k.column}`,
      what: 'column' as const,
      role: k.role,
      ...mapPosition(k.loc),
      message: `declared ${k.role} column ${JSON.stringify(k.column)} no longer exists in ${def.id}`,
    }));
}
