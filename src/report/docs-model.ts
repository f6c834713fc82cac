// The data inventory as data, built from the data map alone (no system is contacted): where each category of
// personal data lives, how it is masked, how long it is kept and why it is held; and the graph of systems,
// tables and links that the diagram draws. docs-html.ts and docs-markdown.ts render the same model.
import type { DataMap, Duration, MaskName, TableDef } from '../datamap/types.ts';
import { CATEGORIES, categoryOf, TABLE_PURPOSES, TOP_LEVEL } from '../datamap/taxonomy.ts';

export interface InventoryLocation {
  /** `system.table.column` */
  where: string;
  system: string;
  table: string;
  column: string;
  /** The field's category as declared (may be deeper than the section's). */
  category: string;
  mask: string;
  onErase: string;
  /** `inactive-account: 3 years after last_seen_at, then anonymize`, or null when the table has no rule. */
  retention: string | null;
  /** The retention rule's basis (e.g. a legal obligation), or null when none is declared. */
  basis: string | null;
  /** The table's declared purposes in the policy's words; else the category's. */
  purposes: string[];
  identifying: boolean;
}

export interface InventoryCategory {
  name: string;
  title: string;
  /** The privacy policy's wording for this kind of data. */
  policy: string;
  purposes: string[];
  locations: InventoryLocation[];
}

export interface DiagramTable {
  /** `system.table` */
  id: string;
  system: string;
  table: string;
  /** False for a table that a link references but `tables:` does not declare. */
  declared: boolean;
  fields: number;
  retention: string | null;
}

export interface DiagramSystem {
  name: string;
  kind: string;
  tables: DiagramTable[];
}

export interface DiagramLink {
  /** The table holding the link column. */
  from: string;
  /** The referenced table. */
  to: string;
  column: string;
  references: string;
  /** `owns: true`: the referenced row belongs to this row's subject (followed one way only). */
  owns: boolean;
}

export interface Inventory {
  file: string;
  hash: string;
  generatedAt: string;
  systems: DiagramSystem[];
  links: DiagramLink[];
  categories: InventoryCategory[];
  /** Fields whose category the taxonomy does not know (validate refuses them; kept visible if present). */
  uncategorized: InventoryLocation[];
  /** Categories of the taxonomy that no declared field uses. */
  unused: Array<{ name: string; title: string }>;
}

const UNITS: Record<Duration['unit'], string> = { y: 'year', m: 'month', d: 'day', h: 'hour' };

export function buildInventory(map: DataMap, now = new Date()): Inventory {
  const tables = Object.values(map.tables);
  const byCategory = new Map<string, InventoryLocation[]>();
  const uncategorized: InventoryLocation[] = [];
  for (const t of tables) {
    for (const field of Object.values(t.fields)) {
      const category = categoryOf(field.category);
      const location = locate(map, t, field.column);
      if (!category) uncategorized.push(location);
      else byCategory.set(category.name, [...(byCategory.get(category.name) ?? []), location]);
    }
  }
  const taxonomy = [...CATEGORIES, ...TOP_LEVEL];
  const categories = taxonomy
    .filter((c) => byCategory.has(c.name))
    .map((c) => ({ name: c.name, title: c.title, policy: c.policy, purposes: c.purposes, locations: byCategory.get(c.name)! }));
  const usedNames = [...byCategory.keys()];
  const unused = CATEGORIES.filter((c) => !usedNames.some((u) => u === c.name || u.startsWith(c.name + '.') || c.name.startsWith(u + '.'))).map((c) => ({
    name: c.name,
    title: c.title,
  }));
  return {
    file: map.file,
    hash: map.hash,
    generatedAt: now.toISOString(),
    ...diagram(map),
    categories,
    uncategorized,
    unused,
  };
}

function locate(map: DataMap, t: TableDef, column: string): InventoryLocation {
  const field = t.fields[column];
  const rule = t.retention ? map.retention[t.retention] : undefined;
  const category = categoryOf(field.category);
  return {
    where: `${t.id}.${column}`,
    system: t.system,
    table: t.table,
    column,
    category: field.category,
    mask: describeMask(field.mask, field.maskOptions),
    onErase: t.onErase,
    retention: rule ? `${rule.name}: ${period(rule.keep)} after ${rule.after}, then ${rule.then}` : null,
    basis: rule?.basis ?? null,
    purposes: t.purposes.length ? t.purposes.map((p) => TABLE_PURPOSES[p] ?? p) : (category?.purposes ?? []),
    identifying: field.identifying,
  };
}

function describeMask(mask: MaskName, options: Record<string, unknown>): string {
  const opts = Object.entries(options).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return opts.length ? `${mask} (${opts.join(', ')})` : mask;
}

function period(d: Duration): string {
  return `${d.amount} ${UNITS[d.unit]}${d.amount === 1 ? '' : 's'}`;
}

function diagram(map: DataMap): { systems: DiagramSystem[]; links: DiagramLink[] } {
  const tables = new Map<string, DiagramTable>();
  for (const t of Object.values(map.tables)) {
    tables.set(t.id, { id: t.id, system: t.system, table: t.table, declared: true, fields: Object.keys(t.fields).length, retention: t.retention ?? null });
  }
  const links: DiagramLink[] = [];
  for (const t of Object.values(map.tables)) {
    for (const l of t.links) {
      const to = `${l.references.system}.${l.references.table}`;
      if (!tables.has(to)) tables.set(to, { id: to, system: l.references.system, table: l.references.table, declared: false, fields: 0, retention: null });
      links.push({ from: t.id, to, column: l.column, references: l.references.column, owns: l.owns });
    }
  }
  const systems: DiagramSystem[] = Object.values(map.systems).map((s) => ({ name: s.name, kind: s.kind, tables: [] }));
  for (const t of tables.values()) {
    let system = systems.find((s) => s.name === t.system);
    if (!system) {
      system = { name: t.system, kind: 'undeclared', tables: [] };
      systems.push(system);
    }
    system.tables.push(t);
  }
  for (const s of systems) s.tables.sort((a, b) => a.table.localeCompare(b.table));
  return { systems, links };
}
