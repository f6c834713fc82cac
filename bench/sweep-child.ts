// One `dsar sweep` measurement in a fresh process (spawned by sweep.bench.ts), so its peak RSS is dsar's own:
// runSweep, the function the CLI calls, timed from call to return. Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataMap } from '../src/datamap/load.ts';
import { silentLogger } from '../src/log.ts';
import { runSweep } from '../src/ops/sweep.ts';
import { openStateStore } from '../src/state/store.ts';

const { datamap, asOf, batchSize } = JSON.parse(process.argv[2]) as { datamap: string; asOf: string; batchSize: number };
const dir = mkdtempSync(path.join(tmpdir(), 'dsar-bench-sweep-'));
const map = parseDataMap(datamap, path.join(dir, 'datamap.yaml'), dir);
const store = await openStateStore({ dir });
try {
  const t0 = performance.now();
  const result = await runSweep(
    { map, hmacKey: Buffer.from(map.secrets.hmacKey!.resolve()!), asOf: new Date(asOf), selection: {}, batchSize, dryRun: false, log: silentLogger },
    store,
  );
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`dsar sweep failed: ${result.failures.join('; ')}`);
  const t = result.tables[0];
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const peakRssMb = hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ rows: t.anonymized + t.deleted, ms, longestBatchMs: t.longestBatchMs, peakRssMb, batches: t.batches }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
