// A deep verification's hits as text: where an identity's value still stands (keyed hashes, never the value).
import type { DeepReport } from '../../ops/deep-verify.ts';

export function renderDeep(r: DeepReport): string[] {
  const scope = `searched ${r.searched.columns} text column(s) of ${r.searched.tables} table(s) and file(s) in ${r.searched.systems} system(s), declared or not`;
  const lines = [r.hits.length ? `deep verification: ${r.hits.length + r.moreHits} place(s) still hold an identity of the subject (${scope}):` : `deep verification: no identity of the subject anywhere (${scope})`];
  for (const h of r.hits) {
    lines.push(`  ${h.system}.${h.table}.${h.column} key ${h.key}${h.declared ? '' : ' (not declared in the data map)'}${h.retained ? ' (kept on purpose: on_erase keep)' : ''}`);
  }
  if (r.moreHits) lines.push(`  ... and ${r.moreHits} more`);
  for (const u of r.unreachable) lines.push(`  not searched: ${u}`);
  return lines;
}
