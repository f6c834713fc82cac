// Ready-to-paste YAML for the data map: a field line per undeclared column, with a mask that fits the live column,
// grouped per table under `tables:` (a whole table entry when the table is not declared yet).
import type { ColumnInfo } from '../../connectors/connector.ts';
import type { MaskName } from '../datamap/types.ts';
import { identifyingByDefault } from '../datamap/taxonomy.ts';
import { checkFits } from '../masking/masker.ts';

export interface MaskChoice {
  name: MaskName;
  options?: Record<string, unknown>;
}

/** The mask a privacy engineer would start from, per category (most specific first). */
const PREFERRED: Array<[category: string, mask: MaskChoice]> = [
  ['contact.email', { name: 'hash' }],
  ['contact.phone', { name: 'null' }],
  ['contact.address.postal', { name: 'generalize', options: { prefix: 3 } }],
  ['identity.name', { name: 'fake' }],
  ['identity.birthdate', { name: 'generalize' }],
  ['online.ip', { name: 'generalize' }],
  // Facts about the account rather than the person: kept when a row is anonymized.
  ['account.activity', { name: 'keep' }],
  ['account.settings', { name: 'keep' }],
  ['billing.transaction', { name: 'keep' }],
  ['marketing', { name: 'keep' }],
  ['usage', { name: 'keep' }],
];
/** Tried in order when the preferred mask cannot fit the column (a NOT NULL timestamp takes no marker and no NULL). */
const FALLBACKS: MaskChoice[] = [{ name: 'redact' }, { name: 'null' }, { name: 'generalize' }, { name: 'hash' }, { name: 'random' }];

function preferredMask(category: string): MaskChoice {
  const m = PREFERRED.find(([c]) => category === c || category.startsWith(c + '.'))?.[1] ?? { name: 'redact' };
  // An identifying value kept would survive erasure (verification finds it): never suggested.
  return m.name === 'keep' && identifyingByDefault(category, {}) ? { name: 'redact' } : m;
}

/** Why the mask cannot go into the column, or undefined when it fits. */
export function maskMisfit(m: MaskChoice, category: string, column: ColumnInfo): string | undefined {
  return checkFits(m.name, { column, category, options: m.options ?? {}, hmacKey: Buffer.alloc(0) });
}

/**
 * The preferred mask if it fits the column, else the first fallback that does (the preferred one when none does:
 * `validate --live` then says why). Personal data inside free text (`embedded`) is redacted: a hash or a fake would
 * replace the whole text.
 */
export function suggestMask(category: string, column?: ColumnInfo, embedded = false): MaskChoice {
  const preferred = embedded ? { name: 'redact' as const } : preferredMask(category);
  if (!column) return preferred;
  return [preferred, ...FALLBACKS].find((m) => maskMisfit(m, category, column) === undefined) ?? preferred;
}

/** A YAML key: plain when it is a simple word (any script), quoted otherwise. */
export function yamlKey(name: string): string {
  return /^[\p{L}_][\p{L}\p{N}_.-]*$/u.test(name) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(name) ? name : JSON.stringify(name);
}

export function maskText(m: MaskChoice): string {
  if (!m.options) return m.name;
  const opts = Object.entries(m.options).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `{ ${m.name}: { ${opts} } }`;
}

/** `notes: { category: contact.email, mask: hash }` */
export function fieldLine(column: string, category: string, info?: ColumnInfo, embedded = false): string {
  return `${yamlKey(column)}: { category: ${category}, mask: ${maskText(suggestMask(category, info, embedded))} }`;
}

export interface TableSnippetInput {
  /** `system.table` */
  id: string;
  declared: boolean;
  /** Key columns for a new table entry. */
  key: string[];
  /** Identity type -> column, for a new table whose column holds a declared identity. */
  identify: Record<string, string>;
  fields: string[];
}

/** The table's entry under `tables:` (its key line unindented); a declared table gets only its new fields. */
export function tableSnippet(t: TableSnippetInput): string {
  const lines = [`${yamlKey(t.id)}:`];
  if (!t.declared) {
    if (t.key.length === 1) lines.push(`  key: ${yamlKey(t.key[0])}`);
    else if (t.key.length > 1) lines.push(`  key: [${t.key.map(yamlKey).join(', ')}]`);
    else lines.push('  key: _row  # no primary key: name the column(s) that identify a row');
    const identify = Object.entries(t.identify);
    if (identify.length) lines.push(`  identify: { ${identify.map(([type, c]) => `${yamlKey(type)}: ${yamlKey(c)}`).join(', ')} }`);
    else lines.push('  # how rows reach a subject: identify: { email: <column> } or links: [{ column: ..., references: ... }]');
  }
  lines.push('  fields:');
  for (const f of t.fields) lines.push(`    ${f}`);
  return lines.join('\n');
}

/** Every table's entry in one `tables:` block: pasted as one section, or merged by `scan --write-map`. */
export function snippetBlock(entries: readonly string[]): string {
  return ['tables:', ...entries.flatMap((e) => e.split('\n').map((l) => `  ${l}`))].join('\n');
}
