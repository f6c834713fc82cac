// The links a schema and its data suggest, before anyone decides which way they run: every single-column foreign
// key, and reference-like columns (`customer_ref`, `user_id` in a system without foreign keys, a CSV export) whose
// sampled values are keys of a table whose name they point at, in the same system or another one. Values are looked
// up with the connector's chunked IN (...), one statement per chunk, never one per value.
import type { Connector } from '../../connectors/connector.ts';
import { linkTypesCompatible, ORDINAL_KEY } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { Logger } from '../log.ts';
import type { Guess } from './draft-types.ts';
import { nameMatch } from './people.ts';
import type { TableSurvey } from './survey.ts';

export interface Edge {
  /** `system.table` of the referencing row. */
  from: string;
  column: string;
  /** `system.table` of the referenced row, and its key column. */
  to: string;
  toColumn: string;
  guess: Guess;
  /** Written as a commented suggestion only, for this reason. */
  doubt?: string;
  /** Of the rows read, how many name a row and how many distinct rows they name (when the column was measured). */
  spread?: { nonEmpty: number; distinct: number };
}

export interface EdgeSources {
  surveys: ReadonlyMap<string, TableSurvey>;
  /** The key chosen for each declarable table. */
  keys: ReadonlyMap<string, string[]>;
  connectors: ReadonlyMap<string, Connector>;
  log: Logger;
}

/** Of a reference's sampled values, the share that must be keys of the table it points at. */
const MATCH_SHARE = 0.9;
/** Sampled whole numbers below this many make a value match weak. */
const STRONG_MATCH = 20;
/** Other values (UUIDs, codes) below this many make a value match weak. */
const WEAK_MATCH = 5;


/** Foreign keys of one column whose target is a declarable table's single-column key or unique column. */
export function foreignKeyEdges(s: EdgeSources): { edges: Edge[]; notes: Map<string, string[]> } {
  const edges: Edge[] = [];
  const notes = new Map<string, string[]>();
  const note = (id: string, text: string) => notes.set(id, [...(notes.get(id) ?? []), text]);
  for (const [id, t] of s.surveys) {
    if (!s.keys.has(id)) continue;
    for (const fk of t.info.foreignKeys) {
      const to = `${t.system}.${fk.refTable}`;
      if (fk.columns.length !== 1) {
        note(id, `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${to} (${fk.refColumns.join(', ')}): a link follows one column; link the column that names the person's row`);
        continue;
      }
      if (!s.keys.has(to)) {
        note(id, `foreign key ${fk.columns[0]} -> ${to}: that table is not declared (see its entry or the notes at the end)`);
        continue;
      }
      edges.push({ from: id, column: fk.columns[0], to, toColumn: fk.refColumns[0], guess: { confidence: 'high', why: `foreign key ${fk.name}` }, ...spreadOf(t, fk.columns[0]) });
    }
  }
  return { edges, notes };
}

/** Reference-like columns without a foreign key, matched by value against the keys of the tables their names point at. */
export async function valueEdges(s: EdgeSources, fkColumns: ReadonlySet<string>): Promise<Edge[]> {
  const targets = [...s.keys].filter(([, key]) => key.length === 1 && key[0] !== ORDINAL_KEY).map(([id, key]) => ({ id, key: key[0], survey: s.surveys.get(id)! }));
  const edges: Edge[] = [];
  for (const [id, t] of s.surveys) {
    if (!s.keys.has(id)) continue;
    const ownKey = s.keys.get(id)!;
    for (const c of t.columns) {
      if (c.linkValues.length < 2 || fkColumns.has(`${id}.${c.info.name}`) || (ownKey.length === 1 && ownKey[0] === c.info.name)) continue;
      const found: Array<{ to: string; toColumn: string; name: number; share: number }> = [];
      for (const target of targets) {
        if (target.id === id) continue;
        const name = nameMatch(c.info.name, target.survey.info.name);
        const keyInfo = target.survey.info.columns.find((x) => x.name === target.key);
        if (name === 0 || !keyInfo || !linkTypesCompatible(c.info.family, keyInfo.family)) continue;
        const share = await shareFound(s, target.id, target.key, c.linkValues);
        if (share >= MATCH_SHARE) found.push({ to: target.id, toColumn: target.key, name, share });
      }
      found.sort((a, b) => b.name - a.name || b.share - a.share || (a.to < b.to ? -1 : 1));
      const [best, second] = found;
      if (!best) continue;
      const n = c.linkValues.length;
      const why = `${Math.round(best.share * n)} of ${n} sampled values are ${best.to}.${best.toColumn} values${best.name === 2 ? '' : ', and the name points at a table of people'}`;
      // Small whole numbers are keys of every table numbered from 1: only a name that says which, and many of them, count.
      const numbers = c.linkValues.every((v) => /^-?\d+$/.test(v));
      const strong = numbers ? best.name === 2 && n >= STRONG_MATCH : n >= WEAK_MATCH;
      const tie = second && second.name === best.name && second.share === best.share ? `the values are keys of ${second.to} as well` : undefined;
      const doubt = tie ?? (strong ? undefined : 'a value match this weak may be chance (numbered ids match any table numbered from 1): check it, then write it as a link');
      edges.push({ from: id, column: c.info.name, to: best.to, toColumn: best.toColumn, guess: { confidence: strong ? 'medium' : 'low', why }, ...(doubt ? { doubt } : {}), ...spreadOf(t, c.info.name) });
    }
  }
  return edges;
}

function spreadOf(t: TableSurvey, column: string): { spread?: Edge['spread'] } {
  const c = t.columns.find((x) => x.info.name === column);
  return c && c.nonEmpty ? { spread: { nonEmpty: c.nonEmpty, distinct: c.distinct } } : {};
}

async function shareFound(s: EdgeSources, table: string, column: string, values: readonly string[]): Promise<number> {
  const survey = s.surveys.get(table)!;
  const connector = s.connectors.get(survey.system)!;
  const wanted = new Set(values);
  const hit = new Set<string>();
  for await (const rows of connector.rowsWhereIn(survey.info.name, column, values, { columns: [column] })) {
    for (const row of rows) {
      const v = normalizeLinkValue(row[column]);
      if (wanted.has(v)) hit.add(v);
    }
  }
  s.log.debug({ table, column, values: values.length, found: hit.size }, 'link values matched');
  return hit.size / values.length;
}
