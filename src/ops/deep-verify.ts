// The deep check (`dsar verify <identity>`, `dsar erase ... --verify-deep`): where the ordinary verification looks
// only at the columns the data map declares, this searches every text-like column of every table and file of every
// system, declared or not, for the subject's identity values, contained anywhere in the text (an email quoted in a
// support note counts). One streamed statement per table, the match made in SQL (LIKE on the column normalized as
// the identity is), so only matching rows reach the process; files stream past once. Hits are reported by
// system.table.column and key, never by value; a key that is text is shown by keyed hash, as it may be the value.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { isSqlConnector, type ColumnInfo, type Connector, type Row, type SqlConnector, type TableInfo } from '../../connectors/connector.ts';
import { normalizeIdentity } from '../datamap/normalize.ts';
import type { DataMap, Normalizer } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import { keyedHash } from './verify.ts';

/** Families whose values are text, or print as text an identity could be part of. */
const TEXT_LIKE = new Set<ColumnInfo['family']>(['text', 'json', 'other']);
/** Shorter values match too much text to mean anything (a 3-digit phone fragment). */
const MIN_VALUE_LENGTH = 5;
/** Hits listed at most; the count goes on. */
const MAX_HITS = 1000;
const FILE_BATCH = 5000;
/** LIKE's escape character, the same on every engine (SQLite has no default one). */
const ESCAPE = '!';

export interface DeepValue {
  /** Already normalized as the identity type says. */
  value: string;
  normalize: Normalizer;
}

export interface DeepHit {
  system: string;
  table: string;
  column: string;
  /** The row's key as shown: numbers as they are, text by keyed hash (`#3f2a...`), files without a key by row number. */
  key: string;
  /** The column is declared in the data map (`fields` or `identify`). */
  declared: boolean;
  /** The table is declared `on_erase: keep`: left on purpose. */
  retained: boolean;
}

export interface DeepReport {
  clean: boolean;
  searched: { systems: number; tables: number; columns: number };
  hits: DeepHit[];
  /** Hits beyond those listed. */
  moreHits: number;
  unreachable: string[];
}

export async function deepVerify(map: DataMap, connectors: ReadonlyMap<string, Connector>, identities: readonly DeepValue[], hmacKey: Buffer): Promise<DeepReport> {
  const values = dedupe(identities.filter((v) => v.value.length >= MIN_VALUE_LENGTH));
  const report: DeepReport = { clean: true, searched: { systems: 0, tables: 0, columns: 0 }, hits: [], moreHits: 0, unreachable: [] };
  const hashed = keyedHash(hmacKey);
  const keyText = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : hashed(v));
  const add = (hit: DeepHit) => {
    if (!hit.retained) report.clean = false;
    if (report.hits.length < MAX_HITS) report.hits.push(hit);
    else report.moreHits++;
  };
  for (const system of Object.keys(map.systems)) {
    const c = connectors.get(system);
    if (!c) {
      report.unreachable.push(system);
      report.clean = false;
      continue;
    }
    let tables: TableInfo[];
    try {
      tables = (await c.introspect()).tables.filter((t) => t.kind !== 'view');
    } catch (err) {
      report.unreachable.push(err instanceof SystemError ? err.message : system);
      report.clean = false;
      continue;
    }
    report.searched.systems++;
    for (const t of tables) {
      const columns = t.columns.filter((col) => TEXT_LIKE.has(col.family) || t.kind === 'file');
      if (!columns.length || !values.length) continue;
      report.searched.tables++;
      report.searched.columns += columns.length;
      const def = map.tables[`${system}.${t.name}`];
      const declaredColumns = new Set([...Object.values(def?.fields ?? {}).map((f) => f.column), ...Object.values(def?.identify ?? {})]);
      const hitIn = (row: Row, key: string) => {
        for (const col of columns) {
          const v = row[col.name];
          if (v === null || v === undefined) continue;
          const text = typeof v === 'string' ? v : Buffer.isBuffer(v) ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          if (values.some((x) => normalizeIdentity(x.normalize, text).includes(x.value))) {
            add({ system, table: t.name, column: col.name, key, declared: declaredColumns.has(col.name), retained: def?.onErase === 'keep' });
          }
        }
      };
      try {
        if (isSqlConnector(c)) {
          const key = def?.key.length ? def.key : t.primaryKey;
          for await (const rows of c.streamRows(matchingRows(c, t, columns, key, values), { table: t.name })) {
            for (const row of rows) hitIn(row, key.length ? `(${key.map((k) => keyText(row[k])).join(', ')})` : '(no key)');
          }
        } else {
          let n = 0;
          const key = def?.key ?? [];
          for await (const rows of c.batches(t.name, [], { batchSize: FILE_BATCH })) {
            for (const row of rows) hitIn(row, key.length ? `(${key.map((k) => keyText(row[k])).join(', ')})` : `row ${++n}`);
          }
        }
      } catch (err) {
        report.unreachable.push(err instanceof SystemError ? err.message : new SystemError(system, t.name, (err as Error).message).message);
        report.clean = false;
      }
    }
  }
  return report;
}

/** The table's rows where some text-like column contains some value, with their key and those columns. */
function matchingRows(c: SqlConnector, t: TableInfo, columns: readonly ColumnInfo[], key: readonly string[], values: readonly DeepValue[]): RawBuilder<Row> {
  const conditions: RawBuilder<SqlBool>[] = [];
  for (const col of columns) {
    const text = col.family === 'text' ? sql.id(col.name) : c.asText(sql.id(col.name));
    for (const v of values) {
      const target = v.normalize === 'none' || v.normalize === 'trim' ? text : c.normalized(text, v.normalize);
      conditions.push(sql<SqlBool>`${target} like ${`%${escapeLike(v.value)}%`} escape ${ESCAPE}`);
    }
  }
  const select = sql.join([...new Set([...key, ...columns.map((col) => col.name)])].map((name) => sql.id(name)));
  return sql<Row>`select ${select} from ${c.tableRef(t.name)} where ${sql.join(conditions, sql` or `)}`;
}

/** The subject's identity values (identity type -> normalized values) as the deep check takes them. */
export function deepValues(map: DataMap, identities: ReadonlyMap<string, ReadonlySet<string>>): DeepValue[] {
  return [...identities].flatMap(([type, set]) => [...set].map((value) => ({ value, normalize: map.identities[type]?.normalize ?? 'none' })));
}

function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (ch) => ESCAPE + ch);
}

function dedupe(values: readonly DeepValue[]): DeepValue[] {
  const seen = new Map<string, DeepValue>();
  for (const v of values) seen.set(`${v.normalize}:${v.value}`, v);
  return [...seen.values()];
}

