// `dsar datamap docs [--out DIR]`: writes the data inventory (index.html, inventory.md, diagram.svg) from the data
// map alone; no system is contacted.
import { mkdirSync } from 'node:fs';
import { writeWholeFile } from '../../extract/writer.ts';
import path from 'node:path';
import type { CliContext, GlobalArgs } from '../command.ts';
import { loadDataMap } from '../../datamap/load.ts';
import { UsageError } from '../../errors.ts';
import { layoutDiagram, renderDiagramSvg } from '../../report/docs-diagram.ts';
import { renderInventoryHtml } from '../../report/docs-html.ts';
import { renderInventoryMarkdown } from '../../report/docs-markdown.ts';
import { buildInventory } from '../../report/docs-model.ts';

export interface DocsArgs {
  out: string;
}

export async function docsCommand(args: GlobalArgs & DocsArgs, ctx: CliContext): Promise<number> {
  const map = loadDataMap(path.resolve(args.datamap));
  const inventory = buildInventory(map);
  const diagram = layoutDiagram(inventory.systems, inventory.links);
  const out = path.resolve(args.out);
  const files = {
    'index.html': renderInventoryHtml(inventory, diagram),
    'inventory.md': renderInventoryMarkdown(inventory, 'diagram.svg'),
    'diagram.svg': renderDiagramSvg(diagram, { standalone: true }).text + '\n',
  };
  try {
    mkdirSync(out, { recursive: true });
    // Each file beside its target and renamed over it: a planted symlink is replaced, never written through.
    for (const [name, text] of Object.entries(files)) await writeWholeFile(path.join(out, name), text);
  } catch (err) {
    throw new UsageError(`--out ${args.out}: cannot write the inventory (${(err as Error).message})`);
  }
  const summary = {
    ok: true,
    out,
    files: Object.keys(files).map((f) => path.join(out, f)),
    systems: inventory.systems.length,
    tables: diagram.tables.filter((t) => t.table.declared).length,
    links: inventory.links.length,
    categories: inventory.categories.map((c) => c.name),
  };
  ctx.out.result(summary, (s) =>
    [
      `data inventory: ${s.systems} systems, ${s.tables} tables, ${s.links} links, ${s.categories.length} categories`,
      ...s.files.map((f) => `  ${f}`),
    ].join('\n'),
  );
  ctx.log.info({ out, tables: summary.tables, categories: summary.categories.length }, 'data inventory written');
  return 0;
}
