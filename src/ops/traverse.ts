// The breadth-first execution of a traversal plan against the connectors: every row of the subject, a round at a
// time, one IN (...) query per chunk of values, systems side by side.
import pLimit from 'p-limit';
import type { Connector, Row } from '../../connectors/connector.ts';
import type { DataMap, Normalizer } from '../datamap/types.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { SystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { FoundTable, SubjectData, TraversalPlan, TraversalStep } from '../plan/traversal.ts';
import { keyValues, rowIdentity } from '../plan/row-identity.ts';
import { lookupRows } from './lookup.ts';

export interface TraverseOptions {
  /** Values per IN (...) chunk (default 1,000). */
  chunkSize?: number;
  /** Systems queried at the same time (default 4). */
  concurrency?: number;
}

export const DEFAULT_CHUNK_SIZE = 1000;

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
