// What `datamap init` learns from one live system: every table's shape (introspection) and, from a bounded sample
// of its rows, what each column holds (the scan's detectors), which columns are unique and non-empty in the rows
// read (key candidates), and a few distinct values of reference-like columns (to match links by value). Files are
// read whole: their key must be unique in the whole file, as `validate --live` checks it.
import pLimit from 'p-limit';
import type { ColumnInfo, Connector, Row, TableInfo } from '../../connectors/connector.ts';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import type { SystemKind } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { sampleTable } from '../scan/scan-table.ts';
import type { ValueDetector } from '../scan/detector.ts';
import { judgeCards } from '../scan/detectors/card.ts';
import { foldName } from '../scan/detectors/column-name.ts';
import { judgeColumn, REPORT_AT, type ColumnJudgement } from '../scan/judge.ts';
import { holdsWholeValues } from '../scan/whole-values.ts';

export interface ColumnSurvey {
  info: ColumnInfo;
  /** What the detectors say, when it points at personal data (at the scan's reporting confidence). */
  judgement?: ColumnJudgement;
  /** Emails or phones are the whole value, not inside longer text. */
  wholeValues: boolean;
  /** No two rows read share a non-empty value (compared as link values are). */
  uniqueInRows: boolean;
  /** Every row read has a value. */
  neverEmpty: boolean;
  /** Reference-like columns: rows read with a value, and the distinct values among them (how widely a target is shared). */
  nonEmpty: number;
  distinct: number;
  /** Up to LINK_VALUES distinct values of a reference-like column, as link values compare. */
  linkValues: string[];
  /** Holds card numbers (the policy promises none): a finding to fix, never a field to declare. */
  cards: boolean;
}

export interface TableSurvey {
  system: string;
  kind: SystemKind;
  info: TableInfo;
  columns: ColumnSurvey[];
  /** Rows read, and whether they are all of the table's rows. */
  rows: number;
  whole: boolean;
}

export interface SystemSurvey {
  system: string;
  kind: SystemKind;
  tables: TableSurvey[];
  views: TableInfo[];
}

export interface SurveyOptions {
  sample: number;
  detectors: readonly ValueDetector[];
  concurrency: number;
  log: Logger;
  onTable?: () => void;
}

/** Distinct values kept per reference-like column: enough to tell which table's key they come from. */
export const LINK_VALUES = 200;

/** `user_id`, `customerRef`, `account_uuid`, `order_no`: a column whose name says it points at a row elsewhere. */
export function referenceLike(column: string): boolean {
  return /(^|_)(id|ref|reference|uuid|guid|key|no|number|fk)$/.test(foldName(column));
}

const LINKABLE = new Set(['integer', 'text', 'uuid', 'decimal', 'other']);

export async function surveySystem(system: string, connector: Connector, opts: SurveyOptions): Promise<SystemSurvey> {
  const schema = await connector.introspect();
  const tables = schema.tables.filter((t) => t.kind !== 'view').sort((a, b) => (a.name < b.name ? -1 : 1));
  const views = schema.tables.filter((t) => t.kind === 'view').sort((a, b) => (a.name < b.name ? -1 : 1));
  const limit = pLimit(opts.concurrency);
  const surveyed = await Promise.all(
    tables.map((info) =>
      limit(async () => {
        try {
          return await surveyTable(system, connector, info, opts);
        } catch (err) {
          throw err instanceof SystemError ? err : new SystemError(system, info.name, err instanceof Error ? err.message : String(err));
        } finally {
          opts.onTable?.();
        }
      }),
    ),
  );
  return { system, kind: connector.kind, tables: surveyed, views };
}

async function surveyTable(system: string, connector: Connector, info: TableInfo, opts: SurveyOptions): Promise<TableSurvey> {
  const whole = info.kind === 'file';
  const columns = info.columns.filter((c) => c.family !== 'binary' && c.family !== 'boolean');
  // Per column: the values seen so far, until a repeat rules it out as a key or an identity. A whole file is read:
  // past the sample's size only the columns whose names could make a key or an identity keep their values.
  const seen = new Map<string, Set<string> | null>(columns.map((c) => [c.name, new Set<string>()]));
  const empty = new Set<string>();
  const linkValues = new Map<string, Set<string>>(columns.filter((c) => referenceLike(c.name) && LINKABLE.has(c.family)).map((c) => [c.name, new Set<string>()]));
  const spread = new Map<string, { nonEmpty: number; distinct: Set<string> }>([...linkValues.keys()].map((n) => [n, { nonEmpty: 0, distinct: new Set<string>() }]));
  let rows = 0;
  const onRows = (chunk: readonly Row[]) => {
    for (const row of chunk) {
      rows++;
      if (rows === opts.sample + 1) for (const name of seen.keys()) if (!keyOrIdentityName(name, info.name)) seen.set(name, null);
      for (const [name, values] of seen) {
        const v = normalizeLinkValue(row[name]);
        if (v === '') empty.add(name);
        else if (values?.has(v)) seen.set(name, null);
        else values?.add(v);
      }
      for (const [name, values] of linkValues) {
        const v = normalizeLinkValue(row[name]);
        if (v === '') continue;
        if (values.size < LINK_VALUES) values.add(v);
        const s = spread.get(name)!;
        if (rows <= opts.sample) (s.nonEmpty++, s.distinct.add(v));
      }
    }
  };
  // A seeded generator: the same file gives the same reservoir, so init writes the same map twice.
  const sample = await sampleTable(connector, { system, info, columns }, { sample: opts.sample, full: whole, repeatable: true, random: seeded(1), onRows });
  opts.log.debug({ system, table: info.name, method: sample.method, rows: sample.rows, queries: sample.queries }, 'table surveyed');
  const surveys = columns.map((c): ColumnSurvey => {
    const collector = sample.collectors.get(c.name)!;
    const judged = judgeColumn(collector.values(), info.name, opts.detectors);
    const judgement = judged && judged.confidence >= REPORT_AT ? judged : undefined;
    return {
      info: c,
      judgement,
      wholeValues: judgement ? holdsWholeValues(judgement.category, collector) : true,
      uniqueInRows: rows > 0 && seen.get(c.name) !== null && seen.get(c.name)!.size > 0,
      neverEmpty: rows > 0 && !empty.has(c.name),
      nonEmpty: spread.get(c.name)?.nonEmpty ?? 0,
      distinct: spread.get(c.name)?.distinct.size ?? 0,
      linkValues: [...(linkValues.get(c.name) ?? [])].sort(),
      cards: judgeCards(collector.cards, collector.issuerShaped).kind === 'cards',
    };
  });
  return { system, kind: connector.kind, info, columns: surveys, rows, whole: whole || sample.method === 'full' || rows < opts.sample };
}

/** `id`, `user_id`, `email`, `phone`: names a key or an identity column could have (files past the sample keep only these). */
function keyOrIdentityName(column: string, table: string): boolean {
  const name = foldName(column);
  return referenceLike(column) || /(^|_)(e_?mail|mail|phone|mobile|tel|code|uuid|guid)($|_)/.test(name) || name === foldName(table).replace(/s$/, '');
}

/** mulberry32: a small, fast, seeded generator (reservoir slots only; nothing secret depends on it). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
