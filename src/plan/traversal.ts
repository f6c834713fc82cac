// Where a subject's rows are: a plan built from the data map alone (printable before anything is read), and its
// breadth-first execution against the connectors. Export prints and runs it; erasure reuses it.
import { lookupRows } from './lookup.ts';
import pLimit from 'p-limit';
import type { Connector, KeyValues, Row } from '../../connectors/connector.ts';
import type { DataMap, Normalizer, TableDef } from '../datamap/types.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { DataMapError, SystemError, UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { rowIdentity, keyValues } from './row-identity.ts';

export interface TraversalIdentity {
  type: string;
  /** Already normalized with the identity type's normalizer. */
  value: string;
}

export interface TraversalStep {
  /** `system.table` queried by this step. */
  table: string;
  /**
   * `identity`: rows whose identity column holds one of the identities;
   * `references`: rows whose `column` points at rows already found (referenced row -> referencing rows);
   * `owns`: rows that rows already found point at with an `owns: true` link (owning row -> owned row, never back).
   */
  via: 'identity' | 'references' | 'owns';
  /** The column of `table` compared with the values. */
  column: string;
  /** `table.column` whose values of found rows are looked up (links only). */
  from?: string;
  /** The table and column of `from`, unambiguous even when names contain dots. */
  fromTable?: string;
  fromColumn?: string;
  /** The identity type (identity steps only). */
  identity?: string;
}

export interface TraversalPlan {
  identities: TraversalIdentity[];
  steps: TraversalStep[];
  /** Tables in breadth-first order from the identity tables; tables not listed cannot hold the subject's rows. */
  order: string[];
}

export interface FoundTable {
  table: TableDef;
  rows: Row[];
  /** Key values of each row (same order as `rows`); see row-identity.ts for tables without a declared key. */
  keys: KeyValues[];
  /** Descriptions of the steps that found rows here, e.g. `identity email`, `references app.users.id`. */
  reachedBy: string[];
}

export interface SubjectData {
  plan: TraversalPlan;
  /** `system.table` -> rows found, only tables where something was found, in plan order. */
  tables: Map<string, FoundTable>;
  /** Lookups sent: one per (step, chunk of new values) per round, however many rows they return. */
  queries: number;
  /** Breadth-first rounds run until nothing new was found. */
  rounds: number;
  /** Systems (or tables) that could not be read; what they hold is missing from `tables`. */
  unreachable: SystemError[];
}

export interface TraverseOptions {
  /** Values per IN (...) chunk (default 1,000). */
  chunkSize?: number;
  /** Systems queried at the same time (default 4). */
  concurrency?: number;
}

export const DEFAULT_CHUNK_SIZE = 1000;

/** The plan for `identities`: which tables are looked up by which column from where, in breadth-first order. Pure. */
export function planTraversal(map: DataMap, identities: readonly TraversalIdentity[]): TraversalPlan {
  for (const id of identities) {
    if (!map.identities[id.type]) {
      throw new UsageError(`--by: unknown identity type '${id.type}' (declared: ${Object.keys(map.identities).join(', ') || 'none'})`);
    }
  }
  if (map.unreachable.length > 0) throw new DataMapError(map.unreachable);
  const types = [...new Set(identities.map((i) => i.type))];
  const identitySteps: TraversalStep[] = [];
  for (const t of Object.values(map.tables)) {
    for (const type of types) {
      const column = t.identify[type];
      if (column !== undefined) identitySteps.push({ table: t.id, via: 'identity', column, identity: type });
    }
  }

  // Every link as a step from the table whose rows supply the values to the table they are looked up in.
  const linkSteps = new Map<string, TraversalStep[]>(); // source table -> steps it feeds
  const addLink = (source: string, step: TraversalStep) => {
    if (!map.tables[step.table]) return; // a link to an undeclared table: reported by validate
    linkSteps.set(source, [...(linkSteps.get(source) ?? []), step]);
  };
  for (const t of Object.values(map.tables)) {
    for (const link of t.links) {
      const ref = `${link.references.system}.${link.references.table}`;
      if (link.owns) {
        addLink(t.id, { table: ref, via: 'owns', column: link.references.column, from: `${t.id}.${link.column}`, fromTable: t.id, fromColumn: link.column });
      } else {
        addLink(ref, { table: t.id, via: 'references', column: link.column, from: `${ref}.${link.references.column}`, fromTable: ref, fromColumn: link.references.column });
      }
    }
  }

  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (table: string) => {
    if (!seen.has(table)) (seen.add(table), order.push(table));
  };
  identitySteps.forEach((s) => visit(s.table));
  const steps = [...identitySteps];
  for (let i = 0; i < order.length; i++) {
    for (const step of linkSteps.get(order[i]) ?? []) {
      steps.push(step);
      visit(step.table);
    }
  }
  return { identities: identities.map((i) => ({ type: i.type, value: i.value })), steps, order };
}

/** One line per step, for `--dry-run`. Identity values are not printed: the plan may end up in a ticket or a log. */
export function describeStep(s: TraversalStep): string {
  if (s.via === 'identity') return `${s.table} where ${s.column} = <${s.identity}>`;
  if (s.via === 'references') return `${s.table} where ${s.column} in ${s.from} (rows referencing found rows)`;
  return `${s.table} where ${s.column} in ${s.from} (rows owned by found rows)`;
}

function reachedByLabel(s: TraversalStep): string {
  return s.via === 'identity' ? `identity ${s.identity}` : `${s.via} ${s.from}`;
}

interface StepState {
  step: TraversalStep;
  /** Normalized values already looked up by this step: never asked twice. */
  asked: Set<string>;
  /** How many rows of the source table this step has taken values from (rows are only appended). */
  cursor: number;
}

interface TableState {
  found: FoundTable;
  seen: Set<string>;
  failed: boolean;
}

/**
 * Finds every row of the subject, breadth-first: each round looks up, per step, only the values that rows found in
 * earlier rounds brought in, one query per chunk of values, systems in parallel; it stops when a round finds nothing new.
 */
export async function traverse(
  map: DataMap,
  plan: TraversalPlan,
  connectors: Map<string, Connector>,
  log: Logger,
  opts: TraverseOptions = {},
): Promise<SubjectData> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const limit = pLimit(opts.concurrency ?? 4);
  const tables = new Map<string, TableState>();
  for (const id of plan.order) {
    tables.set(id, { found: { table: map.tables[id], rows: [], keys: [], reachedBy: [] }, seen: new Set(), failed: false });
  }
  const unreachable: SystemError[] = [];
  const missing = new Set<string>();
  const fail = (err: SystemError, state?: TableState) => {
    if (state) state.failed = true;
    unreachable.push(err);
    log.error({ system: err.system, table: err.table, err: err.message }, 'traversal could not read a table');
  };
  for (const id of plan.order) {
    const system = map.tables[id].system;
    if (!connectors.has(system) && !missing.has(system)) {
      missing.add(system);
      unreachable.push(new SystemError(system, undefined, 'not connected; its rows are missing'));
    }
  }

  const states: StepState[] = plan.steps.map((step) => ({ step, asked: new Set(), cursor: 0 }));
  let queries = 0;
  let rounds = 0;
  for (let first = true; ; first = false) {
    // What each step asks this round.
    const work: Array<{ state: StepState; values: string[] }> = [];
    for (const state of states) {
      const { step } = state;
      const target = tables.get(step.table)!;
      if (target.failed || !connectors.has(target.found.table.system)) continue;
      let candidates: string[];
      if (step.via === 'identity') {
        if (!first) continue;
        candidates = plan.identities.filter((i) => i.type === step.identity).map((i) => i.value);
      } else {
        const source = tables.get(step.fromTable!)!.found.rows;
        candidates = source.slice(state.cursor).map((r) => normalizeLinkValue(r[step.fromColumn!]));
        state.cursor = source.length;
      }
      const values = [...new Set(candidates.filter((v) => v !== '' && !state.asked.has(v)))];
      values.forEach((v) => state.asked.add(v));
      if (values.length) work.push({ state, values });
    }
    if (!work.length) break;
    rounds++;

    // One lane per system: a system's queries run one after another, systems side by side.
    const bySystem = new Map<string, typeof work>();
    for (const w of work) {
      const system = map.tables[w.state.step.table].system;
      bySystem.set(system, [...(bySystem.get(system) ?? []), w]);
    }
    const results = new Map<StepState, Row[]>();
    await Promise.all(
      [...bySystem].map(([system, items]) =>
        limit(async () => {
          const connector = connectors.get(system)!;
          for (const { state, values } of items) {
            const { step } = state;
            const target = tables.get(step.table)!;
            if (target.failed) continue;
            const def = target.found.table;
            const normalize: Normalizer | undefined = step.via === 'identity' ? map.identities[step.identity!].normalize : undefined;
            // A query per chunk of values: an IN (...) statement, or one pass over a file for the whole set.
            queries += Math.ceil(values.length / chunkSize);
            const rows: Row[] = [];
            try {
              for await (const chunk of lookupRows(connector, def.table, [step.column], values.map((v) => [v]), { normalize, chunkSize })) rows.push(...chunk);
            } catch (err) {
              // Connectors report what went wrong with a system as SystemError; anything else is a bug, not an outage.
              if (!(err instanceof SystemError)) throw err;
              fail(err, target);
              continue;
            }
            results.set(state, rows);
          }
        }),
      ),
    );

    // Merged in plan order after the round, so the result does not depend on which system answered first.
    let added = 0;
    for (const state of states) {
      const rows = results.get(state);
      if (!rows) continue;
      const target = tables.get(state.step.table)!;
      const def = target.found.table;
      let n = 0;
      for (const row of rows) {
        const id = rowIdentity(def, row);
        if (target.seen.has(id)) continue;
        target.seen.add(id);
        target.found.rows.push(row);
        target.found.keys.push(keyValues(def, row));
        n++;
      }
      const label = reachedByLabel(state.step);
      if (n && !target.found.reachedBy.includes(label)) target.found.reachedBy.push(label);
      added += n;
    }
    log.debug({ round: rounds, queries, newRows: added }, 'traversal round');
    if (!added) break;
  }

  const found = new Map<string, FoundTable>();
  for (const id of plan.order) {
    const t = tables.get(id)!;
    if (t.found.rows.length) found.set(id, t.found);
  }
  return { plan, tables: found, queries, rounds, unreachable };
}
