// Is a CSV file whole? After a kill -9, a CSV that dsar rewrites must parse, strictly, and every record must be
// either what it was before the run or what it is after a finished run: never cut short, never half of a rewrite.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export interface CsvCheck {
  /** Problems found; empty when the file is whole. */
  problems: string[];
  /** Records that hold their final value (0 = untouched so far). */
  finished: number;
}

/**
 * Checks `text` against the file before (`before`) and after (`after`) a complete run, records matched by `key`.
 * A record may be missing only if it is missing after the complete run (a delete).
 */
export function checkCsvState(text: string, before: string, after: string, key: string): CsvCheck {
  const problems: string[] = [];
  let current: Array<Record<string, string>>;
  try {
    current = parseStrict(text);
  } catch (err) {
    return { problems: [`does not parse: ${(err as Error).message.split('\n')[0]}`], finished: 0 };
  }
  if (!text.endsWith('\r\n')) problems.push('does not end with its record separator (cut short?)');
  const old = byKey(parseStrict(before), key);
  const done = byKey(parseStrict(after), key);
  if (text.split('\r\n')[0] !== before.split('\r\n')[0]) problems.push('the header changed');
  let finished = 0;
  const seen = new Set<string>();
  for (const record of current) {
    const k = record[key];
    if (seen.has(k)) problems.push(`record ${k} appears twice`);
    seen.add(k);
    const was = old.get(k);
    const will = done.get(k);
    const same = (x: Record<string, string> | undefined) => x !== undefined && JSON.stringify(x) === JSON.stringify(record);
    if (same(will) && !same(was)) finished++;
    else if (!same(was) && !same(will)) problems.push(`record ${k} is neither its old nor its new value`);
  }
  for (const k of old.keys()) if (!seen.has(k) && done.has(k)) problems.push(`record ${k} is missing`);
  for (const k of seen) if (!old.has(k)) problems.push(`record ${k} was never there`);
  return { problems, finished };
}

function parseStrict(text: string): Array<Record<string, string>> {
  return parse(text, { columns: true, bom: true, relax_quotes: false, relax_column_count: false, skip_empty_lines: false });
}

function byKey(records: Array<Record<string, string>>, key: string): Map<string, Record<string, string>> {
  return new Map(records.map((r) => [r[key], r]));
}

/** Temp files a rewrite leaves behind (`.<name>.dsar-tmp-*`) in `dir`. */
export function tempFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('.dsar-tmp-')).map((n) => path.join(dir, n));
}
