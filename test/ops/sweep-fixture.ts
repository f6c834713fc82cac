// A temp directory with a data map (and the embedded state store beside it) for sweep tests, and `dsar` run
// in-process through the CLI's own entry point (test/helpers/dsar-main.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SweepResult, TableSummary } from '../../src/ops/sweep-summary.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { dsarMain, type DsarRun } from '../helpers/dsar-main.ts';
import { madeDuring } from '../helpers/per-file.ts';

export interface SweepFixture {
  dir: string;
  datamap: string;
  /** Environment variable names the data map reads (set in process.env): `key` holds the HMAC key. */
  env: { key: string; url: string };
  writeDatamap(text: string): void;
  dsar(...argv: string[]): Promise<DsarRun>;
  /** `dsar --json sweep ...` parsed. */
  sweep(...argv: string[]): Promise<SweepJson>;
  dispose(): void;
}

// The JSON is the command's SweepResult as printed; its types are the real ones, so a renamed figure fails here.
export type TableJson = TableSummary;
export type SweepJson = SweepResult;

export function sweepFixture(prefix: string): SweepFixture {
  const dir = mkdtempSync(path.join(tmpdir(), `dsar-sweep-${prefix}-`));
  const datamap = path.join(dir, 'datamap.yaml');
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const env = { key: `DSAR_SWEEP_KEY_${tag}`, url: `DSAR_SWEEP_URL_${tag}` };
  process.env[env.key] = 'sweep-test-hmac-key';
  const dsar = (...argv: string[]) => dsarMain(datamap, ...argv);
  return {
    dir,
    datamap,
    env,
    writeDatamap: (text) => writeFileSync(datamap, text),
    dsar,
    async sweep(...argv) {
      const r = await dsar('--json', 'sweep', ...argv);
      try {
        return JSON.parse(r.stdout) as SweepJson;
      } catch {
        throw new Error(`dsar sweep exited ${r.code}: ${r.stderr}${r.stdout}`);
      }
    },
    dispose() {
      delete process.env[env.key];
      delete process.env[env.url];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A sweep fixture made before the file's (or the describe's) tests and removed after them; with `map`, its data map
 * is test/fixtures/datamaps/<map>.yaml with `${key}` the HMAC key's variable.
 */
export function sweepFixtureDuring(prefix: string, map?: string): SweepFixture {
  return madeDuring('the sweep fixture', () => {
    const f = sweepFixture(prefix);
    if (map) f.writeDatamap(datamapFixture(map, { key: f.env.key }));
    return f;
  }, (f) => f.dispose());
}

/** One table's figures from a sweep's JSON. */
export function tableOf(result: SweepJson, table: string): TableJson {
  const t = result.tables.find((x) => x.table === table);
  if (!t) throw new Error(`no ${table} in the sweep result: ${JSON.stringify(result)}`);
  return t;
}

/** The counts that matter to a user, for exact comparison. */
export function counts(t: TableJson): Pick<TableJson, 'expired' | 'anonymized' | 'deleted' | 'skippedHolds' | 'nullDates' | 'unchanged'> {
  const { expired, anonymized, deleted, skippedHolds, nullDates, unchanged } = t;
  return { expired, anonymized, deleted, skippedHolds, nullDates, unchanged };
}
