// report.html of an export: a page for the data subject, grouped by the policy's categories, with the policy's own
// wording, the purposes and the retention of each place the data lives. One self-contained file: inline CSS, no
// scripts, no fonts, no network (html.ts's page shell); every value is HTML-escaped (html.ts's template).
import type { Row } from '../../connectors/connector.ts';
import type { DataMap, Duration, TableDef } from '../datamap/types.ts';
import { categoryOf, TABLE_PURPOSES, TOP_LEVEL, type Category } from '../datamap/taxonomy.ts';
import { exportValue } from './export-format.ts';
import { html, joinLines, page, type SafeHtml } from './html.ts';

export interface ExportReportTable {
  table: TableDef;
  rows: readonly Row[];
  /** Package paths of this table's data files. */
  files: string[];
}

export interface ExportReportInput {
  ticket: string;
  createdAt: string;
  toolVersion: string;
  map: DataMap;
  tables: readonly ExportReportTable[];
  /** Systems whose data could not be read, with why. */
  unreachable: ReadonlyArray<{ system: string; table?: string; message: string }>;
}

/** Distinct values of one field shown in the category view; the full data is in the data files. */
const MAX_VALUES = 50;
/** Rows per table shown in the records view. */
const MAX_ROWS = 500;

/** A value as the subject reads it: text, numbers and dates as they are, bytes by their size. */
function display(v: unknown): string {
  const x = exportValue(v);
  if (x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && x !== null && 'base64' in x && 'bytes' in x) return `(binary data, ${(x as { bytes: number }).bytes} bytes)`;
  return typeof x === 'object' ? JSON.stringify(x) : String(x);
}

const UNITS: Record<Duration['unit'], string> = { y: 'year', m: 'month', d: 'day', h: 'hour' };

export function describeRetention(map: DataMap, table: TableDef): string {
  const rule = table.retention ? map.retention[table.retention] : undefined;
  if (!rule) return 'No retention period is declared for this table.';
  const period = `${rule.keep.amount} ${UNITS[rule.keep.unit]}${rule.keep.amount === 1 ? '' : 's'}`;
  const then = rule.then === 'delete' ? 'deleted' : 'anonymized';
  return `Kept for ${period} after ${rule.after}, then ${then}.${rule.basis ? ` Basis: ${rule.basis}.` : ''}`;
}

function tablePurposes(table: TableDef): string[] {
  return table.purposes.map((p) => TABLE_PURPOSES[p] ?? p);
}

interface FieldView {
  table: ExportReportTable;
  column: string;
  values: string[];
  more: number;
}

/** Category -> the fields of that category that hold something of the subject. */
function fieldsByCategory(tables: readonly ExportReportTable[]): Map<string, { category: Category | undefined; fields: FieldView[] }> {
  const out = new Map<string, { category: Category | undefined; fields: FieldView[] }>();
  for (const t of tables) {
    const columns = new Set(t.rows.flatMap((r) => Object.keys(r)));
    for (const column of columns) {
      const field = t.table.fields[column];
      const category = field ? categoryOf(field.category) : undefined;
      const key = category?.name ?? 'uncategorized';
      const distinct = [...new Set(t.rows.map((r) => display(r[column])).filter((s) => s !== ''))];
      if (!out.has(key)) out.set(key, { category, fields: [] });
      out.get(key)!.fields.push({ table: t, column, values: distinct.slice(0, MAX_VALUES), more: Math.max(0, distinct.length - MAX_VALUES) });
    }
  }
  return out;
}

function list(items: string[]): SafeHtml {
  return items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<p class="muted">None declared.</p>`;
}

function fieldTable(map: DataMap, fields: FieldView[]): SafeHtml {
  const rows = fields.map(
    (f) =>
      html`<tr><td><code>${`${f.table.table.id}.${f.column}`}</code></td><td>${f.values.length ? f.values.map((v) => html`<div class="v">${v}</div>`) : html`<span class="muted">(empty)</span>`}${
        f.more ? html`<div class="muted">and ${f.more} more (see ${f.table.files.join(', ')})</div>` : ''
      }</td><td>${describeRetention(map, f.table.table)}</td><td>${tablePurposes(f.table.table).join('; ') || '—'}</td></tr>`,
  );
  return html`<table><thead><tr><th>Where</th><th>Your data</th><th>Retention</th><th>Table purposes</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function categoriesSection(input: ExportReportInput): SafeHtml {
  const byCategory = fieldsByCategory(input.tables);
  const parts: SafeHtml[] = [];
  for (const top of TOP_LEVEL) {
    const members = [...byCategory].filter(([name]) => name === top.name || name.startsWith(top.name + '.'));
    if (!members.length) continue;
    parts.push(html`<section><h2>${top.title}</h2><blockquote>${top.policy}</blockquote><h4>Why we use it</h4>${list(top.purposes)}`);
    for (const [name, { category, fields }] of members) {
      const c = category!;
      parts.push(
        html`<h3>${c.title} <small><code>${name}</code></small></h3>${
          c.name !== top.name ? html`<blockquote>${c.policy}</blockquote><p><b>Purposes:</b> ${c.purposes.join('; ') || '—'}</p>` : ''
        }${fieldTable(input.map, fields)}`,
      );
    }
    parts.push(html`</section>`);
  }
  const other = byCategory.get('uncategorized');
  if (other) {
    // Identifiers, dates and technical columns: named per table; their values are in the records below.
    const byTable = new Map<ExportReportTable, string[]>();
    for (const f of other.fields) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f.column]);
    const rows = [...byTable].map(([t, cols]) => html`<tr><td><code>${t.table.id}</code></td><td>${cols.join(', ')}</td><td>${describeRetention(input.map, t.table)}</td></tr>`);
    parts.push(
      html`<section><h2>Other recorded data</h2><p>Identifiers, dates and other columns of your records that are not in a category above; their values are listed under “All records”.</p><table><thead><tr><th>Where</th><th>Columns</th><th>Retention</th></tr></thead><tbody>${rows}</tbody></table></section>`,
    );
  }
  return joinLines(parts);
}

function recordsSection(input: ExportReportInput): SafeHtml {
  return joinLines(
    input.tables.map((t) => {
      const cols = [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
      const shown = t.rows.slice(0, MAX_ROWS);
      const head = cols.map((c) => html`<th>${c}</th>`);
      const body = shown.map((r) => html`<tr>${cols.map((c) => html`<td>${display(r[c])}</td>`)}</tr>`);
      return html`<section><h3><code>${t.table.id}</code> — ${t.rows.length} record${t.rows.length === 1 ? '' : 's'}</h3><p>${describeRetention(input.map, t.table)} Files: ${t.files.join(', ')}.</p>${
        t.rows.length > MAX_ROWS ? html`<p class="muted">The first ${MAX_ROWS} records are shown; all of them are in the files.</p>` : ''
      }<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></section>`;
    }),
  );
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.2rem}h3{margin-top:1.4rem}
blockquote{margin:.5rem 0;padding:.4rem .9rem;border-left:4px solid #8c959f;background:#f6f8fa;font-style:italic}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f6f8fa}.v{white-space:pre-wrap}.muted{color:#57606a}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem .9rem}
.scroll{overflow-x:auto}code{font-size:.85rem}small{font-weight:normal;color:#57606a}
`;

export function renderExportReport(input: ExportReportInput): string {
  const total = input.tables.reduce((n, t) => n + t.rows.length, 0);
  const systems = [...new Set(input.tables.map((t) => t.table.system))];
  const warning = input.unreachable.length
    ? html`<div class="warn"><b>Incomplete:</b> these systems could not be read when this export was made, so their data is missing: ${input.unreachable
        .map((u) => (u.table ? `${u.system}.${u.table}` : u.system))
        .join(', ')}.</div>`
    : '';
  return page({
    title: `Your personal data — request ${input.ticket}`,
    css: CSS,
    body: html`<h1>Your personal data</h1>
<p>Request <b>${input.ticket}</b>, prepared ${input.createdAt}. We found <b>${total}</b> record${total === 1 ? '' : 's'} about you in ${input.tables.length} table${input.tables.length === 1 ? '' : 's'} of ${systems.length} system${systems.length === 1 ? '' : 's'}.
The complete data is in the <code>data/</code> folder beside this page, as JSON and CSV; <code>manifest.json</code> lists every file with its SHA-256 checksum.</p>
${warning}
<h2>By kind of data</h2>
${total ? categoriesSection(input) : html`<p>We hold no records about you.</p>`}
<h2>All records</h2>
${recordsSection(input)}
<p class="muted">Generated by dsar ${input.toolVersion}.</p>`,
  });
}
