// `--system name=kind:where` of `dsar datamap init`: a system the map does not declare yet. URLs are named by the
// environment variable that holds them (`app=postgres:APP_DATABASE_URL`), never written out: a URL carries its
// password, and the map is committed. Files name their directory; the format is read off the files' extensions.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileFormat, SystemKind } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';

export interface SystemDraft {
  name: string;
  kind: SystemKind;
  /** `env:NAME` for postgres and mysql. */
  url?: string;
  /** Absolute path of a SQLite file or a files directory. */
  path?: string;
  format?: FileFormat;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORMATS: readonly FileFormat[] = ['csv', 'json', 'ndjson'];
const EXAMPLE = 'app=postgres:APP_DATABASE_URL, billing=mysql:BILLING_URL, lite=sqlite:./app.db, crm=files:./exports (or csv:, json:, ndjson:)';

export function parseSystemArg(arg: string, cwd = process.cwd()): SystemDraft {
  const m = /^([^=]+)=([a-z]+):(.+)$/.exec(arg);
  if (!m) throw new UsageError(`--system ${JSON.stringify(arg)}: expected name=kind:where, e.g. ${EXAMPLE}`);
  const [, name, kind, where] = m;
  if (!NAME.test(name)) throw new UsageError(`--system ${JSON.stringify(arg)}: a system name holds only letters, digits, _ and -`);
  if (kind === 'postgres' || kind === 'mysql') {
    const env = where.startsWith('env:') ? where.slice(4) : where;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) {
      throw new UsageError(`--system ${name}: name the environment variable that holds the URL (${name}=${kind}:APP_DATABASE_URL), not the URL itself: the map would carry its password`);
    }
    if (!ENV_NAME.test(env)) throw new UsageError(`--system ${name}: \`${where}\` is not an environment variable name (letters, digits and _)`);
    return { name, kind, url: `env:${env}` };
  }
  const full = path.resolve(cwd, where);
  if (kind === 'sqlite') return { name, kind, path: full };
  if (kind === 'files' || (FORMATS as readonly string[]).includes(kind)) {
    return { name, kind: 'files', path: full, format: kind === 'files' ? formatOf(name, full) : (kind as FileFormat) };
  }
  throw new UsageError(`--system ${name}: unknown kind \`${kind}\` (postgres, mysql, sqlite, files, csv, json, ndjson)`);
}

/** The one format of the directory's data files. */
function formatOf(name: string, dir: string): FileFormat {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--system ${name}: ${dir} is not a directory`);
    entries = readdirSync(dir);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--system ${name}: cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const found = new Set(entries.map((f) => path.extname(f).slice(1).toLowerCase()).filter((e): e is FileFormat => (FORMATS as readonly string[]).includes(e)));
  if (found.size === 1) return [...found][0];
  const what = found.size ? `files of several formats (${[...found].sort().join(', ')})` : 'no .csv, .json or .ndjson file';
  throw new UsageError(`--system ${name}: ${dir} holds ${what}; say which: ${name}=csv:${dir}`);
}

/** The system's line under `systems:`, with paths relative to the map's directory. */
export function systemLine(s: SystemDraft, mapDir: string): string {
  const where = s.url ? `url: ${s.url}` : `path: ${relativePath(mapDir, s.path!)}`;
  return `${s.name}: { kind: ${s.kind}, ${where}${s.format ? `, format: ${s.format}` : ''} }`;
}

function relativePath(from: string, to: string): string {
  const rel = path.relative(from, to) || '.';
  const text = rel.split(path.sep).join('/');
  return /^[\w./-]+$/.test(text) ? text : JSON.stringify(text);
}
