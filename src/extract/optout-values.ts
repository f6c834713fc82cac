// Opted-out subjects are stored as keyed hashes of their normalized identity (the state never holds a raw
// identity), and a hash cannot be turned back into a value. So the extract hashes the source's identity values
// instead: each identity column's DISTINCT values stream past once, the few whose hash is an opt-out are kept, and
// from then on every query excludes them with NOT IN in the database. No opt-out for the scope: nothing to scan.
import type { IdentityType } from '../datamap/types.ts';
import { normalizeIdentity } from '../datamap/normalize.ts';
import { textOf } from './generalize-value.ts';

/** Identity column -> its raw values that belong to opted-out subjects. */
export type ExcludedValues = Map<string, unknown[]>;

export interface OptOutMatcher {
  /** Identity type, its column in the source and how its values are normalized before hashing. */
  identities: Array<{ type: string; column: string; normalize: IdentityType['normalize'] }>;
  /** Subject hashes opted out of the extract's scope. */
  hashes: ReadonlySet<string>;
  /** store.subjectHash */
  hash(identityType: string, normalizedValue: string): string;
}

/** True when `value` of the identity column is an opted-out subject's. */
export function optedOut(matcher: OptOutMatcher, identity: OptOutMatcher['identities'][number], value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const normalized = normalizeIdentity(identity.normalize, textOf(value));
  return normalized !== '' && matcher.hashes.has(matcher.hash(identity.type, normalized));
}

/** The raw values to exclude, found by streaming each identity column's (distinct) values once. */
export async function excludedValues(matcher: OptOutMatcher, distinctValues: (column: string) => AsyncIterable<unknown[]>): Promise<ExcludedValues> {
  const out: ExcludedValues = new Map();
  if (!matcher.hashes.size) return out;
  for (const identity of matcher.identities) {
    const found = new Map((out.get(identity.column) ?? []).map((v) => [textOf(v), v]));
    for await (const values of distinctValues(identity.column)) {
      for (const v of values) if (!found.has(textOf(v)) && optedOut(matcher, identity, v)) found.set(textOf(v), v);
    }
    out.set(identity.column, [...found.values()]);
  }
  return out;
}

/** How many raw values are excluded in all. */
export function excludedCount(excluded: ExcludedValues): number {
  let n = 0;
  for (const values of excluded.values()) n += values.length;
  return n;
}
