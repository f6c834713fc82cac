// `dsar demo` end to end in a fresh directory, as a newcomer runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'dsar-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dsar demo', () => {
  it('tells the whole story, exits 0 and leaves every output in its directory', () => {
    const env = { ...process.env };
    delete env.DSAR_HMAC_KEY;
    delete env.DSAR_STATE_URL;
    const r = spawnSync(process.execPath, [path.resolve('bin/dsar.js'), 'demo', '--dir', path.join(dir, 'demo')], {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('✗');
    for (const line of ['Draft a data map from the live systems', 'Access request', 'Erasure of john.doe@example.org', 'Retention sweep', 'Record-level extract', 'Differentially private aggregate (a budget across runs)', 'Discovery scan', 'Data inventory'])
      expect(r.stdout).toContain(`✓ ${line}`);
    expect(r.stdout).toMatch(/1 undeclared personal column\(s\), 1 card number\(s\) \(ending 1111\)/);
    expect(r.stdout).toMatch(/5 tables \(people: app\.users, mailchimp\.subscribers\), 4 links, \d+ fields, each guess commented/);
    const d = path.join(dir, 'demo');
    for (const f of [
      'datamap.yaml',
      'datamap.init.yaml',
      'app.db',
      'billing.db',
      'exports/mailchimp/subscribers.csv',
      'packages/DEMO-ACCESS-1/manifest.json',
      'packages/DEMO-ACCESS-1/report.html',
      'extracts/signups-by-region.csv',
      'extracts/signups-by-region.csv.risk.html',
      'extracts/users-by-plan-and-region.csv',
      'extracts/plans-dp.csv',
      'extracts/plans-dp.csv.risk.html',
      'scan.sarif',
      'docs/index.html',
      'docs/inventory.md',
      '.dsar/state.db',
    ])
      expect(existsSync(path.join(d, f)), f).toBe(true);
    expect(readdirSync(path.join(d, 'packages'))).toEqual(['DEMO-ACCESS-1']);
  });
});
