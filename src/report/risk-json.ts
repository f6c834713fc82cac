// `<file>.risk.json`: the measured re-identification risk of an extract, written beside its data. It may travel with
// the data set, so it says what suppression removed only in counts, never which values or how few subjects.
import type { ExtractDef } from '../datamap/types.ts';
import type { AggregateRisk } from '../extract/aggregate.ts';
import type { ColumnLevel, SearchSummary } from '../extract/record.ts';
import type { RecordRisk } from '../extract/risk.ts';
import type { DpRisk } from '../extract/dp/release.ts';

export const RISK_FORMAT = 'dsar-extract-risk/1';

export interface RiskReport {
  format: typeof RISK_FORMAT;
  extract: string;
  kind: ExtractDef['kind'];
  createdAt: string;
  toolVersion: string;
  datamapSha256: string;
  source: {
    system: string;
    table: string;
    where: Array<{ column: string; op: string }>;
    excludeOptouts: string | null;
    /** Identity values of opted-out subjects found in the source and excluded (0 when none or not asked). */
    optedOutValuesExcluded: number;
  };
  /** Whose each row is: k, l and the risks count these subjects, never rows. */
  subject: { column: string; determinedBy: string };
  privacy: { k: number; l: number | null; diversity?: 'distinct' | 'entropy' | 'recursive'; c?: number; t?: number; maxSuppression: number };
  data: { file: string; format: string; sha256: string; bytes: number; rows: number };
  generalization: {
    columns: ColumnLevel[];
    /** Average of level / ladder length over generalizable columns: 0 raw, 1 everything `*`. */
    informationLoss: number;
    lossMetric: string;
    search: SearchSummary;
  };
  record?: RecordRisk;
  aggregate?: AggregateRisk;
  /** A differentially private aggregate: its noise and budget (never a true value). */
  dp?: DpRisk;
}

export const LOSS_METRIC = 'precision (Sweeney): per column level / ladder length, averaged over the generalizable columns; suppressed rows are reported apart';

export function renderRiskJson(report: RiskReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
