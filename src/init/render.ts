// The draft as data map YAML: one entry per table under `tables:`, each guess followed by a short comment saying
// how sure it is and why. The same draft always gives the same text (no dates, sorted tables).
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import { maskText, yamlKey } from '../scan/snippet.ts';
import type { Draft, DraftField, DraftLink, DraftTable, Guess } from './draft-types.ts';

const NORMALIZE: Record<string, string> = { email: 'lowercase-trim', phone: 'digits' };

/** Comment text on one line, whatever a column name holds. */
const oneLine = (text: string) => text.replace(/[\r\n\u2028\u2029]+/g, ' ');
const comment = (g: Guess | undefined) => (g ? `  # ${g.confidence}: ${oneLine(g.why)}` : '');
const list = (names: readonly string[]) => (names.length === 1 ? yamlKey(names[0]) : `[${names.map(yamlKey).join(', ')}]`);

export function identityLine(type: string): string {
  return `${yamlKey(type)}: { normalize: ${NORMALIZE[type] ?? 'trim'} }`;
}

export function fieldLine(f: DraftField): string {
  return `${yamlKey(f.column)}: { category: ${f.category}, mask: ${maskText(f.mask)} }${comment(f.guess)}`;
}

function linkLine(l: DraftLink): string {
  const text = `- { column: ${yamlKey(l.column)}, references: ${yamlKey(l.references)}${l.owns ? ', owns: true' : ''} }`;
  return l.suggestionOnly ? `# ${text}  # not linked: ${oneLine(l.suggestionOnly)}` : `${text}${comment(l.guess)}`;
}

/** The table's entry (its key line first), indented by `indent` spaces; a blocked table comes out commented. */
export function tableEntry(d: DraftTable, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(indent + 2);
  const lines = [`${pad}# columns: ${oneLine(d.columns.join(', '))}`];
  if (d.blocked) {
    lines.push(`${pad}# ${yamlKey(d.id)}:  # not declared: ${oneLine(d.blocked)}`);
    for (const f of d.fields) lines.push(`${pad}#   ${fieldLine(f)}`);
    return lines;
  }
  lines.push(`${pad}${yamlKey(d.id)}:`);
  lines.push(`${inner}key: ${list(d.key)}${d.key[0] === ORDINAL_KEY ? `  # ${d.keyGuess.confidence}: ${d.keyGuess.why}` : comment(d.keyGuess)}`);
  const identify = Object.entries(d.identify);
  if (identify.length) lines.push(`${inner}identify: { ${identify.map(([t, c]) => `${yamlKey(t)}: ${yamlKey(c)}`).join(', ')} }${comment(d.identifyGuess)}`);
  if (d.unlinked) lines.push(`${inner}unlinked: ${JSON.stringify(d.unlinked)}  # low: review`);
  lines.push(`${inner}on_erase: ${d.onErase}  # ${oneLine(d.onEraseWhy)}`);
  if (d.child) lines.push(`${inner}child: { column: ${yamlKey(d.child.column)}, under: ${d.child.under} }${comment(d.child.guess)}`);
  if (d.links.length) {
    const active = d.links.filter((l) => !l.suggestionOnly);
    lines.push(active.length ? `${inner}links:` : `${inner}# links:`);
    for (const l of d.links) lines.push(`${inner}  ${linkLine(l)}`);
  }
  if (d.fields.length) {
    lines.push(`${inner}fields:`);
    for (const f of d.fields) lines.push(`${inner}  ${fieldLine(f)}`);
  }
  for (const s of d.suggestions) lines.push(`${inner}# ${oneLine(s)}`);
  return lines;
}

export interface MapHeader {
  /** Lines under `systems:` (without indentation). */
  systems: string[];
  /** References kept from the map the systems came from (default: env:DSAR_STATE_URL, env:DSAR_HMAC_KEY). */
  stateUrl?: string;
  hmacKey?: string;
}

/** A whole data map: settings, the systems, every table, and notes on what was left out. */
export function renderMap(draft: Draft, header: MapHeader): string {
  const out = [
    '# Written by `dsar datamap init` from the live systems. Each guess ends with a comment: how sure it is (high,',
    '# medium, low) and why. Review the masks, on_erase and the links marked low before the first erasure; then',
    '# `dsar datamap validate --live`. `dsar datamap init --merge` adds what appears later, keeping your edits.',
    'version: 1',
    '',
    'identities:',
    ...['email', ...draft.identities].map((t) => `  ${identityLine(t)}`),
    '',
    'state:',
    `  url: ${header.stateUrl ?? 'env:DSAR_STATE_URL'}      # ledger, holds and opt-outs: PostgreSQL when set, else .dsar/state.db`,
    '',
    'secrets:',
    `  hmac_key: ${header.hmacKey ?? 'env:DSAR_HMAC_KEY'}  # keys the hash and fake masks and extract pseudonyms`,
    '',
    'systems:',
    ...header.systems.map((s) => `  ${s}`),
    '',
    'tables:',
  ];
  draft.tables.forEach((t, i) => {
    if (i) out.push('');
    out.push(...tableEntry(t, 2));
  });
  if (!draft.tables.length) out.push('  {}');
  if (draft.notes.length) out.push('', ...draft.notes.map((n) => `# ${oneLine(n)}`));
  return out.join('\n') + '\n';
}
