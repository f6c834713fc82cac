// A scan report as SARIF 2.1.0, for CI systems that show static-analysis results. Every result names its place as
// a logical location `system.table.column`, and points at the data map file (at the declaration when there is
// one) so that viewers which need a file have one. Like the report, it holds no sampled value.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MapPosition, Place, ScanReport } from '../scan/report.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';

type SarifLevel = 'error' | 'warning' | 'note';

interface Rule {
  id: string;
  name: string;
  short: string;
  full: string;
  level: SarifLevel;
  tags: string[];
}

export const RULES: readonly Rule[] = [
  {
    id: 'DSAR001',
    name: 'PaymentCardNumber',
    short: 'A payment card number is stored',
    full: 'Values with a card issuer\'s prefix and length and a valid Luhn checksum. The privacy policy (PAYMENT PROCESSING) says: "We will not store or collect your payment card details."',
    level: 'error',
    tags: ['privacy', 'policy-violation', 'pci'],
  },
  {
    id: 'DSAR002',
    name: 'UndeclaredPersonalData',
    short: 'Personal data that the data map does not declare',
    full: 'A column whose name or sampled values hold personal data but which is not declared in the data map: access requests and erasures would miss it.',
    level: 'error',
    tags: ['privacy', 'data-map'],
  },
  {
    id: 'DSAR003',
    name: 'DeclaredTableMissing',
    short: 'A declared table no longer exists',
    full: 'The data map declares a table that the system does not have (dropped or renamed).',
    level: 'error',
    tags: ['data-map'],
  },
  {
    id: 'DSAR004',
    name: 'DeclaredColumnMissing',
    short: 'A declared column no longer exists',
    full: 'The data map names a column (field, key, identity, link, retention or child column) that the table does not have.',
    level: 'error',
    tags: ['data-map'],
  },
  {
    id: 'DSAR005',
    name: 'CategoryMismatch',
    short: 'Declared values do not look like their category',
    full: 'Most sampled values of a declared column do not look like its category (e.g. declared contact.email, but the values are not email addresses).',
    level: 'warning',
    tags: ['data-map'],
  },
  {
    id: 'DSAR006',
    name: 'LuhnValidNotACard',
    short: 'Numbers that pass Luhn but are not card numbers',
    full: 'Digit runs with a valid Luhn checksum that fit no card issuer, or issuer-shaped numbers passing Luhn only at the one-in-ten rate of chance: phone numbers, order numbers, ids.',
    level: 'note',
    tags: ['pci'],
  },
];

const RULE_INDEX = new Map(RULES.map((r, i) => [r.id, i]));

export interface SarifOptions {
  toolVersion: string;
  /** Artifact paths are written relative to this directory. */
  cwd: string;
}

/** SARIF objects are plain JSON: this type only documents what we write. */
export interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<Record<string, unknown> & { tool: { driver: Record<string, unknown> & { rules: Array<{ id: string }> } }; results: SarifResult[] }>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: unknown[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}

export function toSarif(report: ScanReport, opts: SarifOptions): SarifLog {
  // Relative to the working directory (the repository in CI), or an absolute file URI when the map is elsewhere.
  const relative = path.relative(opts.cwd, report.datamap);
  const uri = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : pathToFileURL(report.datamap).href;
  const results: SarifResult[] = [];
  const add = (ruleId: string, place: Place, text: string, declaredAt?: MapPosition, properties?: Record<string, unknown>, level?: SarifLevel) => {
    const rule = RULES[RULE_INDEX.get(ruleId)!];
    results.push({
      ruleId,
      ruleIndex: RULE_INDEX.get(ruleId)!,
      level: level ?? rule.level,
      message: { text },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri },
            region: declaredAt ? { startLine: declaredAt.line, startColumn: declaredAt.col } : { startLine: 1 },
          },
          logicalLocations: [
            {
              name: place.column ?? place.table,
              fullyQualifiedName: place.where,
              kind: place.column ? 'column' : 'table',
            },
          ],
        },
      ],
      partialFingerprints: { 'dsarLocation/v1': `${ruleId}:${place.where}` },
      ...(properties ? { properties } : {}),
    });
  };

  for (const c of report.cards) {
    const examples = c.examples.map((e) => `${e.brand} ending ${e.last4}`).join(', ');
    add(
      'DSAR001',
      c,
      c.count
        ? `${c.where} holds ${c.count} payment card number(s)${examples ? ` (${examples})` : ''}. The policy promises no card data is stored.`
        : `${c.where} is declared as ${c.declaredCategory}: the policy promises no card data is stored.`,
      undefined,
      { count: c.count, brands: c.brands, confidence: c.confidence, examples: c.examples },
    );
  }
  for (const u of report.undeclared) {
    add('DSAR002', u, `${u.where} holds undeclared personal data: ${u.category} (${u.level} confidence ${u.confidence.toFixed(2)}). Declare it: ${u.field}`, undefined, {
      category: u.category,
      confidence: u.confidence,
      detectors: u.detectors.map((d) => d.detector),
      yaml: u.field,
    });
  }
  for (const m of report.missing) add(m.what === 'table' ? 'DSAR003' : 'DSAR004', m, m.message, m, { role: m.role });
  for (const m of report.mismatches) add('DSAR005', m, `${m.where}: ${m.message}`, m, { category: m.category, matched: m.matched, sampled: m.sampled });
  for (const n of report.notCards) add('DSAR006', n, `${n.where}: ${n.evidence}`, undefined, { count: n.count, confidence: n.confidence });

  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'dsar',
            version: opts.toolVersion,
            semanticVersion: opts.toolVersion,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.full },
              defaultConfiguration: { level: r.level },
              properties: { tags: r.tags },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.problems.length === 0,
            toolExecutionNotifications: report.problems.map((p) => ({
              level: 'error',
              message: { text: `could not scan ${p.table ? `${p.system}.${p.table}` : p.system}: ${p.message}` },
            })),
          },
        ],
        artifacts: [{ location: { uri } }],
        results,
        properties: { sample: report.sample, totals: report.totals },
      },
    ],
  };
}
