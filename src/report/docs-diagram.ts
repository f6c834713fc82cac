// The inventory's diagram: systems as boxes holding their tables, links as arrows from the table holding the link
// column to the table it references (`owns` links dashed). Laid out by dagre, drawn as SVG text with no script
// and no external reference, so it shows inline in index.html and as diagram.svg beside inventory.md.
import dagre from '@dagrejs/dagre';
import type { DiagramLink, DiagramSystem, DiagramTable } from './docs-model.ts';
import { html, joinLines, trusted, type SafeHtml } from './html.ts';

/** Monospace text at 12px: ~7.3px a character, wide enough for any label without measuring fonts. */
const CHAR = 7.3;
const NODE_HEIGHT = 44;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DiagramLayout {
  width: number;
  height: number;
  systems: Array<{ system: DiagramSystem; box: Box }>;
  tables: Array<{ table: DiagramTable; box: Box; detail: string }>;
  links: Array<{ link: DiagramLink; points: Array<{ x: number; y: number }>; label: { x: number; y: number; text: string } }>;
}

const nodeId = (t: string) => `table:${t}`;
const clusterId = (s: string) => `system:${s}`;

function tableDetail(t: DiagramTable): string {
  if (!t.declared) return 'not declared';
  return [`${t.fields} field${t.fields === 1 ? '' : 's'}`, t.retention ? `retention ${t.retention}` : 'no retention rule'].join(' · ');
}

export function layoutDiagram(systems: DiagramSystem[], links: DiagramLink[]): DiagramLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 90, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  const details = new Map<string, string>();
  for (const s of systems) {
    g.setNode(clusterId(s.name), {});
    for (const t of s.tables) {
      const detail = tableDetail(t);
      details.set(t.id, detail);
      const width = Math.ceil(Math.max(t.table.length, detail.length) * CHAR) + 24;
      g.setNode(nodeId(t.id), { width, height: NODE_HEIGHT });
      g.setParent(nodeId(t.id), clusterId(s.name));
    }
  }
  links.forEach((l, i) => {
    const text = linkText(l);
    g.setEdge(nodeId(l.from), nodeId(l.to), { width: Math.ceil(text.length * CHAR * 0.9), height: 14, labelpos: 'c' }, `link${i}`);
  });
  dagre.layout(g);

  const boxOf = (id: string): Box => {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const layout: DiagramLayout = {
    width: Math.ceil(g.graph().width ?? 0),
    height: Math.ceil(g.graph().height ?? 0),
    systems: [],
    tables: [],
    links: [],
  };
  for (const s of systems) {
    if (s.tables.length === 0) continue; // a system with no declared table draws no box
    // dagre leaves ~50 px between a cluster's top and its first table: room for the system's name.
    layout.systems.push({ system: s, box: boxOf(clusterId(s.name)) });
    for (const t of s.tables) layout.tables.push({ table: t, box: boxOf(nodeId(t.id)), detail: details.get(t.id)! });
  }
  links.forEach((l, i) => {
    const e = g.edge({ v: nodeId(l.from), w: nodeId(l.to), name: `link${i}` }) as { points: Array<{ x: number; y: number }>; x: number; y: number };
    layout.links.push({ link: l, points: e.points, label: { x: e.x, y: e.y, text: linkText(l) } });
  });
  return layout;
}

function linkText(l: DiagramLink): string {
  return l.owns ? `${l.column} (owns)` : l.column;
}

const STYLE = `
.system rect{fill:#f6f8fa;stroke:#8c959f;stroke-width:1.2}
.system text{font:600 13px system-ui,sans-serif;fill:#24292f}
.table rect{fill:#fff;stroke:#0969da;stroke-width:1.4}
.table.undeclared rect{stroke:#cf222e;stroke-dasharray:4 3}
.table .name{font:600 12px ui-monospace,monospace;fill:#0a3069}
.table .detail{font:11px ui-monospace,monospace;fill:#57606a}
.link path{fill:none;stroke:#57606a;stroke-width:1.4}
.link.owns path{stroke:#8250df;stroke-dasharray:6 4}
.link text{font:11px ui-monospace,monospace;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:3px}
.link.owns text{fill:#8250df}
`;

/** The diagram as one `<svg>` element; every name is escaped. */
export function renderDiagramSvg(layout: DiagramLayout, opts: { standalone?: boolean } = {}): SafeHtml {
  const out: SafeHtml[] = [];
  const ns = opts.standalone ? trusted(' xmlns="http://www.w3.org/2000/svg"') : '';
  out.push(
    html`<svg${ns} class="diagram" role="img" aria-label="Systems, tables and links of the data map" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">`,
    html`<style>${trusted(STYLE)}</style>`,
    html`<defs>`,
    html`<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker>`,
    html`<marker id="arrow-owns" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10" fill="none" stroke="#8250df" stroke-width="1.5"/></marker>`,
    html`</defs>`,
  );
  for (const { system, box } of layout.systems) {
    out.push(
      html`<g class="system" data-system="${system.name}"><title>${`system ${system.name} (${system.kind})`}</title>`,
      html`<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="8"/>`,
      html`<text x="${n(box.x + 10)}" y="${n(box.y + 16)}">${system.name} <tspan font-weight="400" fill="#57606a">(${system.kind})</tspan></text></g>`,
    );
  }
  for (const { link, points, label } of layout.links) {
    const d = smoothPath(points);
    out.push(
      html`<g class="link${link.owns ? ' owns' : ''}" data-from="${link.from}" data-to="${link.to}"><title>${`${link.from}.${link.column} → ${link.to}.${link.references}${
        link.owns ? ' (owns: the referenced row belongs to this row’s subject)' : ''
      }`}</title>`,
      html`<path d="${d}" marker-end="url(#${link.owns ? 'arrow-owns' : 'arrow'})"/>`,
      html`<text x="${n(label.x)}" y="${n(label.y + 4)}" text-anchor="middle">${label.text}</text></g>`,
    );
  }
  for (const { table, box, detail } of layout.tables) {
    out.push(
      html`<g class="table${table.declared ? '' : ' undeclared'}" data-table="${table.id}"><title>${table.id}</title>`,
      html`<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="4"/>`,
      html`<text class="name" x="${n(box.x + 12)}" y="${n(box.y + 18)}">${table.table}</text>`,
      html`<text class="detail" x="${n(box.x + 12)}" y="${n(box.y + 34)}">${detail}</text></g>`,
    );
  }
  out.push(html`</svg>`);
  return joinLines(out);
}

/** A curve through dagre's control points: straight ends, rounded bends (each bend a quadratic to the next midpoint). */
function smoothPath(points: Array<{ x: number; y: number }>): string {
  const parts = [`M${n(points[0].x)},${n(points[0].y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    parts.push(`Q${n(p.x)},${n(p.y)} ${n((p.x + q.x) / 2)},${n((p.y + q.y) / 2)}`);
  }
  const last = points[points.length - 1];
  parts.push(`L${n(last.x)},${n(last.y)}`);
  return parts.join('');
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();
