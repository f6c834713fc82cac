// docs/datamap.md is a reference a user writes maps from, so its examples must be what dsar accepts and its lists
// must be the code's. Every ```yaml block is a complete data map that `dsar datamap validate` (no --live) accepts
// without a warning; every ```yaml invalid block prints exactly the ```text block that follows it; ```yaml fragment
// blocks are not checked. The names the code defines (masks, normalizers, bases, categories, ...) must all be there.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { LEGAL_BASES } from '../../src/datamap/basis.ts';
import { TOP_LEVEL_KEYS } from '../../src/datamap/load.ts';
import { NORMALIZERS } from '../../src/datamap/normalize.ts';
import { EXTRACT_ROLES, MEASURE_FNS, OPTOUT_SCOPES, OUTPUTS, WHERE_OPS } from '../../src/datamap/read-extracts.ts';
import { FILE_FORMATS, JOB_COMMANDS, SYSTEM_KINDS } from '../../src/datamap/read-settings.ts';
import { DEFAULT_MASK, ERASE_ACTIONS, MASKS } from '../../src/datamap/read-tables.ts';
import { CATEGORIES, TABLE_PURPOSES, TOP_LEVEL } from '../../src/datamap/taxonomy.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'datamap.md'), 'utf8');

interface Block {
  info: string;
  body: string;
  heading: string;
  line: number;
}

/** The fenced blocks of a Markdown text, each with the heading it sits under and the line it starts on. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`docs/datamap.md:${start + 1}: unclosed code block`);
    blocks.push({ info: open[1].trim(), body: body.join('\n') + '\n', heading, line: start + 1 });
  }
  return blocks;
}

const blocks = fencedBlocks(DOC);
const tmp = mkdtempSync(path.join(tmpdir(), 'dsar-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `dsar --datamap <dir>/datamap.yaml datamap validate` on the text, with stdout and stderr as one text, the directory left out. */
async function validate(text: string, n: number): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(path.join(tmp, `example-${n}-`));
  const file = path.join(dir, 'datamap.yaml');
  writeFileSync(file, text);
  let output = '';
  const code = await main(['--datamap', file, '--log-level', 'silent', 'datamap', 'validate'], {
    stdout: (s) => void (output += s),
    stderr: (s) => void (output += s),
  });
  return { code, output: output.split(dir + path.sep).join('') };
}

/** Test names: the heading, numbered when a heading holds several examples. */
function named(list: Block[]): Array<[string, Block, number]> {
  const seen = new Map<string, number>();
  return list.map((b) => {
    const count = (seen.get(b.heading) ?? 0) + 1;
    seen.set(b.heading, count);
    const many = list.filter((x) => x.heading === b.heading).length > 1;
    return [`${b.heading}${many ? ` (${count})` : ''}`, b, blocks.indexOf(b)];
  });
}

const KNOWN_INFO = new Set(['yaml', 'yaml invalid', 'yaml fragment', 'text', 'sh']);

test('every code block is tagged with a known kind, and every example is a whole map', () => {
  for (const b of blocks) {
    expect(KNOWN_INFO.has(b.info), `docs/datamap.md:${b.line}: unknown block tag \`${b.info}\``).toBe(true);
    if (b.info === 'yaml' || b.info === 'yaml invalid') expect(b.body.startsWith('version: 1\n'), `docs/datamap.md:${b.line}: an example starts with version: 1`).toBe(true);
  }
  expect(blocks.filter((b) => b.info === 'yaml').length).toBeGreaterThanOrEqual(8);
});

describe('valid examples: `dsar datamap validate` accepts each without a warning', () => {
  test.each(named(blocks.filter((b) => b.info === 'yaml')))('%s', async (_name, block, n) => {
    const { code, output } = await validate(block.body, n);
    const at = `docs/datamap.md:${block.line}`;
    expect(output, at).toMatch(/^datamap\.yaml: valid \(\d+ systems, \d+ tables, \d+ extracts, \d+ jobs\)\n$/);
    expect(code, at).toBe(0);
  });
});

describe('invalid examples: `dsar datamap validate` prints exactly what the doc shows', () => {
  test.each(named(blocks.filter((b) => b.info === 'yaml invalid')))('%s', async (_name, block, n) => {
    const shown = blocks[n + 1];
    expect(shown?.info, `docs/datamap.md:${block.line}: a yaml invalid block is followed by a text block with the output`).toBe('text');
    const { code, output } = await validate(block.body, n);
    const at = `docs/datamap.md:${block.line}`;
    expect(output, at).toBe(shown.body);
    // Errors (exit 2) are on stderr as `dsar: ...`; warnings leave the map valid (exit 0).
    expect(code, at).toBe(shown.body.startsWith('dsar: ') ? 2 : 0);
  });
});

/** Whether the doc names `word` in backticks. */
const mentions = (word: string) => DOC.includes('`' + word + '`');
const missing = (words: Iterable<string>) => [...words].filter((w) => !mentions(w));

describe('the doc names everything the code defines', () => {
  test('every mask, and the default of a field without one', () => {
    expect(missing(MASKS)).toEqual([]);
    expect(DOC).toContain(`| \`mask\` | mask name, or \`{ <mask>: { options } }\` | \`${DEFAULT_MASK}\` |`);
  });

  test('every identity normalizer', () => {
    expect(missing(NORMALIZERS)).toEqual([]);
    for (const n of NORMALIZERS) expect(DOC).toMatch(new RegExp(`^\\| \`${n}\` \\| `, 'm'));
  });

  test('every legal basis, with whether it keeps rows against erasure', () => {
    expect(missing(LEGAL_BASES.map((b) => b.id))).toEqual([]);
    for (const b of LEGAL_BASES) {
      expect(DOC).toContain(`| \`${b.id}\` | ${b.source} | ${b.overridesErasure ? 'yes' : 'no'} |`);
    }
  });

  test('every taxonomy category, with whether it identifies by default', () => {
    const all = [...TOP_LEVEL, ...CATEGORIES];
    expect(missing(all.map((c) => c.name))).toEqual([]);
    for (const c of all) expect(DOC).toContain(`| \`${c.name}\` | ${c.identifying ? 'yes' : 'no'} | ${c.title} |`);
    // No row for a category the code does not have.
    const rows = [...DOC.matchAll(/^\| `([a-z-]+(?:\.[a-z-]+)?)` \| (?:yes|no) \| /gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(all.map((c) => c.name).sort());
  });

  test('every top-level key, system kind, file format, erase action, purpose and job command', () => {
    expect(missing(TOP_LEVEL_KEYS)).toEqual([]);
    expect(missing(SYSTEM_KINDS)).toEqual([]);
    expect(missing(FILE_FORMATS)).toEqual([]);
    expect(missing(ERASE_ACTIONS)).toEqual([]);
    expect(missing(Object.keys(TABLE_PURPOSES))).toEqual([]);
    expect(missing(JOB_COMMANDS)).toEqual([]);
  });

  test('every extract role, measure function, where operator, output format and opt-out scope', () => {
    expect(missing(EXTRACT_ROLES)).toEqual([]);
    expect(missing(MEASURE_FNS)).toEqual([]);
    expect(missing(WHERE_OPS)).toEqual([]);
    expect(missing(OUTPUTS)).toEqual([]);
    expect(missing(OPTOUT_SCOPES)).toEqual([]);
  });
});
