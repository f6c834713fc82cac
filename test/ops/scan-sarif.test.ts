// SARIF of a scan where one system is unreachable and a column is declared as card data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseDataMap } from '../../src/datamap/load.ts';
import { silentLogger } from '../../src/log.ts';
import { runScan } from '../../src/ops/scan.ts';
import { RULES, toSarif } from '../../src/report/sarif.ts';
import type { ScanReport } from '../../src/scan/report.ts';

let dir: string;
let report: ScanReport;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-scan-sarif-'));
  const db = new Database(path.join(dir, 'app.db'));
  db.exec(`CREATE TABLE wallets (id INTEGER PRIMARY KEY, card_last4 TEXT); INSERT INTO wallets VALUES (1, '1111'), (2, '4444');`);
  db.close();
  const file = path.join(dir, 'datamap.yaml');
  const text = `version: 1
systems:
  app: { kind: sqlite, path: app.db }
  down: { kind: postgres, url: "postgres://dsar:secret@127.0.0.1:1/none" }
tables:
  app.wallets:
    key: id
    fields:
      card_last4: { category: billing.card, mask: redact }
`;
  writeFileSync(file, text);
  report = await runScan(parseDataMap(text, file), {}, silentLogger);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an unreachable system is reported by name, without its password, and the others are scanned', () => {
  expect(report.ok).toBe(false);
  expect(report.systems.map((s) => [s.system, s.status])).toEqual([
    ['app', 'scanned'],
    ['down', 'unreachable'],
  ]);
  expect(report.problems).toHaveLength(1);
  expect(report.problems[0].system).toBe('down');
  expect(report.problems[0].message).not.toContain('secret');
});

test('a column declared as billing.card is a policy violation even without card numbers in it', () => {
  expect(report.cards.map((c) => [c.where, c.declared, c.count, c.evidence])).toEqual([
    ['app.wallets.card_last4', true, 0, 'declared as billing.card: the policy says "We will not store or collect your payment card details."'],
  ]);
});

test('the SARIF run says the execution was not complete, and why', () => {
  const sarif = toSarif(report, { toolVersion: '9.9.9', cwd: dir });
  const run = sarif.runs[0] as any;
  expect(run.invocations[0].executionSuccessful).toBe(false);
  expect(run.invocations[0].toolExecutionNotifications.map((n: any) => n.level)).toEqual(['error']);
  expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^could not scan down: /);
  expect(run.tool.driver.version).toBe('9.9.9');
});

test('inside the working directory the data map is named by a relative path', () => {
  const sarif = toSarif(report, { toolVersion: '9.9.9', cwd: dir });
  expect(sarif.runs[0].results.map((r) => (r.locations[0] as any).physicalLocation.artifactLocation.uri)).toEqual(['datamap.yaml']);
});

test('rule ids are unique and each result points at its rule', () => {
  expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  const sarif = toSarif(report, { toolVersion: '9.9.9', cwd: dir });
  for (const r of sarif.runs[0].results) expect(sarif.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  expect(sarif.runs[0].results.map((r) => [r.ruleId, r.level])).toEqual([['DSAR001', 'error']]);
});
