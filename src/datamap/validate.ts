// Checks that need the whole map: every name a table, extract or job uses is declared. Shapes and values
// (durations, masks, cron, ...) are checked while reading (read-*.ts); both end up in the same DataMapError.
import type { DataMapIssue, Location } from '../errors.ts';
import { childPath, unknownMessage } from './reader.ts';
import { unreachableTables } from './reachability.ts';
import type { DataMap } from './types.ts';

/** Where a key path's key or value is in the file (the nearest read ancestor's when it was never read). */
export type Locate = (path: string, part?: 'key' | 'value') => Location;

export interface Validation {
  errors: DataMapIssue[];
  /** Legal but likely wrong: listed by `validate`, which still exits 0. */
  warnings: DataMapIssue[];
}

export function validateDataMap(map: DataMap, locate: Locate): Validation {
  const issues: DataMapIssue[] = [];
  const warnings: DataMapIssue[] = [];
  const problem = (loc: Location, message: string) => issues.push({ ...loc, message });
  const warn = (loc: Location, message: string) => warnings.push({ ...loc, message });
  const systems = Object.keys(map.systems);
  const identities = Object.keys(map.identities);
  const tableIds = Object.keys(map.tables);

  for (const t of Object.values(map.tables)) {
    const at = childPath('tables', t.id);
    if (t.table && !map.systems[t.system]) problem(locate(at, 'key'), unknownMessage('system', t.system, systems));
    for (const type of Object.keys(t.identify)) {
      if (!map.identities[type]) problem(locate(childPath(`${at}.identify`, type), 'key'), unknownMessage('identity type', type, identities));
    }
    if (t.retention !== undefined && !map.retention[t.retention]) {
      problem(locate(`${at}.retention`), unknownMessage('retention rule', t.retention, Object.keys(map.retention)));
    }
    t.links.forEach((link, i) => {
      const target = `${link.references.system}.${link.references.table}`;
      if (!map.tables[target]) problem(locate(`${at}.links[${i}].references`), `${unknownMessage('table', target, tableIds)}: a link must reference a table declared under \`tables:\``);
    });
    for (const f of Object.values(t.fields)) {
      if (f.identifying && f.mask === 'keep') {
        warn(locate(childPath(`${at}.fields`, f.column), 'key'), `an identifying field (${f.category}) masked \`keep\` stays as it is after erasure and sweeps, and verification finds it; choose another mask, or say \`identifying: false\``);
      }
    }
    const identifies = (x: { identify: object } | undefined) => x !== undefined && Object.keys(x.identify).length > 0;
    const people = new Set<string>();
    t.links.forEach((link, i) => {
      const target = map.tables[`${link.references.system}.${link.references.table}`];
      if (!target || target.id === t.id || !identifies(target)) return;
      if (identifies(t)) {
        warn(locate(`${at}.links[${i}]`), `links two tables that both identify a person (${t.id} and ${target.id}): the traversal makes them one subject, so one person's request reaches the other's rows (a support rep is not part of the customer's subject); remove the link, or drop \`identify\` on the side that does not belong to the subject`);
      } else if (link.owns) {
        warn(locate(`${at}.links[${i}]`), `\`owns: true\` towards ${target.id}, a table that identifies a person: whoever reaches a ${t.id} row would take that person's row with it (a support rep is not part of the customer's subject); link it with \`references\`, or not at all`);
      } else if (people.size > 0 && !people.has(target.id)) {
        warn(locate(`${at}.links[${i}]`), `${t.id} belongs to people of two tables (${[...people][0]} and ${target.id}): erasing either one deletes or anonymizes the row, the other's part of it too (a ticket is the customer's, not the rep's who answered it); keep only the link to the person the row belongs to, and declare the other column as a field`);
      }
      if (!link.owns) people.add(target.id);
    });
    if (t.onErase === 'anonymize' && Object.keys(t.fields).length === 0) {
      problem(locate(`${at}.on_erase`), '`on_erase: anonymize` needs `fields` to mask; without them the row would stay as it is');
    }
  }

  for (const x of Object.values(map.extracts)) {
    const at = childPath('extracts', x.name);
    if (x.from.system && !map.systems[x.from.system]) problem(locate(`${at}.from`), unknownMessage('system', x.from.system, systems));
    for (const type of Object.keys(x.identify)) {
      if (!map.identities[type]) problem(locate(childPath(`${at}.identify`, type), 'key'), unknownMessage('identity type', type, identities));
    }
    x.links.forEach((link, i) => {
      const target = `${link.references.system}.${link.references.table}`;
      if (!map.tables[target]) problem(locate(`${at}.links[${i}].references`), `${unknownMessage('table', target, tableIds)}: a link must reference a table declared under \`tables:\``);
      else if (link.owns) problem(locate(`${at}.links[${i}].owns`), 'an extract\'s link names the subject its rows belong to: `owns` does not apply');
      else if (x.excludeOptouts && Object.keys(map.tables[target].identify).length === 0) {
        problem(locate(`${at}.links[${i}].references`), `${target} has no \`identify\`: opt-outs cannot reach the extract through it; link to the table that identifies the person`);
      }
    });
  }

  // One budget per group: extracts naming the same budget_group spend from one budget, so they must agree on it.
  const budgets = new Map<string, { extract: string; text: string }>();
  for (const x of Object.values(map.extracts)) {
    if (!x.budget) continue;
    const text = `epsilon ${x.budget.epsilon}, delta ${x.budget.delta}, per ${x.budget.per.text}`;
    const first = budgets.get(x.budget.group);
    if (!first) budgets.set(x.budget.group, { extract: x.name, text });
    else if (first.text !== text) {
      problem(locate(`${childPath('extracts', x.name)}.budget`), `budget group \`${x.budget.group}\` is already declared by extracts.${first.extract} as ${first.text}; this extract says ${text}: one group, one budget`);
    }
  }

  for (const job of Object.values(map.jobs)) {
    const [command, name] = job.run.split(/\s+/);
    if (command !== 'extract') continue;
    const at = locate(`${childPath('jobs', job.name)}.run`);
    if (!name) problem(at, '`extract` needs the name of an extract, e.g. `extract signups-by-region`');
    else if (!map.extracts[name]) problem(at, unknownMessage('extract', name, Object.keys(map.extracts)));
  }
  return { errors: issues, warnings };
}

/**
 * Declared tables no identity reaches. Checked once the rest of the map is sound: a misspelt link would otherwise
 * add a second, consequent error to every table behind it.
 */
export function validateReachability(map: DataMap, locate: Locate): DataMapIssue[] {
  return unreachableTables(map).map((u) => ({ ...locate(childPath('tables', u.table), 'key'), message: u.message }));
}
