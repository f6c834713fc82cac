// Which tables identify a person (one row per person, found by an email or a phone), and which of several such
// tables a shared row belongs to: the customer, not the support rep who answered the ticket.
import { isUnder } from '../datamap/taxonomy.ts';
import { foldName } from '../scan/detectors/column-name.ts';
import type { Guess } from './draft-types.ts';
import type { ColumnSurvey, TableSurvey } from './survey.ts';

/** Identity type -> the category whose whole values it finds people by. */
export const IDENTITY_CATEGORIES: ReadonlyArray<[type: string, category: string]> = [
  ['email', 'contact.email'],
  ['phone', 'contact.phone'],
];

export interface Identification {
  identify: Record<string, string>;
  guess: Guess;
}

function holds(c: ColumnSurvey, category: string): boolean {
  return c.judgement !== undefined && isUnder(c.judgement.category, category) && c.wholeValues;
}

/**
 * The identity columns of a table of people: a whole-valued email (or phone) column that no two rows share. A
 * table where the same email repeats (orders with a contact email) holds rows of a person, not the person.
 */
export function identification(t: TableSurvey): Identification | undefined {
  const uniqueness = (c: ColumnSurvey) => (c.info.unique ? 'a unique constraint' : c.uniqueInRows ? `no repeat in the ${t.rows} rows read` : undefined);
  const identify: Record<string, string> = {};
  const why: string[] = [];
  let confidence: Guess['confidence'] = 'high';
  for (const [type, category] of IDENTITY_CATEGORIES) {
    // Only a value no two rows share finds one person: a family's shared phone would reach all of them.
    const column = t.columns.find((c) => holds(c, category) && uniqueness(c) !== undefined);
    if (!column) continue;
    identify[type] = column.info.name;
    why.push(`${column.info.name}: ${column.judgement!.category}, ${uniqueness(column)}`);
    if (!column.info.unique) confidence = 'medium';
  }
  return Object.keys(identify).length ? { identify, guess: { confidence, why: why.join('; ') } } : undefined;
}

const CUSTOMERS = /^(users?|customers?|clients?|members?|accounts?|persons?|people|profiles?|subscribers?|patients?|students?|buyers?|shoppers?|contacts?|leads?|kunden?|guests?)$/;
const STAFF = /^(agents?|reps?|representatives?|staff|employees?|admins?|administrators?|operators?|moderators?|support_agents?|support_reps?|sellers?|vendors?|mitarbeiter)$/;

/** Orders people tables: customers first, staff last, then by name (the rows a subject request is about). */
export function personRank(table: string): number {
  const name = foldName(table.split('.').pop()!);
  return CUSTOMERS.test(name) ? 0 : STAFF.test(name) ? 2 : 1;
}

/** `user_id` -> `user`, `customerRef` -> `customer`: the thing a reference-like column names. */
export function referenceStem(column: string): string {
  return foldName(column).replace(/_?(id|ref|reference|uuid|guid|key|no|number|fk)$/, '').replace(/_$/, '');
}

/** How well a column's name points at a table: 2 by its own name (`order_id` -> orders), 1 a person word for a table of people, 0 not. */
export function nameMatch(column: string, table: string): number {
  const stem = referenceStem(column);
  const target = foldName(table.split('.').pop()!);
  if (!stem) return 0;
  const forms = (w: string) => [w, `${w}s`, `${w}es`, w.replace(/y$/, 'ies')];
  // `shipping_address_id` -> addresses: any tail of the stem's words, singular or plural.
  const words = stem.split('_');
  if (words.some((_, i) => forms(words.slice(i).join('_')).includes(target))) return 2;
  const lastWord = stem.split('_').pop()!;
  return CUSTOMERS.test(lastWord) && CUSTOMERS.test(target) ? 1 : 0;
}
