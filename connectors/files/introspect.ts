// What introspect() says about one file: its columns (the CSV header, or the keys of the first JSON objects with
// a type family inferred from their values) and a row estimate from the file size and the sampled records.
import type { ColumnInfo, TableInfo, TypeFamily } from '../connector.ts';
import type { SourceRecord } from './codec.ts';

/** Records sampled for JSON columns and for the row estimate. */
export const SAMPLE_RECORDS = 200;

export async function describeFile(
  name: string,
  fileSize: number,
  headerColumns: string[] | undefined,
  records: AsyncIterable<SourceRecord>,
): Promise<TableInfo> {
  const sampler = new ColumnSampler();
  let count = 0;
  let bytes = 0;
  let complete = true;
  for await (const record of records) {
    if (count === SAMPLE_RECORDS) {
      complete = false;
      break;
    }
    count++;
    bytes += record.size;
    if (!headerColumns) sampler.add(record.row);
  }
  const estimatedRows = complete || bytes === 0 ? count : Math.round(count * (fileSize / bytes));
  return {
    name,
    kind: 'file',
    columns: headerColumns ? headerColumns.map(textColumn) : sampler.columns(count),
    primaryKey: [],
    indexes: [],
    foreignKeys: [],
    partitions: [],
    partitionKey: [],
    triggers: [],
    estimatedRows,
  };
}

/** A CSV column: text that may be empty. */
function textColumn(name: string): ColumnInfo {
  return { name, type: 'text', family: 'text', nullable: true, maxLength: null, unique: false };
}

interface Seen {
  jsonTypes: Set<string>;
  families: Set<TypeFamily>;
  present: number;
  nulls: number;
}

/** Keys in first-seen order, with the JSON types and families of their values. */
class ColumnSampler {
  private readonly seen = new Map<string, Seen>();

  add(row: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(row)) {
      let s = this.seen.get(name);
      if (!s) this.seen.set(name, (s = { jsonTypes: new Set(), families: new Set(), present: 0, nulls: 0 }));
      s.present++;
      if (value === null) {
        s.nulls++;
        continue;
      }
      s.jsonTypes.add(Array.isArray(value) ? 'array' : typeof value);
      s.families.add(familyOf(value));
    }
  }

  columns(records: number): ColumnInfo[] {
    return [...this.seen].map(([name, s]) => ({
      name,
      type: s.jsonTypes.size ? [...s.jsonTypes].join('|') : 'null',
      family: combinedFamily(s.families),
      nullable: s.nulls > 0 || s.present < records,
      maxLength: null,
      unique: false,
    }));
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function familyOf(value: unknown): TypeFamily {
  switch (typeof value) {
    case 'string':
      return DATE.test(value) ? 'date' : TIMESTAMP.test(value) ? 'timestamp' : 'text';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'float';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

/** One family for a column whose sampled values differ: numbers widen to float, dates to timestamps or text. */
function combinedFamily(families: Set<TypeFamily>): TypeFamily {
  if (families.size === 0) return 'other';
  if (families.size === 1) return [...families][0];
  const all = (...allowed: TypeFamily[]) => [...families].every((f) => allowed.includes(f));
  if (all('integer', 'float')) return 'float';
  if (all('date', 'timestamp')) return 'timestamp';
  if (all('date', 'timestamp', 'text')) return 'text';
  return 'other';
}
