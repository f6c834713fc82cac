// Reading `extracts:`: record extracts (columns with roles) and aggregates (group_by + measures), with privacy settings.
import { type Value, present, unknownMessage } from './reader.ts';
import { readBudget, readDomain, readDp } from './read-dp.ts';
import { readIdentify, readLink } from './read-tables.ts';
import type { ExtractColumn, ExtractDef, ExtractRole, Measure, MeasureFn, TableDef } from './types.ts';

export const EXTRACT_ROLES: readonly ExtractRole[] = ['quasi', 'sensitive', 'pseudonym', 'keep'];
export const MEASURE_FNS: readonly MeasureFn[] = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'];
export const OUTPUTS = ['csv', 'ndjson', 'json'] as const;
export const OPTOUT_SCOPES = ['sharing', 'marketing'] as const;
type WhereOp = ExtractDef['where'][number]['op'];
export const WHERE_OPS: readonly WhereOp[] = ['=', '!=', '<', '<=', '>', '>=', 'in', 'is null', 'is not null'];
/** Rows of a record-level extract that may be suppressed when `privacy.max_suppression` is not given. */
export const DEFAULT_MAX_SUPPRESSION = 0.05;
/**
 * An aggregate suppresses every cell under k unless the map sets a limit (SPEC: "cells under k suppressed"): a
 * default limit made it refuse instead, and users dropped `privacy` to get any output.
 */
export const AGGREGATE_MAX_SUPPRESSION = 1;

const EXTRACT_KEYS = ['from', 'where', 'exclude_optouts', 'identify', 'subject', 'links', 'columns', 'group_by', 'measures', 'privacy', 'domain', 'budget', 'budget_group', 'output'];
/** `year`, `5-years`, `10-years`, `prefix-N`, `bucket-N`, `*` (N a positive whole number). */
const LADDER_STEP = /^(year|5-years|10-years|prefix-[1-9][0-9]*|bucket-[1-9][0-9]*|\*)$/;
/** `count`, `count(*)`, `count_distinct(user_id)`, `sum(amount)`. */
const MEASURE_SHORTHAND = /^\s*([A-Za-z_]+)\s*(?:\(\s*(.*?)\s*\))?\s*$/;

export function readExtracts(v: Value | undefined, tables: Record<string, TableDef>): Record<string, ExtractDef> {
  const out: Record<string, ExtractDef> = {};
  for (const { name, keyLoc, value } of v?.entries('extracts') ?? []) out[name] = readExtract(name, keyLoc, value, tables);
  return out;
}

function readExtract(name: string, loc: ExtractDef['loc'], value: Value, tables: Record<string, TableDef>): ExtractDef {
  const x: ExtractDef = {
    name,
    from: { system: '', table: '' },
    where: [],
    identify: {},
    links: [],
    columns: {},
    groupBy: [],
    measures: [],
    privacy: { k: 1, maxSuppression: DEFAULT_MAX_SUPPRESSION },
    domain: {},
    output: 'csv',
    kind: 'record',
    loc,
  };
  const e = value.entries('an extract', EXTRACT_KEYS);
  if (!e) return x;
  const from = e.require('from', '<system>.<table>');
  const fromText = from?.text('<system>.<table>');
  if (from && fromText !== undefined) {
    // Any table or view of a declared system (SPEC): the table part may even be schema-qualified.
    const dot = fromText.indexOf('.');
    if (dot > 0 && dot < fromText.length - 1) x.from = { system: fromText.slice(0, dot), table: fromText.slice(dot + 1) };
    else from.problem(`expected \`<system>.<table>\`, found \`${fromText}\``);
  }
  // A declared table lends its identities (for opt-outs) and its key (to count subjects).
  const declared: TableDef | undefined = tables[`${x.from.system}.${x.from.table}`];
  x.where = readWhere(present(e.get('where')));
  const optouts = present(e.get('exclude_optouts'));
  if (optouts) x.excludeOptouts = optouts.oneOf(OPTOUT_SCOPES, 'opt-out scope');
  const identify = present(e.get('identify'));
  x.identify = identify ? readIdentify(identify) : { ...(declared?.identify ?? {}) };
  const links = present(e.get('links'));
  x.links = links ? (links.items('links') ?? []).flatMap((item) => readLink(item) ?? []) : [];
  if (optouts && x.excludeOptouts && Object.keys(x.identify).length === 0 && x.links.length === 0 && !declared?.links.some((l) => !l.owns)) {
    optouts.problem('excluding opt-outs needs `identify` (identity type: column) or `links` to a declared table, since the table is not declared under `tables:` with either');
  }
  const subject = present(e.get('subject'));
  if (subject) x.subject = subject.text('a column name');
  for (const { name: column, keyLoc, value: c } of present(e.get('columns'))?.entries('columns (column: { role })') ?? []) {
    const col = readColumn(column, keyLoc, c);
    if (col) x.columns[column] = col;
  }
  const groupBy = present(e.get('group_by'));
  const measures = present(e.get('measures'));
  for (const { name: m, keyLoc, value: mv } of measures?.entries('measures (name: count | { fn, column })') ?? []) {
    const measure = readMeasure(m, keyLoc, mv);
    if (measure) x.measures.push(measure);
  }
  if (groupBy) {
    x.kind = 'aggregate';
    x.groupBy = groupBy.names('a column name') ?? [];
    if (!measures) x.measures.push({ name: 'count', fn: 'count', loc: groupBy.keyLoc });
  } else {
    if (measures) measures.problem('`measures` need `group_by` (an aggregate extract)', measures.keyLoc);
    e.require('columns', 'what the extract contains: column: { role: quasi | sensitive | pseudonym | keep }');
  }
  const privacy = e.require('privacy', 'privacy: { k: 10 }');
  if (privacy) x.privacy = readPrivacy(privacy, x.kind === 'aggregate' ? AGGREGATE_MAX_SUPPRESSION : DEFAULT_MAX_SUPPRESSION);
  const group = present(e.get('budget_group'));
  const budget = present(e.get('budget'));
  if (budget) x.budget = readBudget(budget, (group && group.text('a budget group name')) || name);
  else if (group) group.problem('`budget_group` names the budget of `budget:`, which this extract does not have', group.keyLoc);
  const domain = present(e.get('domain'));
  if (domain) x.domain = readDomain(domain);
  const output = present(e.get('output'));
  if (output) x.output = output.oneOf(OUTPUTS, 'output format') ?? 'csv';
  return x;
}

/** `where: { status: active, country: [DE, FR], deleted_at: null, age: { op: ">=", value: 18 } }` or a list of `{ column, op, value }`. */
function readWhere(v: Value | undefined): ExtractDef['where'] {
  if (!v) return [];
  if (v.isList) {
    return (v.items('conditions') ?? []).flatMap((item) => {
      const e = item.entries('a condition ({ column, op, value })', ['column', 'op', 'value']);
      const column = e?.require('column')?.text('a column name');
      return column === undefined || !e ? [] : (condition(column, e.get('op'), e.get('value'), item) ?? []);
    });
  }
  const out: ExtractDef['where'] = [];
  for (const { name, value } of v.entries('conditions (column: value)') ?? []) {
    if (value.isMap) {
      const e = value.entries('a condition ({ op, value })', ['op', 'value']);
      const c = e && condition(name, e.get('op'), e.get('value'), value);
      if (c) out.push(c);
    } else if (value.isNull) out.push({ column: name, op: 'is null' });
    else if (value.isList) out.push({ column: name, op: 'in', value: (value.items('values') ?? []).map((i) => i.scalar) });
    else out.push({ column: name, op: '=', value: value.scalar });
  }
  return out;
}

function condition(column: string, opValue: Value | undefined, value: Value | undefined, at: Value): ExtractDef['where'][number] | undefined {
  const op = opValue && !opValue.isNull ? opValue.oneOf(WHERE_OPS, 'operator') : '=';
  if (!op) return undefined;
  if (op === 'is null' || op === 'is not null') {
    if (value && !value.isNull) value.problem(`\`${op}\` takes no value`);
    return { column, op };
  }
  if (!value) return void at.problem(`\`value\` is required for \`${op}\``);
  if (op === 'in') {
    if (!value.isList) return void value.problem(`\`in\` takes a list of values, found ${value.describe()}`);
    return { column, op, value: (value.items('values') ?? []).map((i) => i.scalar) };
  }
  if (!value.isScalar && !value.isNull) return void value.problem(`expected one value, found ${value.describe()}`);
  return { column, op, value: value.scalar ?? null };
}

/** `{ role: quasi, generalize: [year, "*"] }` or the role alone (`plan: sensitive`). */
function readColumn(column: string, loc: ExtractColumn['loc'], v: Value): ExtractColumn | undefined {
  if (v.isScalar) {
    const role = v.oneOf(EXTRACT_ROLES, 'role');
    return role && { column, role, generalize: [], loc };
  }
  const e = v.entries('a column ({ role, generalize })', ['role', 'generalize']);
  const role = e?.require('role', EXTRACT_ROLES.join(', '))?.oneOf(EXTRACT_ROLES, 'role');
  const ladder = present(e?.get('generalize'));
  const generalize: string[] = [];
  if (ladder) {
    if (role && role !== 'quasi') ladder.problem(`only quasi columns generalize; \`${column}\` is ${role}`, ladder.keyLoc);
    for (const step of ladder.isList ? (ladder.items('generalization steps') ?? []) : [ladder]) {
      const text = step.text('a generalization step');
      if (text === undefined) continue;
      if (LADDER_STEP.test(text)) generalize.push(text);
      else step.problem(`unknown generalization step \`${text}\`; expected year, 5-years, 10-years, prefix-N, bucket-N or *`);
    }
  }
  return role && { column, role, generalize, loc };
}

function readMeasure(name: string, loc: Measure['loc'], v: Value): Measure | undefined {
  let fnValue: Value | undefined = v;
  let fnText: string | undefined;
  let column: string | undefined;
  if (v.isScalar) {
    const text = v.text('a measure such as count or count_distinct(user_id)');
    const m = text === undefined ? null : MEASURE_SHORTHAND.exec(text);
    if (!m) return void v.problem(`expected a measure such as \`count\` or \`count_distinct(user_id)\`, found ${v.describe()}`);
    fnText = m[1];
    column = m[2] === undefined || m[2] === '*' || m[2] === '' ? undefined : m[2];
  } else {
    const e = v.entries('a measure ({ fn, column })', ['fn', 'column']);
    fnValue = e?.require('fn', MEASURE_FNS.join(', '));
    fnText = fnValue?.text('a function name');
    const c = present(e?.get('column'));
    column = c?.text('a column name');
  }
  if (fnText === undefined || !fnValue) return undefined;
  if (!(MEASURE_FNS as readonly string[]).includes(fnText)) return void fnValue.problem(unknownMessage('measure function', fnText, MEASURE_FNS));
  const fn = fnText as MeasureFn;
  if (fn !== 'count' && column === undefined) return void v.problem(`\`${fn}\` needs a column, e.g. \`${fn}(amount)\``);
  return { name, fn, ...(column === undefined ? {} : { column }), loc };
}

function readPrivacy(v: Value, defaultMaxSuppression: number): ExtractDef['privacy'] {
  const privacy: ExtractDef['privacy'] = { k: 1, maxSuppression: defaultMaxSuppression };
  const e = v.entries('privacy ({ k, l, t, max_suppression, dp })', ['k', 'l', 't', 'max_suppression', 'dp']);
  if (!e) return privacy;
  const dp = present(e.get('dp'));
  if (dp) {
    privacy.dp = readDp(dp);
    // Suppressing cells by their true counts is not differentially private: with dp, noise is the protection.
    const k = present(e.get('k'));
    if (k) k.problem('`k` suppresses cells by their true counts, which differential privacy forbids: with `dp`, leave `k` out', k.keyLoc);
    return privacy;
  }
  privacy.k = e.require('k', 'the smallest group size, e.g. k: 10')?.integer('k', 1) ?? 1;
  const l = present(e.get('l'));
  if (l) Object.assign(privacy, readDiversity(l));
  const t = present(e.get('t'));
  if (t) {
    const n = t.number('t-closeness, a distance between 0 and 1');
    if (n !== undefined && (n < 0 || n > 1)) t.problem(`t must be between 0 and 1, found ${t.describe()}`);
    else if (n !== undefined) privacy.t = n;
  }
  const max = present(e.get('max_suppression'));
  if (max) {
    const n = max.number('a fraction between 0 and 1');
    if (n !== undefined && (n < 0 || n > 1)) max.problem(`max_suppression must be between 0 and 1, found ${max.describe()}`);
    else if (n !== undefined) privacy.maxSuppression = n;
  }
  return privacy;
}

/** `l: 2` (distinct), `l: { distinct: 2 }`, `l: { entropy: 2 }` or `l: { recursive: { c: 3, l: 2 } }`. */
function readDiversity(v: Value): Pick<ExtractDef['privacy'], 'l' | 'diversity' | 'c'> {
  if (!v.isMap) {
    const l = v.integer('l', 1);
    return l === undefined ? {} : { l, diversity: 'distinct' };
  }
  const e = v.entries('l ({ distinct: 2 }, { entropy: 2 } or { recursive: { c: 3, l: 2 } })', ['distinct', 'entropy', 'recursive']);
  const given = e ? (['distinct', 'entropy', 'recursive'] as const).filter((k) => present(e.get(k))) : [];
  if (!e || given.length !== 1) {
    if (e) v.problem('l takes one diversity model: distinct, entropy or recursive');
    return {};
  }
  const model = given[0];
  const value = e.get(model)!;
  if (model === 'distinct') {
    const l = value.integer('distinct l', 1);
    return l === undefined ? {} : { l, diversity: 'distinct' };
  }
  if (model === 'entropy') {
    const l = value.number('entropy l (at least 1)');
    if (l !== undefined && l < 1) value.problem(`entropy l must be at least 1, found ${value.describe()}`);
    return l === undefined || l < 1 ? {} : { l, diversity: 'entropy' };
  }
  const r = value.entries('recursive ({ c, l })', ['c', 'l']);
  const c = r?.require('c', 'c: 3')?.number('c (greater than 0)');
  const l = r?.require('l', 'l: 2')?.integer('l', 1);
  if (c !== undefined && c <= 0) r!.get('c')!.problem(`c must be greater than 0, found ${r!.get('c')!.describe()}`);
  return c === undefined || l === undefined || c <= 0 ? {} : { l, c, diversity: 'recursive' };
}
