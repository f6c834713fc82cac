// Which columns name one row of a table: the primary key, else a unique index over NOT NULL columns, else (files,
// which have no constraints) a column unique and never empty in the whole file, else a file's row numbers. A SQL
// table with none of these cannot be declared: `validate --live` refuses a key without a constraint, because rows
// sharing it would be exported, erased and swept as one.
import { ORDINAL_KEY } from '../../connectors/connector.ts';
import { foldName } from '../scan/detectors/column-name.ts';
import type { Guess } from './draft-types.ts';
import type { TableSurvey } from './survey.ts';

export type KeyChoice = { key: string[]; guess: Guess } | { blocked: string };

/** `id`, `uuid`, `<table>_id`: names that say "this row's own identifier". */
function ownIdName(column: string, table: string): boolean {
  const name = foldName(column);
  const singular = foldName(table).replace(/s$/, '');
  return ['id', 'uuid', 'guid', 'key', `${singular}_id`, `${foldName(table)}_id`].includes(name);
}

export function chooseKey(t: TableSurvey, personal: (column: string) => boolean): KeyChoice {
  const info = t.info;
  if (info.primaryKey.length) return { key: info.primaryKey, guess: { confidence: 'high', why: 'primary key' } };
  const notNull = (c: string) => info.columns.find((x) => x.name === c)?.nullable === false;
  const index = info.indexes.filter((i) => i.unique && i.columns.every(notNull)).sort((a, b) => a.columns.length - b.columns.length || (a.name < b.name ? -1 : 1))[0];
  if (index) return { key: index.columns, guess: { confidence: 'high', why: `unique index ${index.name} over NOT NULL columns` } };
  const unique = t.columns.filter((c) => c.uniqueInRows && c.neverEmpty).map((c) => c.info.name);
  if (info.kind === 'file') {
    // A row's own identifier first; a personal column (an email) only when nothing else is unique.
    const pick = unique.find((c) => ownIdName(c, info.name)) ?? unique.find((c) => !personal(c)) ?? unique[0];
    if (pick) return { key: [pick], guess: { confidence: 'medium', why: `unique and never empty in all ${t.rows} rows of the file` } };
    return { key: [ORDINAL_KEY], guess: { confidence: 'low', why: 'no column is unique: rows are named by their number, and each row\'s content is checked before it is changed' } };
  }
  const candidate = unique.find((c) => ownIdName(c, info.name)) ?? unique[0];
  return {
    blocked: `no primary key or unique constraint: dsar could not address one row without touching another's. ${candidate ? `\`${candidate}\` is unique in the ${t.rows} rows read; ` : ''}add a primary key, then run \`dsar datamap init --merge\``,
  };
}
