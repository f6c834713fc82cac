// Checks that need the whole map: every name a table, extract or job uses is declared. Shapes and values
// (durations, masks, cron, ...) are checked while reading (read-*.ts); both end up in the same DataMapError.
import type { DataMapIssue, Location } from '../errors.ts';
import { childPath, unknownMessage } from './reader.ts';
import type { DataMap } from './types.ts';

/** Where a key path's key or value is in the file (the nearest read ancestor's when it was never read). */
export type Locate = (path: string, part?: 'key' | 'value') => Location;

export function validateDataMap(map: DataMap, locate: Locate): DataMapIssue[] {
  const issues: DataMapIssue[] = [];
  const problem = (loc: Location, message: string) => issues.push({ ...loc, message });
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
  }

  for (const job of Object.values(map.jobs)) {
    const [command, name] = job.run.split(/\s+/);
    if (command !== 'extract') continue;
    const at = locate(`${childPath('jobs', job.name)}.run`);
    if (!name) problem(at, '`extract` needs the name of an extract, e.g. `extract signups-by-region`');
    else if (!map.extracts[name]) problem(at, unknownMessage('extract', name, Object.keys(map.extracts)));
  }
  return issues;
}
