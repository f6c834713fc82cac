// The pseudonym worker: HMAC-SHA-256 of values already normalized as text, under the extract's derived key, cut to
// the pseudonym's length. Plain JavaScript, so that it loads in a worker thread whatever runs the TypeScript in the
// main thread (tsx, vitest); the HMAC is the masking module's own.
import { parentPort, workerData } from 'node:worker_threads';
import { hmacSha256 } from '../masking/hmac-sha256.mjs';

const { key, hexLength } = workerData;
const mac = hmacSha256(key);

parentPort.on('message', ({ id, values }) => {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === null ? null : mac.hex(values[i], hexLength);
  parentPort.postMessage({ id, out });
});
