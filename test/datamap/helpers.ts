// Test helpers: data maps written inline (indentation stripped so line:column read naturally) and their problems.
import { DataMapError, type DataMapIssue } from '../../src/errors.ts';
import { parseDataMap } from '../../src/datamap/load.ts';
import type { DataMap } from '../../src/datamap/types.ts';

export const FILE = 'datamap.yaml';
export const DIR = '/srv/dsar';

/** A YAML text from a template literal: the first line break is dropped and the common indentation removed. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/[ \t]+$/, '');
}

export function load(text: string): DataMap {
  return parseDataMap(text, FILE, DIR);
}

/** As `validate` sees it: a table no identity reaches is an error there (and for export and erase). */
function loadForValidate(text: string): DataMap {
  const map = load(text);
  if (map.unreachable.length > 0) throw new DataMapError(map.unreachable);
  return map;
}

/** Every problem of a map as `{ at: 'file:line:column', path, message }`; [] when it loads. */
export function problems(text: string): Array<{ at: string; path: string; message: string }> {
  try {
    loadForValidate(text);
    return [];
  } catch (err) {
    if (!(err instanceof DataMapError)) throw err;
    return err.issues.map((i: DataMapIssue) => ({ at: `${i.file}:${i.line}:${i.column}`, path: i.path, message: i.message }));
  }
}

/** The smallest valid map, for tests that add one mistake to it. Lines 1-9. */
export const BASE = yaml`
  version: 1
  systems:
    app: { kind: sqlite, path: app.db }
  tables:
    app.users:
      key: id
      identify: { email: email }
      fields:
        email: { category: contact.email, mask: hash }
`;
