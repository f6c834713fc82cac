// Turns one sampled table into findings: undeclared personal columns (with their YAML), card numbers (declared
// columns included), numbers that pass Luhn without being cards, and declared columns whose values look wrong.
import type { TableInfo } from '../../connectors/connector.ts';
import { categoryOf } from '../datamap/taxonomy.ts';
import type { DataMap, FieldDef, TableDef } from '../datamap/types.ts';
import { REDACTED_MARKERS } from '../masking/redact.ts';
import type { ColumnCollector } from './column-collector.ts';
import { knownColumns, mapPosition } from './declared.ts';
import type { ValueDetector } from './detector.ts';
import { holdsWholeValues, WHOLE_VALUE } from './whole-values.ts';
import { judgeCards, scanForCards } from './detectors/card.ts';
import { detectorForCategory } from './detectors/index.ts';
import { judgeColumn, levelOf, REPORT_AT, type ColumnJudgement } from './judge.ts';
import type { CardFinding, MismatchFinding, NotACardFinding, Place, Snippet, UndeclaredFinding } from './report.ts';
import { fieldLine, tableSnippet } from './snippet.ts';
import type { TableSample } from './scan-table.ts';

export interface TableFindings {
  cards: CardFinding[];
  undeclared: UndeclaredFinding[];
  mismatches: MismatchFinding[];
  notCards: NotACardFinding[];
  snippets: Snippet[];
}

/** Declared values below this many say nothing about a category mismatch. */
const MISMATCH_MIN_VALUES = 5;
/** A declared column is flagged when fewer than this share of its values look like its category. */
const MISMATCH_SHARE = 0.5;
const CARD_CATEGORY = 'billing.card';
const CARD_POLICY = 'We will not store or collect your payment card details.';


const isCardCategory = (category: string) => category === CARD_CATEGORY || category.startsWith(CARD_CATEGORY + '.');

interface TableContext {
  map: DataMap;
  system: string;
  info: TableInfo;
  def: TableDef | undefined;
  sample: TableSample;
  detectors: readonly ValueDetector[];
  /** Columns the map names for this table. */
  known: Set<string>;
  fieldOf(column: string): FieldDef | undefined;
  at(column: string): Place & { column: string };
}

export function judgeTable(map: DataMap, system: string, info: TableInfo, def: TableDef | undefined, sample: TableSample, detectors: readonly ValueDetector[]): TableFindings {
  const fields = new Map(Object.values(def?.fields ?? {}).map((f) => [f.column, f]));
  const t: TableContext = {
    map,
    system,
    info,
    def,
    sample,
    detectors,
    known: new Set(def ? knownColumns(map, def).map((k) => k.column) : []),
    fieldOf: (column) => fields.get(column),
    at: (column) => ({ system, table: info.name, column, where: `${system}.${info.name}.${column}` }),
  };
  const out: TableFindings = { cards: [], undeclared: [], mismatches: [], notCards: [], snippets: [] };
  const judged = new Map<string, ColumnJudgement>();
  for (const [column, collector] of sample.collectors) {
    const field = t.fieldOf(column);
    if (field) out.mismatches.push(...mismatch(t, field, collector));
    if (t.known.has(column)) continue;
    const finding = undeclared(t, collector);
    if (finding) {
      judged.set(column, finding.judgement);
      out.undeclared.push(finding.finding);
    }
  }
  // A row key that is itself personal (an email as key) is not printed beside a card.
  const personalKey = sample.key.some((k) => judged.has(k) || t.fieldOf(k)?.identifying === true);
  for (const [column, collector] of sample.collectors) {
    const card = cardFinding(t, collector, personalKey || sample.key.includes(column));
    if (card) out.cards.push(card);
    const notCard = notACard(t, collector);
    if (notCard) out.notCards.push(notCard);
  }
  if (out.undeclared.length) out.snippets.push(snippet(t, out.undeclared, judged));
  return out;
}

function undeclared(t: TableContext, collector: ColumnCollector): { finding: UndeclaredFinding; judgement: ColumnJudgement } | undefined {
  const judgement = judgeColumn(collector.values(), t.info.name, t.detectors);
  if (!judgement || judgement.confidence < REPORT_AT) return undefined;
  // A card column is a violation to remove, not data to declare: the card finding says so.
  if (isCardCategory(judgement.category) && judgeCards(collector.cards, collector.issuerShaped).kind === 'cards') return undefined;
  const category = categoryOf(judgement.category);
  const embedded = !holdsWholeValues(judgement.category, collector);
  return {
    judgement,
    finding: {
      ...t.at(collector.column.name),
      tableKind: t.info.kind,
      tableDeclared: Boolean(t.def),
      type: collector.column.type,
      category: judgement.category,
      categoryTitle: category?.title ?? judgement.category,
      policy: category?.policy ?? '',
      confidence: judgement.confidence,
      level: judgement.level,
      detectors: judgement.detections.map((d) => ({ detector: d.detector, category: d.category, confidence: d.confidence, evidence: d.evidence })),
      // A file's columns are untyped text: every mask fits them.
      field: fieldLine(collector.column.name, judgement.category, t.info.kind === 'file' ? undefined : collector.column, embedded),
    },
  };
}

function cardFinding(t: TableContext, collector: ColumnCollector, withholdKeys: boolean): CardFinding | undefined {
  const field = t.fieldOf(collector.column.name);
  const declaredAsCard = field !== undefined && isCardCategory(field.category);
  const verdict = judgeCards(collector.cards, collector.issuerShaped);
  if (verdict.kind !== 'cards' && !declaredAsCard) return undefined;
  const confidence = verdict.kind === 'cards' ? verdict.confidence : 1;
  return {
    ...t.at(collector.column.name),
    declared: t.known.has(collector.column.name),
    ...(field ? { declaredCategory: field.category } : {}),
    count: collector.cards,
    valuesRead: collector.seen,
    brands: [...new Set(collector.examples.map((e) => e.brand))].sort(),
    examples: collector.examples.map((e) => ({ key: withholdKeys || keyLooksLikeCard(e.key) ? 'withheld' : e.key, brand: e.brand, last4: e.last4 })),
    confidence,
    level: levelOf(confidence),
    evidence: verdict.kind === 'cards' ? verdict.evidence : `declared as ${field!.category}: the policy says "${CARD_POLICY}"`,
  };
}

function keyLooksLikeCard(key: Record<string, unknown> | null): boolean {
  return key !== null && Object.values(key).some((v) => scanForCards(String(v)).cards.length > 0);
}

function notACard(t: TableContext, collector: ColumnCollector): NotACardFinding | undefined {
  const verdict = judgeCards(collector.cards, collector.issuerShaped);
  const count = collector.luhnNotCard + (verdict.kind === 'chance' ? collector.cards : 0);
  if (!count) return undefined;
  return {
    ...t.at(collector.column.name),
    count,
    confidence: 0.2,
    evidence:
      verdict.kind === 'chance'
        ? verdict.evidence
        : `${collector.luhnNotCard} number(s) pass Luhn but fit no card issuer's prefix and length (phone numbers, ids): not cards`,
  };
}

/** A declared column whose values do not look like its category (contact.email holding no email addresses). */
function mismatch(t: TableContext, field: FieldDef, collector: ColumnCollector): MismatchFinding[] {
  const detector = detectorForCategory(t.detectors, field.category);
  if (!detector) return [];
  // Masked rows (redaction markers) are evidence of nothing.
  const kept = collector.texts.map((text, i) => [text, collector.raw[i]] as const).filter(([text]) => !(REDACTED_MARKERS as readonly string[]).includes(text));
  if (kept.length < MISMATCH_MIN_VALUES) return [];
  const detection = detector.detect({ ...collector.values(), texts: kept.map(([text]) => text), raw: kept.map(([, raw]) => raw), hint: field.category });
  const matched = detection?.matched ?? 0;
  const checked = detection?.sampled ?? kept.length;
  if (matched / checked >= MISMATCH_SHARE) return [];
  return [
    {
      ...t.at(field.column),
      ...mapPosition(field.loc),
      category: field.category,
      detector: detector.id,
      matched,
      sampled: checked,
      message: `declared ${field.category}, but ${matched} of ${checked} sampled values look like it`,
    },
  ];
}

/** The table's YAML: its new fields, and for a new table its key and the declared identities it holds. */
function snippet(t: TableContext, found: UndeclaredFinding[], judged: Map<string, ColumnJudgement>): Snippet {
  const identify: Record<string, string> = {};
  for (const type of Object.keys(t.map.identities)) {
    const category = `contact.${type}`;
    const column = found.find((f) => WHOLE_VALUE[category] && judged.get(f.column)?.category === category && holdsWholeValues(category, t.sample.collectors.get(f.column)!));
    if (column) identify[type] = column.column;
  }
  return {
    table: `${t.system}.${t.info.name}`,
    tableDeclared: Boolean(t.def),
    yaml: tableSnippet({ id: t.def?.id ?? `${t.system}.${t.info.name}`, declared: Boolean(t.def), key: t.info.primaryKey, identify, fields: found.map((f) => f.field) }),
  };
}
