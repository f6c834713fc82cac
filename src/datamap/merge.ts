// Adds entries to a data map's text without changing a byte of what is there: new systems, identity types and
// tables, and new fields of declared tables, each inserted as lines after the last entry of its block (with that
// block's indentation). yaml's Document API says where each block starts and ends; nothing is re-serialized, so
// the user's comments, spacing and key order stay as written. Flow mappings (`{ ... }`) take entries without
// comments; a table written as a flow mapping is left alone and said so.
import { isMap, isPair, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.ts';

export interface Entry {
  /** The key, as `systems` / `tables` / `fields` hold it. */
  name: string;
  /** The entry's lines relative to its own indentation (the first line holds the key). */
  lines: string[];
}

export interface MapAdditions {
  systems?: Entry[];
  identities?: Entry[];
  tables?: Entry[];
  /** Per declared table (`system.table`), field lines to add under its `fields:`. */
  fields?: Map<string, Entry[]>;
}

export interface MergeResult {
  text: string;
  /** What could not be added, and why. */
  skipped: string[];
}

interface Edit {
  /** Replace source[at, end) with text; edits at one offset keep the order they were made in. */
  at: number;
  end: number;
  text: string;
}

export function mergeIntoMap(source: string, add: MapAdditions, file = 'datamap.yaml'): MergeResult {
  // Lines are added with the file's own line ending.
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const lines = (text: string) => text.replace(/\n/g, eol);
  const merged = mergeLf(source, add, file);
  return { text: merged.apply(lines), skipped: merged.skipped };
}

function mergeLf(source: string, add: MapAdditions, file: string): { apply: (eol: (text: string) => string) => string; skipped: string[] } {
  const doc = parseDocument(source, { keepSourceTokens: false });
  if (doc.errors.length) throw new UsageError(`${file}: cannot merge into a file that does not parse: ${doc.errors[0].message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new UsageError(`${file}: cannot merge: the file is not a mapping of sections`);
  const root = doc.contents as YAMLMap;
  const edits: Edit[] = [];
  const skipped: string[] = [];
  if (source !== '' && !source.endsWith('\n')) edits.push({ at: source.length, end: source.length, text: '\n' });

  // Sections the map lacks go at the very end, after whatever else is added to the file's last block.
  const newSections: Edit[] = [];
  const section = (name: string, entries: Entry[] | undefined) => {
    if (!entries?.length) return;
    const pair = pairOf(root, name);
    if (!pair) {
      newSections.push({ at: source.length, end: source.length, text: `\n${name}:\n${indent(entries, 2).join('\n')}\n` });
      return;
    }
    addToBlock(source, pair, entries, lineIndent(source, (pair.key as Node).range![0]) + 2, edits, `${file}: ${name}`, skipped);
  };
  section('systems', add.systems);
  section('identities', add.identities);

  // A declared table's new fields before new tables: the last table's fields end where the new tables begin.
  const tables = pairOf(root, 'tables')?.value;
  for (const [table, entries] of add.fields ?? []) {
    if (!entries.length) continue;
    const pair = isMap(tables) ? pairOf(tables, table) : undefined;
    if (!pair) continue;
    if (!isMap(pair.value) || pair.value.flow) {
      skipped.push(`tables.${table}: written on one line ({ ... }): add its fields by hand: ${entries.map((e) => e.name).join(', ')}`);
      continue;
    }
    const fields = pairOf(pair.value, 'fields');
    const tableIndent = lineIndent(source, (pair.key as Node).range![0]);
    if (fields) addToBlock(source, fields, entries, lineIndent(source, (fields.key as Node).range![0]) + 2, edits, `tables.${table}.fields`, skipped);
    else {
      const at = pastOwnComments(source, afterLine(source, lastEnd(pair.value)), tableIndent + 1);
      edits.push({ at, end: at, text: `${' '.repeat(tableIndent + 2)}fields:\n${indent(entries, tableIndent + 4).join('\n')}\n` });
    }
  }

  section('tables', add.tables);

  edits.push(...newSections);
  // From the end backwards, so offsets stay true; at one offset the later edit goes in first, the earlier before it.
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.at - a.e.at || b.i - a.i);
  return {
    skipped,
    apply: (eol) => {
      let out = source;
      for (const { e } of order) out = out.slice(0, e.at) + eol(e.text) + out.slice(e.end);
      return out;
    },
  };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
}

/** Adds entries to the block a key holds: after its last entry, or under the key when it holds nothing yet. */
function addToBlock(source: string, pair: Pair, entries: Entry[], fallbackIndent: number, edits: Edit[], where: string, skipped: string[]): void {
  const value = pair.value as Node | null;
  if (isMap(value) && value.items.length && !value.flow) {
    const blockIndent = lineIndent(source, (value.items[0].key as Node).range![0]);
    const at = pastOwnComments(source, afterLine(source, lastEnd(value)), blockIndent);
    // A blank line right after a block scalar (`|+`) would become part of its value: no leading blank lines there.
    const text = indent(entries, blockIndent).join('\n');
    edits.push({ at, end: at, text: (endsInBlockScalar(value) ? text.replace(/^\n+/, '') : text) + '\n' });
    return;
  }
  if (isMap(value) && value.flow && value.items.length) {
    // `{ a: ..., b: ... }`: before the closing brace, without comments (a comment would end the line).
    // Only one-line entries fit there (a field); a comment would end the line, so it is left out.
    const flat = entries.map((e) => e.lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).map((l) => l.replace(/\s+#.*$/, '').trim()));
    if (flat.some((l) => l.length !== 1)) return void skipped.push(`${where}: written on one line ({ ... }): add by hand: ${entries.map((e) => e.name).join(', ')}`);
    const at = lastEnd(value);
    edits.push({ at, end: at, text: `, ${flat.map((l) => l[0]).join(', ')}` });
    return;
  }
  // Nothing yet (`tables:` or `tables: {}`): the entries go on the lines under the key.
  const lineEnd = afterLine(source, (pair.key as Node).range![1]);
  if (isMap(value) && value.flow) edits.push({ at: value.range![0], end: value.range![1], text: '' });
  else if (value && !(isScalar(value) && value.value === null)) return void skipped.push(`${where}: holds something other than a mapping`);
  edits.push({ at: lineEnd, end: lineEnd, text: indent(entries, fallbackIndent).join('\n') + '\n' });
}

function endsInBlockScalar(node: Node): boolean {
  if (isMap(node) && node.items.length) {
    const v = (node.items[node.items.length - 1] as Pair).value as Node | null;
    return v ? endsInBlockScalar(v) : false;
  }
  return isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
}

/** Where the node's last value ends (before a trailing comment). */
function lastEnd(node: Node): number {
  if (isMap(node) && node.items.length) {
    const last = node.items[node.items.length - 1] as Pair;
    const v = last.value as Node | null;
    return v?.range ? Math.max(v.range[1], lastEnd(v)) : (last.key as Node).range![1];
  }
  return node.range![1];
}

/** The start of the line after the one holding offset `at` (a range may end just past its newline). */
function afterLine(source: string, at: number): number {
  if (at > 0 && source[at - 1] === '\n') return at;
  const nl = source.indexOf('\n', at);
  return nl < 0 ? source.length : nl + 1;
}

/**
 * Past the comment lines (and blank lines between them) at or beyond the block's indentation that follow its last
 * entry: they are the block's own tail (a commented-out field, a note), so new entries go after them.
 */
function pastOwnComments(source: string, at: number, blockIndent: number): number {
  let end = at;
  for (let pos = at; pos < source.length; ) {
    const m = /^( *)(#[^\r\n]*)?\r?(\n|$)/.exec(source.slice(pos));
    if (!m || m[0].length === 0) break;
    pos += m[0].length;
    if (m[2] === undefined) continue; // a blank line: look past it
    if (m[1].length < blockIndent) break;
    end = pos;
  }
  return end;
}

/** Spaces at the start of the line holding `at` (a key may follow an anchor or a tag: `&u app.users:`). */
function lineIndent(source: string, at: number): number {
  const start = source.lastIndexOf('\n', at - 1) + 1;
  return /^ */.exec(source.slice(start, at))![0].length;
}

function indent(entries: Entry[], n: number): string[] {
  const pad = ' '.repeat(n);
  return entries.flatMap((e) => e.lines.map((l) => (l === '' ? '' : pad + l)));
}
