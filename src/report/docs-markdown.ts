// inventory.md of `dsar datamap docs`: the same inventory as index.html, for a repository or a wiki. The diagram
// is diagram.svg beside it, and its links are also listed as text.
import type { Inventory, InventoryLocation } from './docs-model.ts';

/** Text safe in a Markdown table cell: no pipe, no line break, no markup, no HTML. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|')}\``;

export function renderInventoryMarkdown(inv: Inventory, diagramFile = 'diagram.svg'): string {
  const out: string[] = [];
  out.push(
    '# Data inventory',
    '',
    `Where personal data lives, by the categories of the privacy policy. Generated ${inv.generatedAt} from ${code(inv.file)} (SHA-256 ${code(inv.hash)}).`,
    '',
    '## Systems, tables and links',
    '',
    `![Systems, tables and links](${diagramFile})`,
    '',
  );
  for (const s of inv.systems) {
    out.push(`- **${escapeMarkdown(s.name)}** (${escapeMarkdown(s.kind)}): ${s.tables.length ? s.tables.map((t) => code(t.table) + (t.declared ? '' : ' (not declared)')).join(', ') : 'no tables declared'}`);
  }
  if (inv.links.length) {
    out.push('', '| from | to | kind |', '|---|---|---|');
    for (const l of inv.links) {
      out.push(
        `| ${code(`${l.from}.${l.column}`)} | ${code(`${l.to}.${l.references}`)} | ${
          l.owns ? "owns: the referenced row belongs to this row's subject" : 'belongs to the subject of the referenced row'
        } |`,
      );
    }
  }
  out.push('', '## By category');
  for (const c of inv.categories) {
    out.push(
      '',
      `### ${escapeMarkdown(c.title)} (${code(c.name)})`,
      '',
      `> ${escapeMarkdown(c.policy)}`,
      '',
      `Used to: ${c.purposes.length ? escapeMarkdown(c.purposes.join('; ')) : 'nothing: this data must not exist'}.`,
      '',
      ...locationsTable(c.locations),
    );
  }
  if (inv.uncategorized.length) out.push('', '### Not in the taxonomy', '', ...locationsTable(inv.uncategorized));
  if (inv.unused.length) {
    out.push('', '### Categories with nothing declared', '', inv.unused.map((c) => `${code(c.name)} (${escapeMarkdown(c.title)})`).join(', '));
  }
  return out.join('\n') + '\n';
}

function locationsTable(rows: InventoryLocation[]): string[] {
  return [
    '| where (system.table.column) | category | mask | on erasure | retention | legal basis | purposes |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (l) =>
        `| ${code(l.where)}${l.identifying ? ' (identifies)' : ''} | ${code(l.category)} | ${escapeMarkdown(l.mask)} | ${l.onErase} | ${escapeMarkdown(
          l.retention ?? 'none declared',
        )} | ${escapeMarkdown(l.basis ?? 'not declared')} | ${escapeMarkdown(l.purposes.join('; '))} |`,
    ),
  ];
}
