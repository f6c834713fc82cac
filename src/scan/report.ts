// What `dsar scan` reports: the JSON document of `--json`, the source of the text output and of SARIF.
// No field ever holds a sampled value: places, counts, categories, and for cards the brand and last four digits.
import type { Level } from './judge.ts';

export interface Place {
  system: string;
  table: string;
  column?: string;
  /** `system.table` or `system.table.column` */
  where: string;
}

/** A place in the data map file, `file:line:column`. */
export interface MapPosition {
  at: string;
  line: number;
  col: number;
}

export interface DetectorSummary {
  detector: string;
  category: string;
  confidence: number;
  evidence: string;
}

/** A column holding personal data that the data map does not declare. */
export interface UndeclaredFinding extends Place {
  column: string;
  tableKind: 'table' | 'view' | 'file';
  /** The table is declared, the column is not. */
  tableDeclared: boolean;
  type: string;
  category: string;
  categoryTitle: string;
  /** The privacy policy's words for the category. */
  policy: string;
  confidence: number;
  level: Level;
  detectors: DetectorSummary[];
  /** The field's line for the data map, e.g. `notes: { category: contact.email, mask: redact }`. */
  field: string;
}

export interface CardExampleOut {
  /** The row's key, or `withheld` when the key itself is personal or card-like; null for a table without key. */
  key: Record<string, unknown> | 'withheld' | null;
  brand: string;
  last4: string;
}

/** Card numbers: the policy says none are stored. */
export interface CardFinding extends Place {
  column: string;
  /** The column is declared in the map (under any category). */
  declared: boolean;
  declaredCategory?: string;
  /** Card numbers found among the values read; 0 for a column declared as billing.card with none in the sample. */
  count: number;
  valuesRead: number;
  brands: string[];
  examples: CardExampleOut[];
  confidence: number;
  level: Level;
  evidence: string;
}

/** Digit runs that pass Luhn but are not cards (phone numbers, order numbers): low confidence, for the record. */
export interface NotACardFinding extends Place {
  column: string;
  count: number;
  confidence: number;
  evidence: string;
}

/** Something the data map declares that the system does not have. */
export interface MissingFinding extends Place, MapPosition {
  what: 'table' | 'column';
  /** How the map uses the column: field, key, identify, link, retention, child. */
  role?: string;
  message: string;
}

/** A declared column whose sampled values do not look like its category. */
export interface MismatchFinding extends Place, MapPosition {
  column: string;
  category: string;
  detector: string;
  matched: number;
  sampled: number;
  message: string;
}

/** A view whose columns are declared columns of declared tables. */
export interface ViewOfDeclared extends Place {
  /** `system.table.column` of each view column that is declared elsewhere. */
  of: string[];
}

/** One table's entry for `tables:` (its key line unindented). */
export interface Snippet {
  /** `system.table` */
  table: string;
  tableDeclared: boolean;
  yaml: string;
}

export interface SystemSummary {
  system: string;
  kind: string;
  status: 'scanned' | 'unreachable' | 'partial';
  tables: number;
  columns: number;
  rowsRead: number;
  queries: number;
  message?: string;
}

export interface ScanProblem {
  system: string;
  table?: string;
  message: string;
}

/** One line per finding, for JSON consumers that want a flat list (the arrays below have the details). */
export interface FindingLine {
  kind: 'card-number' | 'undeclared-personal-data' | 'declared-table-missing' | 'declared-column-missing' | 'category-mismatch';
  level: 'error' | 'warning';
  where: string;
  message: string;
}

/** What a scan found, of one system or of all. */
export interface ScanFindings {
  cards: CardFinding[];
  undeclared: UndeclaredFinding[];
  missing: MissingFinding[];
  mismatches: MismatchFinding[];
  notCards: NotACardFinding[];
  views: ViewOfDeclared[];
  snippets: Snippet[];
  problems: ScanProblem[];
}

export interface ScanReport extends ScanFindings {
  /** Nothing undeclared, no card, nothing missing, every system read. */
  ok: boolean;
  findings: FindingLine[];
  datamap: string;
  /** Rows sampled per table, or `full`. */
  sample: number | 'full';
  systems: SystemSummary[];
  /** Every snippet in one `tables:` block (empty when there is nothing to add). */
  snippet: string;
  totals: { tables: number; columns: number; rowsRead: number; queries: number; ms: number };
  /** Where `--sarif` wrote the SARIF log. */
  sarif?: string;
}

/** The exit code a report asks for: 1 when anything must be acted on, 0 when clean. */
export function exitCodeOf(report: ScanReport): number {
  return report.ok ? 0 : 1;
}

export function isClean(r: Pick<ScanReport, 'cards' | 'undeclared' | 'missing' | 'problems'>): boolean {
  return r.cards.length === 0 && r.undeclared.length === 0 && r.missing.length === 0 && r.problems.length === 0;
}

/** The flat list of findings: errors (exit 1) first, then warnings. */
export function findingLines(r: Omit<ScanReport, 'findings'>): FindingLine[] {
  return [
    ...r.cards.map((c): FindingLine => ({ kind: 'card-number', level: 'error', where: c.where, message: c.count ? `${c.count} payment card number(s): ${c.evidence}` : c.evidence })),
    ...r.undeclared.map((u): FindingLine => ({ kind: 'undeclared-personal-data', level: 'error', where: u.where, message: `undeclared ${u.category} (${u.level} confidence ${u.confidence.toFixed(2)})` })),
    ...r.missing.map((m): FindingLine => ({ kind: m.what === 'table' ? 'declared-table-missing' : 'declared-column-missing', level: 'error', where: m.where, message: m.message })),
    ...r.mismatches.map((m): FindingLine => ({ kind: 'category-mismatch', level: 'warning', where: m.where, message: m.message })),
  ];
}
