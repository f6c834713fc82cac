// Reading `tables:`: keys, identities, links, fields with their category and mask, retention, children, purposes.
import type { Location } from '../errors.ts';
import { parseColumnRef, splitTableId } from './ids.ts';
import { type Entries, type Value, present, unknownMessage } from './reader.ts';
import { didYouMean } from './suggest.ts';
import { CATEGORIES, type DeclaredCategory, TABLE_PURPOSES, TOP_LEVEL, categoryOf, declaredCategoryOf, identifyingByDefault, inTaxonomy } from './taxonomy.ts';
import type { EraseAction, FieldDef, LinkDef, MaskName, TableDef } from './types.ts';

export const MASKS: readonly MaskName[] = ['null', 'redact', 'hash', 'fake', 'generalize', 'random', 'keep'];
export const ERASE_ACTIONS: readonly EraseAction[] = ['delete', 'anonymize', 'keep'];
/** A field without a `mask` is redacted (a fixed marker); `validate --live` reports columns a marker cannot fit. */
export const DEFAULT_MASK: MaskName = 'redact';
/** Age under which a subject is a child (the policy's "children under 13"). */
export const DEFAULT_CHILD_AGE = 13;

const TABLE_KEYS = ['key', 'identify', 'retention', 'on_erase', 'fields', 'links', 'child', 'purposes', 'unlinked'];

/** Options each mask takes (`mask: { generalize: { bucket: 10 } }`); masks not listed take none. */
const MASK_OPTIONS: Partial<Record<MaskName, Record<string, (v: Value) => unknown>>> = {
  generalize: {
    bucket: (v) => positive(v, 'a bucket width'),
    prefix: (v) => v.integer('a prefix length', 1),
  },
  redact: { marker: (v) => v.text('a marker text') },
};

function positive(v: Value, what: string): number | undefined {
  const n = v.number(what);
  if (n !== undefined && n <= 0) return void v.problem(`expected ${what} greater than 0, found ${v.describe()}`);
  return n;
}

export function readTables(v: Value | undefined, categories: Readonly<Record<string, DeclaredCategory>> = {}): Record<string, TableDef> {
  const out: Record<string, TableDef> = {};
  for (const { name, keyLoc, value } of v?.entries('tables') ?? []) {
    const parts = splitTableId(name);
    if (!parts) value.problem(`a table is named \`<system>.<table>\` (the table part without dots), found \`${name}\``, keyLoc);
    const table: TableDef = {
      id: name,
      system: parts?.system ?? name,
      table: parts?.table ?? '',
      key: [],
      identify: {},
      onErase: 'delete',
      fields: {},
      links: [],
      purposes: [],
      loc: keyLoc,
    };
    out[name] = table;
    const e = value.entries('a table', TABLE_KEYS);
    if (e) readTable(e, table, categories);
  }
  return out;
}

function readTable(e: Entries, table: TableDef, categories: Readonly<Record<string, DeclaredCategory>>): void {
  table.key = e.require('key', 'the primary key column, or a list of columns')?.names('a key column') ?? [];
  table.identify = readIdentify(e.get('identify'));
  const retention = e.get('retention');
  if (retention && !retention.isNull) table.retention = retention.text('a retention rule name');
  const onErase = e.get('on_erase');
  if (onErase && !onErase.isNull) table.onErase = onErase.oneOf(ERASE_ACTIONS, '`on_erase` action') ?? 'delete';
  for (const { name, keyLoc, value } of present(e.get('fields'))?.entries('fields (column: { category, mask })') ?? []) {
    table.fields[name] = readField(name, keyLoc, value, categories);
  }
  table.links = (present(e.get('links'))?.items('links') ?? []).flatMap((item) => readLink(item) ?? []);
  const child = present(e.get('child'));
  if (child) {
    const c = child.entries('a child rule ({ column, under })', ['column', 'under']);
    const column = c?.require('column', 'the birth date column')?.text('a column name');
    const under = c?.get('under');
    if (column !== undefined) table.child = { column, under: under && !under.isNull ? (under.integer('an age in years', 1) ?? DEFAULT_CHILD_AGE) : DEFAULT_CHILD_AGE };
  }
  const unlinked = present(e.get('unlinked'));
  if (unlinked) table.unlinked = unlinked.text('why no identity reaches the table, e.g. "aggregated access logs, swept by retention only"');
  const purposes = present(e.get('purposes'));
  for (const item of purposes ? (purposes.isList ? (purposes.items('purposes') ?? []) : [purposes]) : []) {
    const p = item.oneOf(Object.keys(TABLE_PURPOSES), 'purpose');
    if (p) table.purposes.push(p);
  }
}

/** `identify: { email: email_column }`: identity type -> column. Types are checked against `identities:` later. */
export function readIdentify(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of present(v)?.entries('identity type: column') ?? []) {
    const column = value.text('a column name');
    if (column !== undefined) out[name] = column;
  }
  return out;
}

function readField(column: string, loc: Location, value: Value, categories: Readonly<Record<string, DeclaredCategory>>): FieldDef {
  const field: FieldDef = { column, category: '', mask: DEFAULT_MASK, maskOptions: {}, identifying: false, loc };
  const e = value.entries('a field ({ category, mask })', ['category', 'mask', 'identifying']);
  if (!e) return field;
  const category = e.require('category', 'a taxonomy name such as contact.email');
  const name = category?.text('a category');
  if (category && name !== undefined) {
    field.category = name;
    if (!inTaxonomy(name) && !declaredCategoryOf(name, categories)) category.problem(unknownCategoryMessage(name));
  }
  field.identifying = identifyingByDefault(field.category, categories);
  const identifying = e.get('identifying');
  if (identifying && !identifying.isNull) field.identifying = identifying.boolean() ?? field.identifying;
  const mask = e.get('mask');
  if (mask) Object.assign(field, readMask(mask));
  return field;
}

function unknownCategoryMessage(name: string): string {
  const top = name.split('.')[0];
  const hint = didYouMean(name, CATEGORIES.map((c) => c.name)) || didYouMean(top, TOP_LEVEL.map((c) => c.name));
  if (!categoryOf(top)) {
    if (hint) return `unknown category \`${name}\`${hint}`;
    return `unknown category \`${name}\`; a category starts with one of: ${TOP_LEVEL.map((c) => c.name).join(', ')}`;
  }
  // A known top-level name with a sub-category the taxonomy lacks: say which known one it may be, and how to add it.
  const sub = name.split('.')[1];
  const sameSub = CATEGORIES.filter((c) => c.name.split('.')[1] === sub).map((c) => `\`${c.name}\``);
  const alike = hint || (sameSub.length ? ` (did you mean ${sameSub.join(' or ')}?)` : '');
  const subs = CATEGORIES.filter((c) => c.name.startsWith(top + '.')).map((c) => c.name);
  return `unknown category \`${name}\`${alike}; ${top} has ${subs.join(', ')}; or declare it under \`categories:\` with \`identifying: true\` or \`false\``;
}

/**
 * `mask: hash`, `mask: null` (write NULL), or a one-key mapping with the mask's options:
 * `mask: { generalize: { bucket: 10 } }`.
 */
function readMask(v: Value): { mask: MaskName; maskOptions: Record<string, unknown> } | undefined {
  if (v.isBlank) return void v.problem('empty `mask`; write `mask: null` to blank the column, or leave `mask` out for redact');
  if (v.isNull) return { mask: 'null', maskOptions: {} };
  if (!v.isMap) {
    const mask = v.oneOf(MASKS, 'mask');
    return mask && { mask, maskOptions: {} };
  }
  const e = v.entries('a mask with options ({ generalize: { bucket: 10 } })');
  if (!e || e.size === 0) return void v.problem('expected a mask name, or one mask with its options such as `{ generalize: { bucket: 10 } }`');
  if (e.size > 1) return void v.problem(`a field has one mask; found ${e.list.map((x) => `\`${x.name}\``).join(', ')}`);
  const { name, keyLoc, value } = e.list[0];
  if (!(MASKS as readonly string[]).includes(name)) return void v.problem(unknownMessage('mask', name, MASKS), keyLoc);
  const mask = name as MaskName;
  const allowed = MASK_OPTIONS[mask] ?? {};
  const maskOptions: Record<string, unknown> = {};
  if (!value.isNull) {
    for (const option of value.entries(`options of ${mask}`, Object.keys(allowed)) ?? []) {
      const read = allowed[option.name](option.value);
      if (read !== undefined) maskOptions[option.name] = read;
    }
  }
  return { mask, maskOptions };
}

/** One `{ column, references, owns }` of a table's or an extract's `links:`. */
export function readLink(item: Value): LinkDef | undefined {
  const e = item.entries('a link ({ column, references })', ['column', 'references', 'owns']);
  if (!e) return undefined;
  const column = e.require('column', 'the column holding the referenced value')?.text('a column name');
  const refValue = e.require('references', '<system>.<table>.<column>');
  const refText = refValue?.text('<system>.<table>.<column>');
  const references = refText === undefined ? undefined : parseColumnRef(refText);
  if (refValue && refText !== undefined && !references) refValue.problem(`expected \`<system>.<table>.<column>\`, found \`${refText}\``);
  const owns = e.get('owns');
  const ownsValue = owns && !owns.isNull ? (owns.boolean() ?? false) : false;
  if (column === undefined || !references) return undefined;
  return { column, references, owns: ownsValue, loc: item.loc };
}
