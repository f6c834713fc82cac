// One text for one value: object keys sorted at every depth, no whitespace, undefined members dropped.
// The ledger hashes this text, so the same entry hashes the same on every engine and every Node version.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON(): unknown }).toJSON());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => write(v)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && typeof v !== 'function')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/**
 * The hash of an entry of a hash-chained table: SHA-256 over the canonical JSON of the fields `hashed` names (every
 * stored field but the hash, prev_hash included). Typed as a record of the row's keys, so a field cannot be left out.
 */
export function chainedHash<T extends object>(row: T, hashed: Record<keyof T, true>): string {
  const fields = Object.fromEntries(Object.keys(hashed).map((k) => [k, row[k as keyof T]]));
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}
