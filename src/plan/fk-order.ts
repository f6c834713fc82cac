// The one place that decides which rows must go before which: references between tables, from the live foreign
// keys (with their ON DELETE actions) and the data map's links, and the children-before-parents order they imply.
// Erasure and the retention sweep both plan with it.
import type { ColumnInfo, OnDelete, SchemaInfo, TableInfo } from '../../connectors/connector.ts';
import type { DataMap } from '../datamap/types.ts';

/** One way rows of `child` point at rows of `parent`: `child.childColumns` holds values of `parent.parentColumns`. */
export interface ReferenceEdge {
  /** The referencing table, `system.table`. Its rows must go (or let go of the reference) before the parent's. */
  child: string;
  /** The child's system and table name, as connectors take them. */
  childRef: { system: string; table: string };
  childColumns: string[];
  /** The referenced table, `system.table`. */
  parent: string;
  parentColumns: string[];
  /** `database`: a live foreign key; `map`: a declared link only; `both`: a link the database also enforces. */
  source: 'database' | 'map' | 'both';
  /** The database's ON DELETE action; undefined for links only the map declares (nothing happens on delete). */
  onDelete?: OnDelete;
  /** The foreign key's name, or `link <child>.<column>` for a map-only link. */
  name: string;
  /** Every child column may hold NULL, so the reference can be severed by setting it to NULL. */
  nullable: boolean;
  /** The child table is declared in the data map (so the traversal knows which of its rows are the subject's). */
  childDeclared: boolean;
}

/** Live schemas per system (what `Connector.introspect()` returned). */
export type SchemasBySystem = ReadonlyMap<string, SchemaInfo>;

/** The introspected table behind `system.table`, matched by name (exactly, else case-insensitively). */
export function tableInfo(schemas: SchemasBySystem, system: string, table: string): TableInfo | undefined {
  const tables = schemas.get(system)?.tables ?? [];
  return tables.find((t) => t.name === table) ?? tables.find((t) => t.name.toLowerCase() === table.toLowerCase());
}

export function columnInfo(info: TableInfo | undefined, column: string): ColumnInfo | undefined {
  return info?.columns.find((c) => c.name === column) ?? info?.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
}

/**
 * Every reference among the systems' tables: each live foreign key (declared tables or not), and each link of the
 * data map (`owns` or not: either way the row holding the column is the child). A link that a foreign key also
 * enforces is one edge, carrying the database's ON DELETE action.
 */
export function referenceEdges(map: DataMap, schemas: SchemasBySystem): ReferenceEdge[] {
  const edges: ReferenceEdge[] = [];
  const byShape = new Map<string, ReferenceEdge>();
  const shape = (child: string, cc: string[], parent: string, pc: string[]) => JSON.stringify([child, cc, parent, pc]);

  for (const [system, schema] of schemas) {
    for (const t of schema.tables) {
      const child = declaredId(map, system, t.name);
      for (const fk of t.foreignKeys) {
        const parentInfo = schema.tables.find((p) => p.name === fk.refTable);
        const parent = declaredId(map, system, parentInfo?.name ?? fk.refTable);
        const edge: ReferenceEdge = {
          child,
          childRef: { system, table: t.name },
          childColumns: [...fk.columns],
          parent,
          parentColumns: [...fk.refColumns],
          source: 'database',
          onDelete: fk.onDelete,
          name: fk.name,
          nullable: fk.columns.every((c) => columnInfo(t, c)?.nullable ?? true),
          childDeclared: Boolean(map.tables[child]),
        };
        edges.push(edge);
        byShape.set(shape(child, edge.childColumns, parent, edge.parentColumns), edge);
      }
    }
  }

  for (const t of Object.values(map.tables)) {
    for (const link of t.links) {
      const parent = `${link.references.system}.${link.references.table}`;
      const existing = byShape.get(shape(t.id, [link.column], parent, [link.references.column]));
      if (existing) {
        existing.source = 'both';
        continue;
      }
      const info = tableInfo(schemas, t.system, t.table);
      edges.push({
        child: t.id,
        childRef: { system: t.system, table: t.table },
        childColumns: [link.column],
        parent,
        parentColumns: [link.references.column],
        source: 'map',
        name: `link ${t.id}.${link.column}`,
        nullable: columnInfo(info, link.column)?.nullable ?? true,
        childDeclared: true,
      });
    }
  }
  return edges;
}

/** `system.table` as the data map names it, so live names and declared names meet. */
function declaredId(map: DataMap, system: string, name: string): string {
  const exact = `${system}.${name}`;
  if (map.tables[exact]) return exact;
  const lower = exact.toLowerCase();
  return Object.keys(map.tables).find((id) => id.toLowerCase() === lower) ?? exact;
}

export interface ChildrenFirstOrder {
  /** The tables, every child before its parents (ties keep the input order). */
  order: string[];
  /** Groups of tables that reference each other in a cycle; within one, the input order decides. */
  cycles: string[][];
}

/**
 * Orders `tables` so that for every edge between two of them the child comes first (Kahn's algorithm; an edge of a
 * table to itself is ignored). Edges through tables not listed impose nothing: those tables have no rows to process.
 */
export function childrenFirst(tables: Iterable<string>, edges: readonly ReferenceEdge[]): ChildrenFirstOrder {
  const list = [...new Set(tables)];
  const inSet = new Set(list);
  const pendingChildren = new Map<string, Set<string>>(list.map((t) => [t, new Set<string>()]));
  const parentsOf = new Map<string, Set<string>>(list.map((t) => [t, new Set<string>()]));
  for (const e of edges) {
    if (e.child === e.parent || !inSet.has(e.child) || !inSet.has(e.parent)) continue;
    pendingChildren.get(e.parent)!.add(e.child);
    parentsOf.get(e.child)!.add(e.parent);
  }

  const order: string[] = [];
  const done = new Set<string>();
  const cycles: string[][] = [];
  const emit = (t: string) => {
    order.push(t);
    done.add(t);
    for (const p of parentsOf.get(t)!) pendingChildren.get(p)!.delete(t);
  };
  while (order.length < list.length) {
    const ready = list.find((t) => !done.has(t) && pendingChildren.get(t)!.size === 0);
    if (ready !== undefined) {
      emit(ready);
      continue;
    }
    // Stuck: every remaining table waits on another. Report the cycle and break it at the first table listed.
    const remaining = list.filter((t) => !done.has(t));
    const cycle = cycleFrom(remaining[0], pendingChildren, done);
    if (!cycle.some((t) => cycles.some((c) => c.includes(t)))) cycles.push(cycle);
    emit(remaining[0]);
  }
  return { order, cycles };
}

/** The tables on a cycle through `start`, following pending child links. */
function cycleFrom(start: string, pendingChildren: Map<string, Set<string>>, done: Set<string>): string[] {
  const path: string[] = [];
  const index = new Map<string, number>();
  let t: string | undefined = start;
  while (t !== undefined && !index.has(t)) {
    index.set(t, path.length);
    path.push(t);
    t = [...pendingChildren.get(t)!].find((c) => !done.has(c));
  }
  return t === undefined ? path : path.slice(index.get(t));
}
