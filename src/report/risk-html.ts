// html`<file>.risk.html`: the risk report for a reader. One self-contained page: inline CSS and an inline SVG chart of
// the equivalence-class (or cell) sizes; no scripts, no fonts, no network (html.ts's page shell); every text is
// HTML-escaped (html.ts's template).
import { html, joinLines, page, type SafeHtml } from './html.ts';
import type { RiskReport } from './risk-json.ts';

interface Bar {
  label: string;
  written: number;
  suppressed: number;
}

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde1e8;padding-bottom:.25rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{text-align:left;padding:.25rem .75rem .25rem 0;vertical-align:top}
table.kv th{font-weight:500;color:#4a5263;width:22rem}code{font-size:.9em}.muted{color:#6b7385}
svg text{font:11px system-ui,sans-serif;fill:#4a5263}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
`;

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const n = (x: number) => x.toLocaleString('en-US');
const risk = (x: number) => (x ? `${x.toFixed(4)} (1 in ${n(Math.round(1 / x))})` : '0');

export function renderRiskHtml(r: RiskReport): string {
  const rows = (pairs: Array<[string, string]>) => html`<table class="kv">${pairs.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>`;
  const parts: SafeHtml[] = [];
  parts.push(html`<h1>Risk report: <code>${r.extract}</code></h1>`);
  parts.push(
    html`<p class="muted">${r.kind === 'record' ? 'Record-level extract' : 'Aggregate extract'} of <code>${`${r.source.system}.${r.source.table}`}</code>, written ${r.createdAt} by dsar ${r.toolVersion}.</p>`,
  );
  parts.push(html`<h2>Data</h2>`);
  parts.push(
    rows([
      ['file', r.data.file],
      ['format', r.data.format],
      ['rows written', n(r.data.rows)],
      ['SHA-256', r.data.sha256],
      ['filter', r.source.where.length ? r.source.where.map((w) => `${w.column} ${w.op}`).join(' and ') : 'none'],
      ['opt-outs excluded', r.source.excludeOptouts ? `${r.source.excludeOptouts} (${n(r.source.optedOutValuesExcluded)} identity value(s) found and excluded)` : 'not asked'],
      ['privacy asked', r.dp ? `differential privacy: ${r.dp.mechanism}, epsilon ${r.dp.epsilon}${r.dp.delta ? `, delta ${r.dp.delta}` : ''}` : privacyAsked(r.privacy)],
    ]),
  );

  if (r.dp) {
    const x = r.dp;
    parts.push(html`<h2>Differential privacy</h2>`);
    parts.push(
      rows([
        ['mechanism', `${x.mechanism}${x.rho !== undefined ? ` (zCDP rho ${x.rho.toPrecision(4)})` : ''}`],
        ['epsilon / delta of this release', `${x.epsilon} / ${x.delta}`],
        ['cells one subject may change', n(x.maxCellsPerSubject)],
        ['cells published', x.cells.from === 'domain' ? `${n(x.cells.published)}: every cell of the declared domain, empty ones too` : `${n(x.cells.published)}: those whose noisy count reached ${n(x.cells.threshold ?? 0)}`],
        [`budget ${x.budget.group} (per ${x.budget.per})`, `spent epsilon ${+x.budget.spent.epsilon.toPrecision(6)}, delta ${+x.budget.spent.delta.toPrecision(6)}; left epsilon ${+x.budget.left.epsilon.toPrecision(6)}, delta ${+x.budget.left.delta.toPrecision(6)}`],
      ]),
    );
    parts.push(
      html`<table><tr><th>query</th><th>measures</th><th>noise</th><th>standard deviation</th><th>95% of values within</th></tr>${x.queries
        .map((q) => html`<tr><td>${q.query}</td><td>${q.measures.join(', ')}</td><td>${`${q.noise} ${+q.scale.toPrecision(6)}`}</td><td>${String(+q.sd.toPrecision(6))}</td><td>±${String(q.interval95)}</td></tr>`)
        }</table>`,
    );
    parts.push(html`<p class="muted">${x.note}</p>`);
  }

  if (!r.dp) {
    parts.push(html`<h2>Generalization</h2>`);
    parts.push(
      html`<table><tr><th>column</th><th>level</th><th>written as</th><th>information loss</th></tr>${r.generalization.columns
        .map((c) => html`<tr><td><code>${c.column}</code></td><td>${c.level} of ${c.height}</td><td>${c.step}</td><td>${pct(c.loss)}</td></tr>`)
        }</table>`,
    );
    parts.push(
      rows([
        ['information loss', `${pct(r.generalization.informationLoss)} (${r.generalization.lossMetric})`],
        ['search', r.generalization.search.method],
      ]),
    );
  }

  if (r.record) {
    const x = r.record;
    parts.push(html`<h2>Re-identification risk (prosecutor model)</h2>`);
    parts.push(
      rows([
        ['k achieved (smallest class written)', n(x.kAchieved)],
        ...(x.lAchieved !== undefined ? [['l achieved (fewest distinct sensitive values in a class)', n(x.lAchieved)] as [string, string]] : []),
        ['rows in / written / suppressed', `${n(x.rowsIn)} / ${n(x.rowsOut)} / ${n(x.rowsSuppressed)} (${pct(x.rowsIn ? x.rowsSuppressed / x.rowsIn : 0)})`],
        ['classes written / suppressed', `${n(x.classesOut)} / ${n(x.classesSuppressed)}`],
        ['discernibility (each row costs its class size; a suppressed row, the source size)', n(x.utility.discernibility)],
        ['average class size (and divided by k)', `${x.utility.averageClassSize.toFixed(2)} (${x.utility.averageClassSizeNormalized.toFixed(2)})`],
        [
          'non-uniform entropy (bits lost; 0 = as read, 100% = every value *)',
          x.utility.nonUniformEntropy ? `${n(Math.round(x.utility.nonUniformEntropy.bits))} bits (${pct(x.utility.nonUniformEntropy.normalized)})` : 'not computed: the database answered the search',
        ],
        ['highest risk of a record written', risk(x.output.max)],
        ['average risk of a record written', risk(x.output.average)],
        [`records written at risk above 1/k`, pct(x.output.shareAboveThreshold)],
        ['before suppression: highest / average risk', `${risk(x.beforeSuppression.max)} / ${risk(x.beforeSuppression.average)}`],
        [`before suppression: records at risk above 1/k`, pct(x.beforeSuppression.shareAboveThreshold)],
      ]),
    );
    parts.push(html`<h2>Equivalence-class sizes</h2>`);
    const bars = binned(x.classSizes.map((c) => ({ size: c.size, count: c.classes, suppressed: c.suppressed })));
    parts.push(chart(bars, 'rows in the class', 'classes'));
  }

  if (r.aggregate) {
    const x = r.aggregate;
    parts.push(html`<h2>Small-cell suppression</h2>`);
    parts.push(
      rows([
        ['cells', n(x.cells)],
        ['published', n(x.cellsPublished)],
        [`suppressed: fewer than k = ${r.privacy.k} subjects`, n(x.cellsSuppressedPrimary)],
        ['suppressed: to protect them in the totals row', n(x.cellsSuppressedSecondary)],
        ['fewest subjects behind a published cell', n(x.smallestPublishedCell)],
        ['totals row', x.totalsSuppressed ? 'suppressed (the whole population is under k subjects)' : 'published; the suppressed cells cannot be recovered from it by subtraction'],
      ]),
    );
    if (x.suppressedCells.length) {
      const columns = Object.keys(x.suppressedCells[0].group);
      const shown = x.suppressedCells.slice(0, 1000);
      parts.push(
        html`<h3>Suppressed cells</h3><table><tr>${columns.map((c) => html`<th>${c}</th>`)}<th>why</th></tr>${shown
          .map((s) => html`<tr>${columns.map((c) => html`<td>${String(s.group[c] ?? '')}</td>`)}<td>${s.reason === 'primary' ? 'fewer than k subjects' : 'protects another suppressed cell'}</td></tr>`)
          }</table>${x.suppressedCells.length > shown.length ? html`<p class="muted">and ${n(x.suppressedCells.length - shown.length)} more (see the .risk.json file)</p>` : ''}`,
      );
    }
    parts.push(html`<h2>Published cell sizes</h2>`);
    parts.push(chart(binned(x.cellSizes.map((c) => ({ size: c.subjects, count: c.cells, suppressed: false }))), 'subjects in the cell', 'cells'));
  }

  return page({ title: `Risk report: ${r.extract}`, css: CSS, body: joinLines(parts), dataImages: true });
}


/** One bar per size while there are few sizes, else bins growing 1-2-5 (1, 2, 3-4, 5-9, 10-19, 20-49, ...). */
function binned(sizes: ReadonlyArray<{ size: number; count: number; suppressed: boolean }>): Bar[] {
  const distinct = [...new Set(sizes.map((s) => s.size))].sort((a, b) => a - b);
  const edges: number[] = distinct.length <= 24 ? distinct : logEdges(distinct[distinct.length - 1]);
  const bars = edges.map((lo, i): Bar & { lo: number; hi: number } => {
    const hi = distinct.length <= 24 ? lo : (edges[i + 1] ?? Infinity) - 1;
    return { lo, hi, label: lo === hi ? n(lo) : hi === Infinity ? `${n(lo)}+` : `${n(lo)}–${n(hi)}`, written: 0, suppressed: 0 };
  });
  for (const s of sizes) {
    const bar = bars.find((b) => s.size >= b.lo && s.size <= b.hi);
    if (!bar) continue;
    if (s.suppressed) bar.suppressed += s.count;
    else bar.written += s.count;
  }
  return bars.filter((b) => b.written || b.suppressed);
}

function logEdges(max: number): number[] {
  const edges = [1, 2, 3];
  for (let p = 1; edges[edges.length - 1] <= max; p *= 10) edges.push(5 * p, 10 * p, 20 * p);
  return [...new Set(edges)].filter((x, i, all) => i === 0 || all[i - 1] <= max);
}

/** A stacked bar chart (written, suppressed) as inline SVG. */
function chart(bars: readonly Bar[], xTitle: string, yTitle: string): SafeHtml {
  if (!bars.length) return html`<p class="muted">Nothing to chart: no rows.</p>`;
  const width = 760;
  const height = 260;
  const left = 56;
  const bottom = 46;
  const top = 12;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const max = Math.max(...bars.map((b) => b.written + b.suppressed));
  const slot = plotW / bars.length;
  const barW = Math.max(2, Math.min(48, slot * 0.75));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const rotate = bars.length > 12;
  const shapes = bars.map((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const tip = `${b.label}: ${n(b.written)} written${b.suppressed ? `, ${n(b.suppressed)} suppressed` : ''}`;
    const written = b.written ? html`<rect x="${x.toFixed(1)}" y="${y(b.written).toFixed(1)}" width="${barW.toFixed(1)}" height="${(plotH - (y(b.written) - top)).toFixed(1)}" fill="#3b6fd8"><title>${tip}</title></rect>` : '';
    const sTop = y(b.written + b.suppressed);
    const suppressed = b.suppressed ? html`<rect x="${x.toFixed(1)}" y="${sTop.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(b.written) - sTop).toFixed(1)}" fill="#d8553b"><title>${tip}</title></rect>` : '';
    const lx = x + barW / 2;
    const ly = top + plotH + 14;
    const label = html`<text x="${lx.toFixed(1)}" y="${ly}" text-anchor="${rotate ? 'end' : 'middle'}"${rotate ? html` transform="rotate(-40 ${lx.toFixed(1)} ${ly})"` : ''}>${b.label}</text>`;
    return html`${written}${suppressed}${label}`;
  });
  const axis = html`<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#9aa1b0"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#9aa1b0"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end">${n(max)}</text><text x="${left - 6}" y="${top + plotH}" text-anchor="end">0</text>
<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${yTitle}</text>
<text x="${left + plotW / 2}" y="${height - 2}" text-anchor="middle">${xTitle}</text>`;
  const anySuppressed = bars.some((b) => b.suppressed);
  const legend = html`<p class="legend"><span style="background:#3b6fd8"></span>written${anySuppressed ? html`<span style="background:#d8553b"></span>suppressed` : ''}</p>`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${`${yTitle} by ${xTitle}`}">${axis}${shapes}</svg>${legend}`;
}

/** `k = 10, entropy l = 2, t = 0.2, at most 5% suppressed` */
function privacyAsked(p: RiskReport['privacy']): string {
  const parts = [`k = ${p.k}`];
  if (p.l !== null) parts.push(p.diversity === 'recursive' ? `recursive (c, l) = (${p.c}, ${p.l})` : `${p.diversity ?? 'distinct'} l = ${p.l}`);
  if (p.t !== undefined) parts.push(`t = ${p.t}`);
  return `${parts.join(', ')}, at most ${pct(p.maxSuppression)} suppressed`;
}
