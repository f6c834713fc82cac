// Which way each suggested link runs, and which are left as suggestions. Rows of a table that references a table of
// people (or a table whose rows already belong to a person) belong to that person: `references`. A shared table
// without an identity that a person's row points at (an address) is owned by that row: `owns: true`, one way. Never
// a link that would make two people one subject: between two tables of people, from a row to a second person's
// table (the rep who answered the customer's ticket), or within one table.
import type { DraftLink } from './draft-types.ts';
import type { Edge } from './link-edges.ts';
import { nameMatch, personRank } from './people.ts';

/** A target named by fewer distinct values than this share of the rows that name it is shared, not owned (a store, not an address). */
const OWNED_SHARE = 0.5;
/** Rows needed before a low share says anything. */
const OWNED_MIN_ROWS = 10;

export interface LinkInput {
  /** Declarable tables, in the order they are written. */
  tables: readonly string[];
  /** Tables of people. */
  people: ReadonlySet<string>;
  /** Tables holding personal fields. */
  personal: ReadonlySet<string>;
  edges: readonly Edge[];
}

export interface LinkPlan {
  links: Map<string, DraftLink[]>;
  /** Table -> the table of people its rows belong to (people tables: themselves; owned tables: their owner's). */
  reached: Map<string, string>;
}

const widelyShared = (e: Edge) => e.spread !== undefined && e.spread.nonEmpty >= OWNED_MIN_ROWS && e.spread.distinct / e.spread.nonEmpty < OWNED_SHARE;

export function chooseLinks(input: LinkInput): LinkPlan {
  const links = new Map<string, DraftLink[]>(input.tables.map((t) => [t, []]));
  const reached = new Map<string, string>([...input.people].map((p) => [p, p]));
  const decided = new Set<Edge>();
  const add = (e: Edge, owns: boolean, suggestionOnly?: string) => {
    decided.add(e);
    links.get(e.from)!.push({ column: e.column, references: `${e.to}.${e.toColumn}`, owns, guess: e.guess, ...(suggestionOnly ? { suggestionOnly } : {}) });
  };
  const byPerson = (a: string, b: string) => personRank(a) - personRank(b) || (a < b ? -1 : 1);
  /** Tables reached because a person's row owns them (addresses), not because they belong to a person. */
  const owned = new Set<string>();

  for (const e of input.edges) {
    if (e.from === e.to) add(e, false, 'a link within one table: follow it only if both rows are always the same person\'s');
    else if (input.people.has(e.from) && input.people.has(e.to)) add(e, false, `links two tables of people (${e.from} and ${e.to}): one person's request would reach the other's rows`);
    else if (e.doubt) add(e, false, e.doubt);
  }

  // References, outwards from the people tables until nothing new is reached; a row belongs to one person.
  for (let changed = true; changed; ) {
    changed = false;
    for (const from of input.tables) {
      if (input.people.has(from)) continue;
      const out = input.edges.filter((e) => e.from === from && !decided.has(e) && reached.has(e.to));
      if (!out.length) continue;
      const root = reached.get(from) ?? [...new Set(out.map((e) => reached.get(e.to)!))].sort(byPerson)[0];
      // Two columns naming rows of one table name two of its rows (a message's sender and recipient): one is linked.
      const first = new Map<string, Edge>();
      for (const e of [...out].sort((a, b) => nameMatch(b.column, b.to) - nameMatch(a.column, a.to) || (a.column < b.column ? -1 : 1))) if (!first.has(e.to)) first.set(e.to, e);
      for (const e of out) {
        const other = reached.get(e.to)!;
        const chosen = first.get(e.to)!;
        if (other !== root) add(e, false, `${from} rows belong to one person (${root}); this column names another (${other}): declare it as a field if it is personal`);
        else if (chosen !== e) add(e, false, `${from} rows name two rows of ${e.to} (${chosen.column} is linked): a row belongs to one person; link the column of the person whose row it is`);
        else add(e, false);
      }
      if (!reached.has(from)) (reached.set(from, root), (changed = true));
    }
  }

  // Owned rows: a reached row's reference to a table no person's identity reaches, when that table holds personal data.
  for (let changed = true; changed; ) {
    changed = false;
    for (const from of input.tables) {
      if (!reached.has(from)) continue;
      for (const e of input.edges.filter((x) => x.from === from && !decided.has(x) && !reached.has(x.to))) {
        if (input.people.has(e.to)) continue; // handled as suggestions above
        if (!input.personal.has(e.to)) {
          add(e, false, `${e.to} holds no personal data found: not followed`);
          continue;
        }
        if (widelyShared(e)) {
          add(e, false, `${e.spread!.nonEmpty} rows read name only ${e.spread!.distinct} ${e.to} rows: a row shared that widely (a store, an office) is nobody's own; owning it would take it into every request`);
          continue;
        }
        add(e, true);
        owned.add(e.to);
        reached.set(e.to, reached.get(from)!);
        changed = true;
      }
    }
  }
  // What is left: a second person's row pointing at an owned row (its other owner: owns, as the first); else
  // suggestions: a person's row pointing at a row that belongs to someone (a member's household is its head's),
  // rows no identity reaches.
  for (const e of input.edges) {
    if (decided.has(e)) continue;
    if (reached.has(e.from) && input.people.has(e.to)) add(e, false, `${e.from} rows belong to ${reached.get(e.from)}; this column names a person of ${e.to}`);
    else if (reached.has(e.from) && owned.has(e.to) && !widelyShared(e)) add(e, true);
    else if (reached.has(e.from) && reached.has(e.to)) {
      add(e, false, `${e.to} rows are reached from their own person already: following this link would give them to ${e.from}'s person too`);
    } else add(e, false, `no identity reaches ${e.from}: link it to a table of people first`);
  }
  for (const list of links.values()) list.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  return { links, reached };
}
