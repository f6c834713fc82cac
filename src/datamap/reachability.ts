// Which declared tables an identity can reach through `identify` and links: the same graph the traversal walks
// (plan/traversal.ts), asked only whether a table is on it. A table off it would be left out of every export and
// skipped by every erasure without a word, so validation refuses it.
import type { DataMap } from './types.ts';

export interface Unreachable {
  table: string;
  message: string;
}

export function unreachableTables(map: DataMap): Unreachable[] {
  const next = new Map<string, string[]>(); // table -> tables its found rows lead to
  const edge = (from: string, to: string) => next.set(from, [...(next.get(from) ?? []), to]);
  for (const t of Object.values(map.tables)) {
    for (const link of t.links) {
      const ref = `${link.references.system}.${link.references.table}`;
      if (!map.tables[ref]) continue; // reported as an undeclared table
      if (link.owns) edge(t.id, ref);
      else edge(ref, t.id);
    }
  }
  const reached = new Set(Object.values(map.tables).filter((t) => Object.keys(t.identify).length > 0).map((t) => t.id));
  const queue = [...reached];
  while (queue.length > 0) {
    for (const to of next.get(queue.shift()!) ?? []) if (!reached.has(to)) (reached.add(to), queue.push(to));
  }
  return Object.values(map.tables)
    .filter((t) => !reached.has(t.id) && t.table !== '' && map.systems[t.system] !== undefined && t.unlinked === undefined)
    .map((t) => ({ table: t.id, message: `no identity reaches ${t.id}: export would leave it out and erase skip it; ${howToReach(map, t.id, reached)}` }));
}

/** The link that would reach the table: `owns: true` on a reached table's link to it, else an example link. */
function howToReach(map: DataMap, id: string, reached: ReadonlySet<string>): string {
  for (const t of Object.values(map.tables)) {
    const i = t.links.findIndex((l) => !l.owns && `${l.references.system}.${l.references.table}` === id);
    if (i >= 0 && reached.has(t.id)) {
      return `tables.${t.id}.links[${i}] references it from a reached table: with \`owns: true\` the traversal follows it (when its rows belong to the referencing row's subject)`;
    }
  }
  const anchor = Object.values(map.tables).find((t) => reached.has(t.id) && t.key.length === 1);
  const example = anchor ? `, e.g. \`links: [{ column: user_id, references: ${anchor.id}.${anchor.key[0]} }]\`` : '';
  return `give it \`identify:\` or a link to a table that is reached${example}, or say why no one's rows are there with \`unlinked: "<reason>"\``;
}
