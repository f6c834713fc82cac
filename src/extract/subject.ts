// Whose each row of an extract's source is: k and l count distinct subjects, never rows (one customer's seven
// invoices are one person, not a class of seven). Found, in this order, from the extract's `links:`, its
// `subject:`, or the declared table it reads (its key when it identifies subjects, else its link to a table that
// does). A record-level extract whose subject cannot be known is refused; the message says how to declare one.
import type { DataMap, ExtractDef, TableDef } from '../datamap/types.ts';

export interface ExtractSubject {
  /** The source column whose value names the subject. */
  column: string;
  /** How it was determined, in words for the risk report. */
  how: string;
  /** Each row is a different subject (the column is the source's key or unique and NOT NULL): rows count as subjects. */
  unique: boolean;
}

export interface SubjectSource {
  primaryKey: readonly string[];
  uniqueColumns: readonly string[];
}

export function extractSubject(map: DataMap, def: ExtractDef, source: SubjectSource): ExtractSubject | { problem: string } {
  const from = `${def.from.system}.${def.from.table}`;
  const unique = (column: string) => source.uniqueColumns.includes(column) || (source.primaryKey.length === 1 && source.primaryKey[0] === column);
  const link = def.links[0];
  if (link) {
    const ref = `${link.references.system}.${link.references.table}.${link.references.column}`;
    return { column: link.column, how: `links: ${link.column} references ${ref}`, unique: unique(link.column) };
  }
  if (def.subject !== undefined) return { column: def.subject, how: `subject: ${def.subject}`, unique: unique(def.subject) };
  const declared: TableDef | undefined = map.tables[from];
  if (declared && Object.keys(declared.identify).length > 0) {
    // Each row its own subject only where the source proves the key unique (a constraint; never a file's word).
    if (declared.key.length === 1) return { column: declared.key[0], how: 'the key of the declared table, which identifies its subjects', unique: unique(declared.key[0]) };
    return { problem: `${from} has a composite key (${declared.key.join(', ')}): name the column that identifies the person with \`subject:\`` };
  }
  const toPerson = declared?.links.find((l) => !l.owns && Object.keys(map.tables[`${l.references.system}.${l.references.table}`]?.identify ?? {}).length > 0);
  if (toPerson) {
    const ref = `${toPerson.references.system}.${toPerson.references.table}.${toPerson.references.column}`;
    return { column: toPerson.column, how: `${from}.${toPerson.column} references ${ref}`, unique: unique(toPerson.column) };
  }
  return {
    problem: `dsar cannot tell whose each row of ${from} is, so k would count rows, not people: name the column that identifies the person with \`subject: <column>\`, or link the rows to a declared table with \`links: [{ column: <column>, references: <system.table.column> }]\` (where each row is a different person, \`subject:\` may name the key)`,
  };
}
