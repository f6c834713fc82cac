// Loads `datamap.yaml` into a DataMap, or throws one DataMapError listing every problem with file:line:column.
//
// Masks with options are written as a one-key mapping, the mask's name holding its options:
//   zip:    { category: contact.address.postal, mask: { generalize: { prefix: 3 } } }
//   salary: { category: billing.transaction,    mask: { generalize: { bucket: 10000 } } }
// A plain name takes no options (`mask: hash`); `mask: null` writes NULL; without `mask` a field is redacted.
// Options: generalize { bucket: width > 0, prefix: characters kept }, redact { marker: text }.
//
// Extensions to SPEC's map: `timezone` (IANA, default UTC, for jobs); per table `purposes: [marketing]` and
// `child: { column, under }` (under defaults to 13); per field `identifying: true|false` (defaults from the
// category, see taxonomy.ts); per job `catch_up: true|false` (default false). Extracts: `where` is a mapping
// (column: value | [values] | null | { op, value }) or a list of { column, op, value }; measures are
// `name: { fn, column }` or `name: count` / `name: "count_distinct(user_id)"`; `group_by` makes an aggregate
// (measures default to `count: count`); `identify` and `subject` default from a declared `from` table.
//
// Other defaults: without `identities:`, subjects are found by email (lowercase-trim); `on_erase: delete`;
// `privacy.max_suppression: 0.05`; `output: csv`. Required: `version: 1`, a table's `key`, a field's
// `category`, a retention rule's `keep`, `after` and `then`, an extract's `from` and `privacy.k`, a job's
// `run` and `cron`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { DataMapError, type DataMapIssue, UsageError } from '../errors.ts';
import { aliasBombAt, MAX_ALIASED_NODES } from './alias-limit.ts';
import { ReadContext, present } from './reader.ts';
import { readCategories } from './read-categories.ts';
import { readExtracts } from './read-extracts.ts';
import { readIdentities, readJobs, readRetention, readSecrets, readState, readSystems, readTimezone, readVersion } from './read-settings.ts';
import { readTables } from './read-tables.ts';
import type { DataMap } from './types.ts';
import { type Locate, validateDataMap, validateReachability } from './validate.ts';

export const TOP_LEVEL_KEYS = ['version', 'timezone', 'identities', 'categories', 'state', 'secrets', 'systems', 'retention', 'tables', 'extracts', 'jobs'];

/** Reads and checks the data map file. Throws UsageError when it cannot be read, DataMapError listing every problem. */
export function loadDataMap(file: string): DataMap {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `data map not found: ${file} (pass --datamap FILE)` : `cannot read the data map ${file}: ${code ?? String(err)}`);
  }
  return build(bytes.toString('utf8'), file, path.dirname(path.resolve(file)), sha256(bytes));
}

/** Parses and checks data map text; `file` names it in messages, `dir` resolves relative paths (default: the file's directory). */
export function parseDataMap(text: string, file: string, dir: string = path.dirname(path.resolve(file))): DataMap {
  return build(text, file, path.resolve(dir), sha256(Buffer.from(text, 'utf8')));
}

function build(text: string, file: string, dir: string, hash: string): DataMap {
  const { map, issues } = readDataMap(text.replace(/^\uFEFF/, ''), file, dir, hash);
  if (issues.length > 0 || !map) throw new DataMapError(issues);
  return map;
}

/** The map as far as it could be read, and every problem found (sorted by position). */
export function readDataMap(text: string, file: string, dir: string, hash: string): { map?: DataMap; issues: DataMapIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  const ctx = new ReadContext(file, lines, doc);
  const syntax = [...doc.errors, ...doc.warnings].filter((e) => e.code !== 'DUPLICATE_KEY');
  if (syntax.length > 0) {
    // One problem per position: yaml often adds a consequence of the first error at the same place.
    const reported = new Set<string>();
    for (const e of syntax) {
      const loc = ctx.locAt(e.pos[0], '');
      if (reported.has(`${loc.line}:${loc.column}`)) continue;
      reported.add(`${loc.line}:${loc.column}`);
      ctx.problem(loc, yamlMessage(e.code, e.message));
    }
    return { issues: sorted(ctx.issues) };
  }
  const bomb = aliasBombAt(doc);
  if (bomb !== undefined) {
    ctx.problem(ctx.locAt(bomb, ''), `YAML aliases expand the data map by more than ${MAX_ALIASED_NODES.toLocaleString('en')} values; write the repeated parts out, or alias less`);
    return { issues: sorted(ctx.issues) };
  }

  const root = ctx.root();
  if (root.isNull) {
    root.problem('the data map is empty; it starts with `version: 1`');
    return { issues: sorted(ctx.issues) };
  }
  const e = root.entries('the data map', TOP_LEVEL_KEYS);
  if (!e) return { issues: sorted(ctx.issues) };
  const section = (name: string) => present(e.get(name));
  const categories = readCategories(section('categories'));
  const tables = readTables(section('tables'), categories);
  const map: DataMap = {
    file,
    dir,
    hash,
    version: readVersion(e),
    timezone: readTimezone(section('timezone')),
    identities: readIdentities(section('identities'), file),
    categories,
    state: readState(section('state')),
    secrets: readSecrets(section('secrets')),
    systems: readSystems(section('systems'), dir),
    retention: readRetention(section('retention')),
    tables,
    extracts: readExtracts(section('extracts'), tables),
    jobs: readJobs(section('jobs')),
    warnings: [],
    unreachable: [],
  };
  // yaml reports duplicate keys too; keep those the reader did not see (inside keys it left out).
  const seen = new Set(ctx.issues.map((i) => `${i.line}:${i.column}`));
  for (const dup of doc.errors.filter((x) => x.code === 'DUPLICATE_KEY')) {
    const loc = ctx.locAt(dup.pos[0], '');
    if (!seen.has(`${loc.line}:${loc.column}`)) ctx.problem(loc, 'duplicate key');
  }
  const locate: Locate = (p, part) => ctx.locate(p, part);
  const checked = validateDataMap(map, locate);
  map.warnings = sorted(checked.warnings);
  const errors = [...ctx.issues, ...checked.errors];
  if (errors.length === 0) map.unreachable = sorted(validateReachability(map, locate));
  return { map, issues: sorted(errors) };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a data map is one YAML document; remove the second `---`';
  return `YAML: ${message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
}

function sorted(issues: DataMapIssue[]): DataMapIssue[] {
  const unique = new Map(issues.map((i) => [`${i.line}:${i.column}:${i.message}`, i]));
  return [...unique.values()].sort((a, b) => a.line - b.line || a.column - b.column);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
