// The pseudonym worker: HMAC-SHA-256 of values already normalized as text, under the extract's derived key, cut to
// the pseudonym's length; the HMAC is the masking module's own.
import { parentPort, workerData } from 'node:worker_threads';
import { hmacSha256 } from '../masking/hmac-sha256.ts';

const { key, hexLength } = workerData as { key: Uint8Array; hexLength: number };
const mac = hmacSha256(key);

parentPort!.on('message', ({ id, values }: { id: number; values: Array<string | null> }) => {
  const out = new Array<string | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === null ? null : mac.hex(values[i]!, hexLength);
  parentPort!.postMessage({ id, out });
});
