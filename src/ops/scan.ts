// `dsar scan [--system S] [--sample N] [--full] [--sarif FILE]`: discovery. Every system is introspected and
// sampled (a bounded sample per table, whatever its size), and the detectors' verdicts are compared with the data
// map: undeclared personal data, card numbers (the policy promises none), declared tables and columns that are
// gone, declared columns whose values do not look like their category. Exit 1 when anything must be acted on.
import type { DataMap } from '../datamap/types.ts';
import { UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { valueDetectors } from '../scan/detectors/index.ts';
import { findingLines, isClean, type ScanReport } from '../scan/report.ts';
import { snippetBlock } from '../scan/snippet.ts';
import { emptyScan, scanSystem, type SystemScan } from './scan-system.ts';
import { openSystems } from './systems.ts';

export interface ScanOptions {
  /** Systems to scan (default: every declared one). */
  systems?: string[];
  /** Rows sampled per table. */
  sample?: number;
  /** Read every row instead of a sample. */
  full?: boolean;
  /** Tables sampled at the same time per system. */
  concurrency?: number;
  /** The clock of the birth-date detector; the random source of reservoirs (tests). */
  now?: () => Date;
  random?: () => number;
  /** Called once per table sampled, with the number of tables known so far (progress bars). */
  onTable?: () => void;
}

export const DEFAULT_SAMPLE = 1000;
const MAX_SAMPLE = 1_000_000;

export function parseSample(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SAMPLE) throw new UsageError(`--sample must be a whole number from 1 to ${MAX_SAMPLE.toLocaleString('en-US')}, got ${String(value)}`);
  return n;
}

/** Scans the systems of the map; unreachable systems are reported in the result, never thrown. */
export async function runScan(map: DataMap, options: ScanOptions, log: Logger): Promise<ScanReport> {
  const started = performance.now();
  const sample = parseSample(options.sample ?? DEFAULT_SAMPLE);
  const names = options.systems?.length ? [...new Set(options.systems)] : Object.keys(map.systems);
  for (const n of names) if (!map.systems[n]) throw new UsageError(`--system: unknown system '${n}' (declared: ${Object.keys(map.systems).join(', ')})`);
  const detectors = valueDetectors(options.now);
  const opened = await openSystems(map, log, names);
  const scans: SystemScan[] = [];
  try {
    for (const e of opened.unreachable) {
      const scan = emptyScan({ system: e.system, kind: map.systems[e.system].kind, status: 'unreachable', tables: 0, columns: 0, rowsRead: 0, queries: 0, message: e.message });
      scan.problems.push({ system: e.system, message: e.message });
      scans.push(scan);
    }
    scans.push(
      ...(await Promise.all(
        [...opened.connectors].map(([name, connector]) =>
          scanSystem(map, name, connector, { sample, full: Boolean(options.full), random: options.random, detectors, concurrency: options.concurrency ?? 4, log, onTable: options.onTable }),
        ),
      )),
    );
  } finally {
    await opened.closeAll();
  }
  scans.sort((a, b) => names.indexOf(a.summary.system) - names.indexOf(b.summary.system));
  const byWhere = <T extends { where: string }>(list: T[]) => list.sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
  const all = <K extends keyof Omit<SystemScan, 'summary'>>(key: K): SystemScan[K] => scans.flatMap((s) => s[key] as unknown[]) as SystemScan[K];
  const report: ScanReport = {
    ok: false,
    findings: [],
    datamap: map.file,
    sample: options.full ? 'full' : sample,
    systems: scans.map((s) => s.summary),
    cards: byWhere(all('cards')),
    undeclared: byWhere(all('undeclared')),
    missing: byWhere(all('missing')),
    mismatches: byWhere(all('mismatches')),
    notCards: byWhere(all('notCards')),
    views: byWhere(all('views')),
    snippets: all('snippets').sort((a, b) => (a.table < b.table ? -1 : 1)),
    snippet: '',
    problems: all('problems'),
    totals: {
      tables: scans.reduce((n, s) => n + s.summary.tables, 0),
      columns: scans.reduce((n, s) => n + s.summary.columns, 0),
      rowsRead: scans.reduce((n, s) => n + s.summary.rowsRead, 0),
      queries: scans.reduce((n, s) => n + s.summary.queries, 0),
      ms: Math.round(performance.now() - started),
    },
  };
  report.snippet = report.snippets.length ? snippetBlock(report.snippets.map((s) => s.yaml)) : '';
  report.ok = isClean(report);
  report.findings = findingLines(report);
  log.info(
    { systems: names.length, tables: report.totals.tables, queries: report.totals.queries, rowsRead: report.totals.rowsRead, cards: report.cards.length, undeclared: report.undeclared.length, missing: report.missing.length, mismatches: report.mismatches.length, ms: report.totals.ms },
    'scan finished',
  );
  return report;
}
