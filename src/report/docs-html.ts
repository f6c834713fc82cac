// index.html of `dsar datamap docs`: the data inventory an auditor reads. One self-contained file: inline CSS and
// inline SVG, no script, no font, no network (html.ts's page shell); every name is escaped (html.ts's template).
import { renderDiagramSvg, type DiagramLayout } from './docs-diagram.ts';
import type { Inventory, InventoryLocation } from './docs-model.ts';
import { html, joinLines, page, type SafeHtml } from './html.ts';

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.2rem}h3{margin:1.6rem 0 .3rem}
blockquote{margin:.4rem 0;padding:.4rem .9rem;border-left:4px solid #8c959f;background:#f6f8fa;font-style:italic}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.88rem;table-layout:fixed}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}.muted{color:#57606a}code{font-size:.85rem}.scroll{overflow:auto;border:1px solid #d0d7de;border-radius:6px;background:#fff}
.legend{display:flex;gap:1.5rem;flex-wrap:wrap;font-size:.85rem;color:#57606a;margin:.4rem 0}.legend svg{vertical-align:middle}
.id{font-weight:600}
`;

export function renderInventoryHtml(inv: Inventory, diagram: DiagramLayout): string {
  const tables = inv.systems.reduce((n, s) => n + s.tables.filter((t) => t.declared).length, 0);
  const fields = inv.categories.reduce((n, c) => n + c.locations.length, 0) + inv.uncategorized.length;
  return page({
    title: `Data inventory — ${inv.file}`,
    css: CSS,
    body: html`<h1>Data inventory</h1>
<p>Where personal data lives, by the categories of the privacy policy: ${inv.systems.length} system${plural(inv.systems.length)}, ${tables} table${plural(tables)}, ${fields} field${plural(fields)} with personal data.
Generated ${inv.generatedAt} from <code>${inv.file}</code> (SHA-256 <code>${inv.hash}</code>).</p>
<h2>Systems, tables and links</h2>
<div class="legend">
<span><svg width="46" height="10"><path d="M2,5H40" stroke="#57606a" stroke-width="1.4"/><path d="M36,1L44,5L36,9z" fill="#57606a"/></svg> a row belongs to the subject of the row it references</span>
<span><svg width="46" height="10"><path d="M2,5H40" stroke="#8250df" stroke-width="1.4" stroke-dasharray="6 4"/><path d="M36,1L44,5L36,9" fill="none" stroke="#8250df" stroke-width="1.5"/></svg> <b>owns</b>: the referenced row belongs to this row's subject (followed one way only)</span>
</div>
<div class="scroll">
${diagram.tables.length ? renderDiagramSvg(diagram) : html`<p class="muted">No tables are declared.</p>`}
</div>
<h2>By category</h2>
${joinLines(inv.categories.map(categorySection))}
${inv.uncategorized.length ? html`<h3>Not in the taxonomy</h3>\n${locationsTable(inv.uncategorized, '')}` : ''}
${
  inv.unused.length
    ? html`<h3>Categories with nothing declared</h3>\n<p class="muted">${inv.unused.map((c, i) => html`${i ? ', ' : ''}<code>${c.name}</code> (${c.title})`)}</p>`
    : ''
}`,
  });
}

function categorySection(c: Inventory['categories'][number]): SafeHtml {
  return html`<section id="${c.name}">
<h3>${c.title} <code>${c.name}</code></h3>
<blockquote>${c.policy}</blockquote>
<p class="muted">Used to: ${c.purposes.length ? c.purposes.join('; ') : 'nothing: this data must not exist'}.</p>
${locationsTable(c.locations, c.name)}
</section>`;
}

/** `section`: the category the table is about; a field of a deeper category shows its own name. */
function locationsTable(rows: InventoryLocation[], section: string): SafeHtml {
  const body = joinLines(
    rows.map(
      (l) =>
        html`<tr><td><code>${l.where}</code>${l.identifying ? html` <span class="id" title="identifies the subject">ID</span>` : ''}${
          l.category !== section ? html`<br><small class="muted">${l.category}</small>` : ''
        }</td><td>${l.mask}</td><td>${l.onErase}</td><td>${l.retention ?? 'none declared'}</td><td>${l.basis ?? 'not declared'}</td><td>${l.purposes.join('; ')}</td></tr>`,
    ),
  );
  return html`<table>
<colgroup><col style="width:22%"><col style="width:11%"><col style="width:9%"><col style="width:20%"><col style="width:14%"><col style="width:24%"></colgroup>
<thead><tr><th>Where (system.table.column)</th><th>Mask</th><th>On erasure</th><th>Retention</th><th>Legal basis</th><th>Purposes</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

const plural = (n: number) => (n === 1 ? '' : 's');
