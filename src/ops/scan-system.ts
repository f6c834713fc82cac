// Scans one system: introspects it, matches the declared tables, samples every table (a few at a time) and turns
// what the detectors say into findings. Nothing here depends on the system's kind: the connector samples.
import pLimit from 'p-limit';
import type { ColumnInfo, Connector, SchemaInfo } from '../../connectors/connector.ts';
import { findTable } from './live-check.ts';
import type { DataMap, TableDef } from '../datamap/types.ts';
import { SystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { knownColumns, missingFromSystem } from '../scan/declared.ts';
import type { ValueDetector } from '../scan/detector.ts';
import type { ScanFindings, SystemSummary } from '../scan/report.ts';
import { viewColumnsDeclared } from '../scan/views.ts';
import { judgeTable } from '../scan/scan-judge.ts';
import { sampleTable, type SampleSettings, type TableTask } from '../scan/scan-table.ts';

export interface SystemScan extends ScanFindings {
  summary: SystemSummary;
}

export interface SystemScanOptions extends SampleSettings {
  detectors: readonly ValueDetector[];
  /** Tables sampled at the same time in one system. */
  concurrency: number;
  log: Logger;
  onTable?: () => void;
}

/** A system's scan with no findings yet (or none, for a system that could not be opened). */
export function emptyScan(summary: SystemSummary): SystemScan {
  return { summary, cards: [], undeclared: [], missing: [], mismatches: [], notCards: [], views: [], snippets: [], problems: [] };
}

const sampleable = (c: ColumnInfo) => c.family !== 'binary' && c.family !== 'boolean';

export async function scanSystem(map: DataMap, system: string, connector: Connector, opts: SystemScanOptions): Promise<SystemScan> {
  const scan = emptyScan({ system, kind: connector.kind, status: 'scanned', tables: 0, columns: 0, rowsRead: 0, queries: 0 });
  let schema: SchemaInfo;
  try {
    schema = await connector.introspect();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    scan.summary.status = 'unreachable';
    scan.summary.message = message;
    scan.problems.push({ system, message });
    return scan;
  }

  // Declared tables, matched to live ones; what the map declares that is gone.
  const defs = Object.values(map.tables).filter((t) => t.system === system);
  const declaredOf = new Map<string, TableDef>();
  for (const def of defs) {
    const info = findTable(schema, def.table);
    scan.missing.push(...missingFromSystem(map, def, info));
    if (info) declaredOf.set(info.name, def);
  }
  const declared = [...declaredOf].map(([name, def]) => {
    const live = new Set(schema.tables.find((t) => t.name === name)!.columns.map((c) => c.name));
    return { id: def.id, columns: new Set(knownColumns(map, def).map((k) => k.column).filter((c) => live.has(c))) };
  });

  const tasks: TableTask[] = [];
  for (const info of schema.tables) {
    scan.summary.tables++;
    let columns = info.columns.filter(sampleable);
    if (!declaredOf.has(info.name) && info.kind === 'view') {
      const shown = viewColumnsDeclared(info, declared);
      if (shown.size) {
        scan.views.push({ system, table: info.name, where: `${system}.${info.name}`, of: [...shown.values()].sort() });
        columns = columns.filter((c) => !shown.has(c.name));
      }
    }
    scan.summary.columns += columns.length;
    if (columns.length) tasks.push({ system, info, columns });
  }

  // Each table is judged as soon as it is sampled, so only a few tables' values are in memory at once.
  const limit = pLimit(opts.concurrency);
  await Promise.all(
    tasks.map((task) =>
      limit(async () => {
        try {
          const sample = await sampleTable(connector, task, opts);
          opts.log.debug({ system, table: task.info.name, method: sample.method, rows: sample.rows, rowsRead: sample.rowsRead, queries: sample.queries, ms: Math.round(sample.ms) }, 'table sampled');
          scan.summary.rowsRead += sample.rowsRead;
          scan.summary.queries += sample.queries;
          const found = judgeTable(map, system, task.info, declaredOf.get(task.info.name), sample, opts.detectors);
          scan.cards.push(...found.cards);
          scan.undeclared.push(...found.undeclared);
          scan.mismatches.push(...found.mismatches);
          scan.notCards.push(...found.notCards);
          scan.snippets.push(...found.snippets);
        } catch (err) {
          const e = err instanceof SystemError ? err : new SystemError(system, task.info.name, err instanceof Error ? err.message : String(err));
          opts.log.error({ system, table: task.info.name, err: e.message }, 'table could not be sampled');
          scan.problems.push({ system, table: task.info.name, message: e.message });
        } finally {
          opts.onTable?.();
        }
      }),
    ),
  );
  if (scan.problems.length) scan.summary.status = 'partial';
  return scan;
}
