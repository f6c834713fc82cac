// Views over declared data. A view column with the name of a column the map declares in the same system is a
// view of it, not new personal data: the scan lists the view with the declared columns it shows and judges only
// its other columns. When several declared tables have a column of that name, the table that explains most of the
// view's columns wins (a view of users shows users.id, not orders.id). Names, not the view's definition: no
// engine-neutral catalog says where a view column comes from, and a renamed column is judged by its values.
import type { TableInfo } from '../../connectors/connector.ts';

/** Declared tables of one system (`system.table`) with the live columns the map names. */
export type DeclaredColumns = Array<{ id: string; columns: ReadonlySet<string> }>;

/** For each column of the view that a declared table has: the declared `system.table.column` it shows. */
export function viewColumnsDeclared(view: TableInfo, declared: DeclaredColumns): Map<string, string> {
  const out = new Map<string, string>();
  let open = view.columns.map((c) => c.name);
  for (;;) {
    let best: { id: string; covers: string[] } | undefined;
    for (const t of declared) {
      const covers = open.filter((c) => t.columns.has(c));
      if (covers.length > (best?.covers.length ?? 0)) best = { id: t.id, covers };
    }
    if (!best) return out;
    for (const c of best.covers) out.set(c, `${best.id}.${c}`);
    open = open.filter((c) => !out.has(c));
  }
}
