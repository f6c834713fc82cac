// HTML built by one tagged template: every value interpolated into html`...` is escaped unless it is itself the
// result of html`...` (or of trusted(), for markup this code writes: CSS, SVG drawn from numbers). Arrays are
// joined with each element treated the same way. So a forgotten escape cannot happen, and neither can escaping
// twice. Why not html-template-tag (5.0): it joins arrays without escaping their strings and returns plain strings,
// so a nested template is escaped again unless marked with `$${}`: either mistake is easy and silent there.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Markup that is already safe to write as it is. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Fragments one per line. */
export function joinLines(parts: readonly SafeHtml[]): SafeHtml {
  return new SafeHtml(parts.map((p) => p.text).join('\n'));
}

/** Markup this code wrote itself (a stylesheet, an SVG drawn from numbers), never data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export interface Page {
  title: string;
  /** The page's stylesheet (inline: the pages are single files). */
  css: string;
  body: SafeHtml;
  /** Allow data: images (inline SVG charts need none; a chart as an image would). */
  dataImages?: boolean;
}

/**
 * The one page shell of dsar's reports: self-contained, no scripts, no fonts, no network (a Content-Security-Policy
 * forbids any fetch).
 */
export function page(p: Page): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'${p.dataImages ? '; img-src data:' : ''}`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${trusted(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title}</title>
<style>${trusted(p.css)}</style>
</head>
<body>
${p.body}
</body>
</html>
`.text;
}
