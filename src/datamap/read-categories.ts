// Reading `categories:`: sub-categories a map adds to the taxonomy, each saying whether it identifies a person, so
// that no field's meaning comes from a silent fallback to its top-level name.
import { type Value, present } from './reader.ts';
import { TOP_LEVEL, type DeclaredCategory, categoryOf } from './taxonomy.ts';

export function readCategories(v: Value | undefined): Record<string, DeclaredCategory> {
  const out: Record<string, DeclaredCategory> = {};
  for (const { name, keyLoc, value } of present(v)?.entries('categories (name: { identifying })') ?? []) {
    const parts = name.split('.');
    if (parts.length < 2 || parts.some((p) => p === '') || !categoryOf(parts[0])) {
      value.problem(`a declared category is a sub-category of one of: ${TOP_LEVEL.map((c) => c.name).join(', ')} (such as \`billing.address\`), found \`${name}\``, keyLoc);
      continue;
    }
    if (categoryOf(name)?.name === name) {
      value.problem(`\`${name}\` is in the taxonomy already; declare only names it does not have`, keyLoc);
      continue;
    }
    const e = value.entries('a category ({ identifying, title })', ['identifying', 'title']);
    const identifying = e?.require('identifying', 'true when a value of it identifies a person, e.g. an address')?.boolean();
    if (identifying === undefined) continue;
    const title = present(e?.get('title'))?.text('a title');
    out[name] = { name, identifying, ...(title !== undefined ? { title } : {}) };
  }
  return out;
}
