// YAML aliases let a small file stand for a huge tree ("billion laughs"): 1,000 tables that each alias 1,000 fields
// is a 30 kB file that would take minutes and gigabytes to read. The map is refused, at the alias that goes over,
// when its aliases add more than MAX_ALIASED_NODES nodes to what is written out.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export const MAX_ALIASED_NODES = 100_000;
/** The readers never go deeper than this into a data map; deeper nodes cost nothing to read. */
const MAX_DEPTH = 32;

/** The offset of the alias at which expansion exceeds the limit, or undefined when the document is within it. */
export function aliasBombAt(doc: Document, limit = MAX_ALIASED_NODES): number | undefined {
  // Sizes depend on how deep a node is met (nothing below MAX_DEPTH counts): one met higher up is counted again.
  const sizes = new Map<unknown, { size: number; depth: number }>();
  const inProgress = new Set<unknown>();

  // Nodes a reader may visit under `node` when every alias is followed (an alias inside its own anchor counts once).
  const expanded = (node: unknown, depth: number): number => {
    if (isAlias(node)) node = node.resolve(doc);
    if (depth > MAX_DEPTH || node == null || isScalar(node)) return 1;
    if (inProgress.has(node)) return 1;
    const known = sizes.get(node);
    if (known && known.depth <= depth) return known.size;
    inProgress.add(node);
    let n = 1;
    if (isMap(node)) for (const pair of node.items) n += expanded(pair.key, depth + 1) + expanded(pair.value, depth + 1);
    else if (isSeq(node)) for (const item of node.items) n += expanded(isPair(item) ? item.value : item, depth + 1);
    inProgress.delete(node);
    sizes.set(node, { size: n, depth });
    return n;
  };

  // Walk the document as written; each alias adds what it stands for.
  let added = 0;
  const walk = (node: unknown, depth: number): number | undefined => {
    if (depth > MAX_DEPTH || node == null) return undefined;
    if (isAlias(node)) {
      added += expanded(node, depth);
      return added > limit ? (node.range?.[0] ?? 0) : undefined;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const at = walk(pair.key, depth + 1) ?? walk(pair.value, depth + 1);
        if (at !== undefined) return at;
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const at = walk(isPair(item) ? item.value : (item as Node), depth + 1);
        if (at !== undefined) return at;
      }
    }
    return undefined;
  };
  return walk(doc.contents, 0);
}
