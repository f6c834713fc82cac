// `dsar datamap init`: a complete first data map from the live systems. The systems come from `--system` or from
// the map already there; each is introspected and sampled (the scan's detectors), a draft is composed (keys,
// identities, links, fields, on_erase), and the result is checked by loading it exactly as every command does
// before anything is written. With `merge`, the existing file keeps every byte and gains what it lacks.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connector } from '../../connectors/connector.ts';
import { loadDataMap, parseDataMap } from '../datamap/load.ts';
import { mergeIntoMap, type Entry, type MapAdditions } from '../datamap/merge.ts';
import type { DataMap } from '../datamap/types.ts';
import { DataMapError, UsageError } from '../errors.ts';
import { writeWholeFile } from '../extract/writer.ts';
import { draftMap } from '../init/draft.ts';
import type { Draft, DraftTable } from '../init/draft-types.ts';
import { fieldLine, identityLine, renderMap, tableEntry } from '../init/render.ts';
import { surveySystem, type SystemSurvey } from '../init/survey.ts';
import { systemLine, type SystemDraft } from '../init/system-arg.ts';
import type { Logger } from '../log.ts';
import { knownColumns } from '../scan/declared.ts';
import { valueDetectors } from '../scan/detectors/index.ts';
import { openSystems } from './systems.ts';

export interface InitRequest {
  /** The data map to take systems from (when no `systems` are given) and to merge into. */
  datamap: string;
  /** Systems named on the command line (`--system`). */
  systems: SystemDraft[];
  /** Where to write; `-` returns the text only. Default: `datamap`. */
  out?: string;
  merge: boolean;
  /** Read only these of the map's systems (the others' tables are left as they are). */
  only?: string[];
  sample: number;
  concurrency?: number;
  onTable?: () => void;
}

export interface InitResult {
  /** The file written, or null for `-`. */
  file: string | null;
  merged: boolean;
  text: string;
  systems: string[];
  /** Tables written (or added), with what each got. */
  tables: Array<{ table: string; key: string[]; identify: Record<string, string>; links: number; suggestions: number; fields: number; unlinked: boolean }>;
  /** Fields added to tables the map already declared (merge). */
  fieldsAdded: string[];
  /** Tables left commented out, and why. */
  notDeclared: Array<{ table: string; reason: string }>;
  notes: string[];
  skipped: string[];
}

export async function initDataMap(req: InitRequest, log: Logger): Promise<InitResult> {
  const mapFile = path.resolve(req.datamap);
  const out = req.out === '-' ? null : path.resolve(req.out ?? req.datamap);
  const outDir = out ? path.dirname(out) : process.cwd();
  const existing = req.merge || req.systems.length === 0 ? loadExisting(mapFile, req) : undefined;
  if (out && !req.merge && existsSync(out)) {
    throw new UsageError(`${out} exists: add to it with --merge, or write another file with --out`);
  }
  const systems = systemsToSurvey(existing, req.systems).filter((s) => !req.only?.length || req.only.includes(s.name) || req.systems.includes(s));
  const opening = parseDataMap(`version: 1\nsystems:\n${systems.map((s) => `  ${systemLine(s, outDir)}`).join('\n')}\n`, out ?? mapFile, outDir);
  const opened = await openSystems(opening, log);
  let draft: Draft;
  try {
    if (opened.unreachable.length) throw new UsageError(`${opened.unreachable.map((e) => e.message).join('; ')}: nothing written`);
    const detectors = valueDetectors();
    const surveys: SystemSurvey[] = [];
    for (const s of systems) {
      const connector = opened.connectors.get(s.name)!;
      surveys.push(await surveySystem(s.name, connector, { sample: req.sample, detectors, concurrency: req.concurrency ?? 4, log, onTable: req.onTable }));
    }
    draft = await draftMap({ surveys, connectors: opened.connectors as ReadonlyMap<string, Connector>, log });
  } finally {
    await opened.closeAll();
  }

  let text: string;
  let written: DraftTable[];
  let fieldsAdded: string[] = [];
  let skipped: string[] = [];
  if (req.merge && existing) {
    const merged = mergeDraft(existing, draft, req.systems, outDir);
    ({ text, fieldsAdded, skipped } = merged);
    written = merged.added;
  } else {
    const own = existing?.map;
    text = renderMap(draft, { systems: systems.map((s) => systemLine(s, outDir)), stateUrl: own?.state.url?.ref, hmacKey: own?.secrets.hmacKey?.ref });
    written = draft.tables;
  }
  checkLoads(text, out ?? mapFile, outDir);
  if (out) await writeWholeFile(out, text);
  log.info({ file: out, tables: written.length, fieldsAdded: fieldsAdded.length }, req.merge ? 'data map merged' : 'data map written');
  return {
    file: out,
    merged: req.merge,
    text,
    systems: systems.map((s) => s.name),
    tables: written
      .filter((t) => !t.blocked)
      .map((t) => ({ table: t.id, key: t.key, identify: t.identify, links: t.links.filter((l) => !l.suggestionOnly).length, suggestions: t.links.filter((l) => l.suggestionOnly).length, fields: t.fields.length, unlinked: Boolean(t.unlinked) })),
    fieldsAdded,
    notDeclared: written.filter((t) => t.blocked).map((t) => ({ table: t.id, reason: t.blocked! })),
    notes: draft.notes,
    skipped,
  };
}

function loadExisting(file: string, req: InitRequest): { map: DataMap; text: string } {
  if (!existsSync(file)) {
    if (req.merge) throw new UsageError(`--merge: ${file} does not exist (pass --datamap FILE)`);
    throw new UsageError(`no systems to read: pass --system name=kind:where (e.g. app=postgres:APP_DATABASE_URL), or a --datamap that declares them`);
  }
  return { map: loadDataMap(file), text: readFileSync(file, 'utf8') };
}

/** The map's own systems (as it resolves them), then the new ones; a name used twice is refused. */
function systemsToSurvey(existing: { map: DataMap } | undefined, added: SystemDraft[]): SystemDraft[] {
  const own: SystemDraft[] = Object.values(existing?.map.systems ?? {}).map((s) => ({ name: s.name, kind: s.kind, url: s.url?.ref, path: s.path, format: s.format }));
  const names = new Set<string>();
  for (const s of [...own, ...added]) {
    if (names.has(s.name)) throw new UsageError(`--system ${s.name}: the map already declares a system of that name`);
    names.add(s.name);
  }
  return [...own, ...added];
}

/** The draft's new tables, fields, identity types and systems, merged into the map's text. */
function mergeDraft(existing: { map: DataMap; text: string }, draft: Draft, added: SystemDraft[], outDir: string) {
  const { map, text } = existing;
  // The same name exactly: `auth.users` is not `users` (a table outside the default schema is never written anyway).
  const declared = (d: DraftTable) => map.tables[d.id];
  const newTables = draft.tables.filter((d) => !declared(d));
  const fields = new Map<string, Entry[]>();
  const fieldsAdded: string[] = [];
  for (const d of draft.tables) {
    const def = declared(d);
    if (!def || d.blocked) continue;
    const known = new Set(knownColumns(map, def).map((k) => k.column));
    const fresh = d.fields.filter((f) => !known.has(f.column));
    if (!fresh.length) continue;
    fields.set(def.id, fresh.map((f) => ({ name: f.column, lines: [fieldLine(f)] })));
    fieldsAdded.push(...fresh.map((f) => `${def.id}.${f.column}`));
  }
  // Identity types the new tables find people by (declared tables keep their own `identify`).
  // Without an `identities:` section a map finds people by email only: a new section must name email too.
  const used = [...new Set(newTables.flatMap((d) => Object.keys(d.identify)))].sort();
  const others = used.filter((t) => t !== 'email');
  const wanted = /^identities\s*:/m.test(text) ? used.filter((t) => !map.identities[t]) : others.length ? ['email', ...others] : [];
  const additions: MapAdditions = {
    systems: added.map((s) => ({ name: s.name, lines: [systemLine(s, outDir)] })),
    identities: wanted.map((t) => ({ name: t, lines: [identityLine(t)] })),
    tables: newTables.map((d) => ({ name: d.id, lines: ['', ...tableEntry(d, 0)] })),
    fields,
  };
  const result = mergeIntoMap(text, additions, map.file);
  return { text: result.text, skipped: result.skipped, fieldsAdded, added: newTables };
}

/** The text loads as every command loads a map, with every table reached: anything else is a bug here. */
function checkLoads(text: string, file: string, dir: string): void {
  let map: DataMap;
  try {
    map = parseDataMap(text, file, dir);
  } catch (err) {
    if (err instanceof DataMapError) throw new UsageError(`the map written would not load (nothing written): ${err.message.split('\n')[0]}`);
    throw err;
  }
  if (map.unreachable.length) throw new UsageError(`the map written would leave tables unreached (nothing written): ${map.unreachable[0].message}`);
}
