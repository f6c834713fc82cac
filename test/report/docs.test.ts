// `dsar datamap docs`: the inventory's content, its escaping, and that it needs no network.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { escapeMarkdown } from '../../src/report/docs-markdown.ts';
import { docsMapDir } from './docs-fixture.ts';

let dir: string;
let datamap: string;
let out: string;

beforeEach(() => {
  ({ dir, datamap } = docsMapDir());
  out = path.join(dir, 'inventory');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function docs(): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', datamap, '--log-level', 'silent', 'datamap', 'docs', '--out', out], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

const read = (name: string) => readFileSync(path.join(out, name), 'utf8');

/** The Markdown table under a `### ` heading, as rows of cells. */
function sectionRows(md: string, heading: string): string[][] {
  const start = md.indexOf(`### ${heading}`);
  expect(start).toBeGreaterThan(-1);
  const lines = md.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')) + 2);
  return table.slice(0, table.findIndex((l) => !l.startsWith('|'))).map((l) => l.slice(2, -2).split(' | '));
}

describe('dsar datamap docs', () => {
  test('writes index.html, inventory.md and diagram.svg and says where', async () => {
    const { code, stdout } = await docs();
    expect(code).toBe(0);
    expect(stdout).toContain('data inventory: 3 systems, 5 tables, 3 links, 4 categories\n');
    for (const f of ['index.html', 'inventory.md', 'diagram.svg']) expect(stdout).toContain(path.join(out, f));
  });

  test('a table per category: where it lives, mask, erasure, retention, legal basis and purposes from the policy', async () => {
    await docs();
    const md = read('inventory.md');
    expect(sectionRows(md, 'Email address')).toEqual([
      [
        '`app.users.email` (identifies)',
        '`contact.email`',
        'hash',
        'anonymize',
        'inactive-account: 3 years after last\\_seen\\_at, then anonymize',
        'not declared',
        'manage your account and customer service; send confirmations, invoices and notices; communicate about promotions and news; address technical issues and deter fraud',
      ],
      [
        '`mailchimp.members.email_address` (identifies)',
        '`contact.email`',
        'hash',
        'delete',
        'none declared',
        'not declared',
        'communicate \\(by email, text message, telephone, or mail\\) about promotions, upcoming events, and other news',
      ],
    ]);
    expect(sectionRows(md, 'Postal address').map((r) => [r[0], r[1], r[2]])).toEqual([
      ['`app.users.zip` (identifies)', '`contact.address.postal`', 'generalize \\(prefix 3\\)'],
      ['`app.addresses.street` (identifies)', '`contact.address`', 'redact \\(marker \\<script\\>alert\\(1\\)\\</script\\>\\)'],
    ]);
    expect(sectionRows(md, 'Name').map((r) => [r[0], r[4], r[5]])).toEqual([
      ['`app.users.full_name` (identifies)', 'inactive-account: 3 years after last\\_seen\\_at, then anonymize', 'not declared'],
      ['`app.orders.shipping_name` (identifies)', 'tax-records: 7 years after created\\_at, then anonymize', 'legal-obligation \\(tax \\<records\\> &amp; "receipts" \\| 1\\)'],
    ]);
    expect(md).toContain('> We collect your full name (first and last name)'.replace(/[()]/g, (c) => `\\${c}`));
    expect(md).toContain('| `app.orders.shipping_address_id` | `app.addresses.id` | owns: the referenced row belongs to this row\'s subject |');
    expect(md).toContain('### Categories with nothing declared');
    expect(md).toMatch(/`billing\.card` \(Payment card \\\(must not exist\\\)\)/);
  });

  test('the same categories, in the same order, in index.html', async () => {
    await docs();
    const html = read('index.html');
    const md = read('inventory.md');
    const htmlSections = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    const mdSections = [...md.matchAll(/^### .* \(`([^`]+)`\)$/gm)].map((m) => m[1]);
    expect(htmlSections).toEqual(['identity.name', 'contact.email', 'contact.address', 'billing.processor-ref']);
    expect(mdSections).toEqual(htmlSections);
  });

  test('every name and text from the data map is escaped', async () => {
    await docs();
    const html = read('index.html');
    expect(html).not.toContain('<script');
    expect(html).toContain('redact (marker &lt;script&gt;alert(1)&lt;/script&gt;)');
    expect(html).toContain('legal-obligation (tax &lt;records&gt; &amp; &quot;receipts&quot; | 1)');
    expect(read('diagram.svg')).not.toContain('<script');
    expect(escapeMarkdown('a|b <i>*x*</i>\nnext')).toBe('a\\|b \\<i\\>\\*x\\*\\</i\\> next');
  });

  test('index.html is self-contained: inline CSS and SVG, no script, nothing fetched', async () => {
    await docs();
    const html = read('index.html');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toMatch(/<svg class="diagram"/);
    expect(html).not.toMatch(/<(script|link|img|iframe|object)\b/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)/);
  });

  test('an unwritable --out is bad input', async () => {
    out = path.join(datamap, 'inventory'); // under a file
    const { code, stderr } = await docs();
    expect([code, stderr]).toEqual([2, `dsar: --out ${out}: cannot write the inventory (ENOTDIR: not a directory, mkdir '${out}')\n`]);
  });
});
