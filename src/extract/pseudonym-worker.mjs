// The pseudonym worker: HMAC-SHA-256 of values already normalized as text, under the extract's derived key, cut to
// the pseudonym's length. Plain JavaScript with Node's built-ins only, so that it loads in a worker thread whatever
// runs the TypeScript in the main thread (tsx, vitest). The HMAC is written as in src/masking/hmac-sha256.ts and
// checked against it by test/extract/pseudonym-pool.test.ts.
import { hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const BLOCK = 64;
const SCRATCH = 1024;
const { key, hexLength } = workerData;
const inner = Buffer.alloc(BLOCK + SCRATCH);
const outer = Buffer.alloc(BLOCK + 32);
for (let i = 0; i < BLOCK; i++) {
  inner[i] = (key[i] ?? 0) ^ 0x36;
  outer[i] = (key[i] ?? 0) ^ 0x5c;
}

function mac(text) {
  const message = text.length * 3 <= SCRATCH ? inner.subarray(0, BLOCK + inner.write(text, BLOCK, 'utf8')) : Buffer.concat([inner.subarray(0, BLOCK), Buffer.from(text, 'utf8')]);
  hash('sha256', message, 'buffer').copy(outer, BLOCK);
  return hash('sha256', outer, 'hex').slice(0, hexLength);
}

parentPort.on('message', ({ id, values }) => {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === null ? null : mac(values[i]);
  parentPort.postMessage({ id, out });
});
