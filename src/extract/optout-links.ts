// Opt-outs carried through links: a source without identity columns (a view of customers, an orders table) still
// excludes the rows of opted-out people. The linked table's identity values stream past once per run (set-based:
// one keyset pass), the linked values of its opted-out rows are kept, and the source drops the rows whose link
// column holds one. Link values compare as text on both sides (SPEC), so a CSV's "1" meets an integer 1.
import type { Connector } from '../../connectors/connector.ts';
import type { DataMap, ExtractDef, LinkDef, TableDef } from '../datamap/types.ts';
import { textOf } from './generalize-value.ts';
import { optedOut, type ExcludedValues, type OptOutMatcher } from './optout-values.ts';

const BATCH = 5000;

export interface OptOutLink {
  link: LinkDef;
  /** The linked table, which identifies its subjects. */
  target: TableDef;
}

/** The links opt-outs travel: the extract's own `links:`, else the declared source's links to tables that identify subjects. */
export function optOutLinks(map: DataMap, def: ExtractDef): OptOutLink[] {
  const declared = map.tables[`${def.from.system}.${def.from.table}`];
  const links = def.links.length ? def.links : Object.keys(declared?.identify ?? {}).length ? [] : (declared?.links ?? []).filter((l) => !l.owns);
  return links.flatMap((link) => {
    const target = map.tables[`${link.references.system}.${link.references.table}`];
    return target && Object.keys(target.identify).length ? [{ link, target }] : [];
  });
}

/**
 * Link column -> the linked values of opted-out subjects. `open` gives a connected connector to a system (and how to
 * let it go); `keyOf` the key to page the table by.
 */
export async function linkedExclusions(
  map: DataMap,
  links: readonly OptOutLink[],
  matcher: Pick<OptOutMatcher, 'hashes' | 'hash'>,
  open: (system: string) => Promise<{ connector: Connector; release(): Promise<void> }>,
): Promise<ExcludedValues> {
  const out: ExcludedValues = new Map();
  if (!matcher.hashes.size) return out;
  for (const { link, target } of links) {
    const identities = Object.entries(target.identify).map(([type, column]) => ({ type, column, normalize: map.identities[type]?.normalize ?? 'none' }));
    const full: OptOutMatcher = { ...matcher, identities };
    const found = new Map((out.get(link.column) ?? []).map((v) => [textOf(v), v]));
    const { connector, release } = await open(target.system);
    try {
      const columns = [...new Set([...identities.map((i) => i.column), link.references.column])];
      for await (const rows of connector.batches(target.table, target.key, { batchSize: BATCH, columns })) {
        for (const row of rows) {
          const value = row[link.references.column];
          if (value === null || value === undefined || found.has(textOf(value))) continue;
          if (identities.some((i) => optedOut(full, i, row[i.column]))) found.set(textOf(value), value);
        }
      }
    } finally {
      await release();
    }
    out.set(link.column, [...found.values()]);
  }
  return out;
}
