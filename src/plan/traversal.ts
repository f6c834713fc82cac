// Where a subject's rows are: a plan built from the data map alone (printable before anything is read), and what its
// execution (src/ops/traverse.ts) finds. Export prints and runs it; erasure reuses it.
import type { KeyValues, Row } from '../../connectors/connector.ts';
import type { DataMap, TableDef } from '../datamap/types.ts';
import { DataMapError, type SystemError, UsageError } from '../errors.ts';

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
