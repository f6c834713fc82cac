// Composes the first data map from what the survey found: per table its key, the identities it is found by, the
// links that carry a subject's request to it, its personal fields with masks that fit, and what to erase. Every
// decision keeps the guess that led to it; what cannot be decided safely is written as a commented suggestion.
import type { Connector } from '../../connectors/connector.ts';
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import { identifyingByDefault } from '../datamap/taxonomy.ts';
import type { Logger } from '../log.ts';
import { levelOf } from '../scan/judge.ts';
import { suggestMask } from '../scan/snippet.ts';
import type { Draft, DraftField, DraftTable, Guess } from './draft-types.ts';
import { chooseKey } from './key-choice.ts';
import { foreignKeyEdges, valueEdges } from './link-edges.ts';
import { chooseLinks } from './link-choice.ts';
import { identification } from './people.ts';
import type { SystemSurvey, TableSurvey } from './survey.ts';

export interface DraftInput {
  surveys: readonly SystemSurvey[];
  connectors: ReadonlyMap<string, Connector>;
  log: Logger;
}

const DATES = new Set(['date', 'timestamp']);

export async function draftMap(input: DraftInput): Promise<Draft> {
  const all = new Map<string, TableSurvey>();
  for (const s of input.surveys) for (const t of s.tables) all.set(`${s.system}.${t.info.name}`, t);
  const ids = [...all.keys()];

  const fieldsOf = new Map(ids.map((id) => [id, personalColumns(all.get(id)!)]));
  const keys = new Map<string, string[]>();
  const tables = new Map<string, DraftTable>();
  for (const id of ids) {
    const t = all.get(id)!;
    const personal = new Set(fieldsOf.get(id)!.map((f) => f.column));
    const choice = chooseKey(t, (c) => personal.has(c));
    const base: DraftTable = {
      id,
      system: t.system,
      table: t.info.name,
      columns: t.info.columns.map((c) => c.name),
      key: [],
      keyGuess: { confidence: 'low', why: '' },
      identify: {},
      links: [],
      onErase: 'anonymize',
      onEraseWhy: '',
      fields: [],
      suggestions: [],
    };
    if (t.info.name.includes('.')) {
      base.blocked = 'outside the default schema: a data map names tables <system>.<table>; declare that schema as a system of its own (a URL whose search_path starts with it)';
    } else if ('blocked' in choice) base.blocked = choice.blocked;
    else {
      base.key = choice.key;
      base.keyGuess = choice.guess;
      keys.set(id, choice.key);
    }
    tables.set(id, base);
  }

  const people = new Set<string>();
  for (const [id, draft] of tables) {
    if (draft.blocked) continue;
    const found = identification(all.get(id)!);
    if (!found) continue;
    draft.identify = found.identify;
    draft.identifyGuess = found.guess;
    people.add(id);
  }

  const sources = { surveys: all, keys, connectors: input.connectors, log: input.log };
  const fk = foreignKeyEdges(sources);
  // A table whose email is unique only in the rows read, with a foreign key to a table of people, holds rows of
  // that person (a signup with its contact email), not people of its own.
  for (const e of fk.edges) {
    const draft = tables.get(e.from)!;
    if (people.has(e.to) && e.to !== e.from && draft.identifyGuess?.confidence === 'medium' && !Object.values(draft.identify).some((c) => all.get(e.from)!.columns.find((x) => x.info.name === c)?.info.unique)) {
      people.delete(e.from);
      draft.identify = {};
      draft.identifyGuess = undefined;
    }
  }
  const fkColumns = new Set(fk.edges.map((e) => `${e.from}.${e.column}`));
  const edges = [...fk.edges, ...(await valueEdges(sources, fkColumns))];
  const declarable = ids.filter((id) => keys.has(id));
  const personal = new Set(declarable.filter((id) => fieldsOf.get(id)!.length > 0));
  const plan = chooseLinks({ tables: declarable, people, personal, edges });

  const notes: string[] = [];
  const written: DraftTable[] = [];
  for (const id of ids) {
    const draft = tables.get(id)!;
    const t = all.get(id)!;
    draft.links = plan.links.get(id) ?? [];
    const linked = new Set(draft.links.filter((l) => !l.suggestionOnly).map((l) => l.column));
    // Key and link columns address rows: masking them would lose the row or the link it carries.
    draft.fields = fieldsOf.get(id)!.filter((f) => !linked.has(f.column) && (!draft.key.includes(f.column) || Object.values(draft.identify).includes(f.column)));
    draft.suggestions.push(...(fk.notes.get(id) ?? []));
    for (const c of t.columns.filter((x) => x.cards)) {
      draft.suggestions.push(`${c.info.name}: holds card numbers, which the policy promises are never stored: remove them (\`dsar scan\` lists the rows)`);
    }
    const dates = t.info.columns.filter((c) => DATES.has(c.family) && !draft.fields.some((f) => f.column === c.name && f.category.startsWith('identity.'))).map((c) => c.name);
    if (dates.length) draft.suggestions.push(`retention: <a rule under retention:>   (date columns a period may start at: ${dates.join(', ')})`);
    const birth = draft.fields.find((f) => f.category.startsWith('identity.birthdate') && f.guess.confidence === 'high');
    if (people.has(id) && birth) draft.child = { column: birth.column, under: 13, guess: { confidence: 'medium', why: 'the policy\'s children under 13, by this birth date' } };
    if (draft.blocked && !draft.fields.length) {
      notes.push(`${id}: no personal data found; not declared: ${draft.blocked}`);
      continue;
    }
    if (!draft.blocked && !plan.reached.has(id)) {
      if (!draft.fields.length) {
        const maybe = draft.links.filter((l) => l.suggestionOnly).map((l) => `${l.column} -> ${l.references} (${l.suggestionOnly})`);
        notes.push(`${id}: no personal data found and no identity reaches it: not declared${maybe.length ? `; suggested: ${maybe.join('; ')}` : ''}`);
        continue;
      }
      draft.unlinked = 'dsar datamap init found no identity or link to a person: review (link it, or keep it for retention sweeps only)';
    }
    setOnErase(draft);
    written.push(draft);
  }
  for (const s of input.surveys) for (const v of s.views) notes.push(`${s.system}.${v.name}: a view; dsar reads and changes the tables under it`);
  const identities = [...new Set(written.flatMap((d) => Object.keys(d.identify)))].filter((t) => t !== 'email').sort();
  return { identities, tables: written, notes };
}

/** Columns the detectors call personal, each with a mask that fits the live column (files: any mask fits). */
function personalColumns(t: TableSurvey): DraftField[] {
  return t.columns.flatMap((c) => {
    const j = c.judgement;
    if (!j || c.cards) return [];
    const guess: Guess = { confidence: levelOf(j.confidence), why: `${j.confidence.toFixed(2)}, ${j.detections[0]?.evidence ?? j.category}` };
    return [{ column: c.info.name, category: j.category, mask: suggestMask(j.category, t.info.kind === 'file' ? undefined : c.info, !c.wholeValues), guess }];
  });
}

/**
 * Nothing is deleted until someone decides it may be: rows with personal fields are anonymized, rows without are
 * kept (they carry nothing personal once their person's rows are masked). A file keyed by a personal value (an
 * email) is deleted from instead: masking the key would lose the row's name.
 */
function setOnErase(d: DraftTable): void {
  const maskedKey = d.key.some((k) => k !== ORDINAL_KEY && d.fields.some((f) => f.column === k && identifyingByDefault(f.category, {})));
  if (maskedKey) (d.onErase = 'delete'), (d.onEraseWhy = 'the key is personal: masking it would lose the row');
  else if (d.fields.length) (d.onErase = 'anonymize'), (d.onEraseWhy = 'personal fields masked, the row kept: choose delete where nothing must be kept');
  else (d.onErase = 'keep'), (d.onEraseWhy = 'no personal field: nothing to mask');
}
