// Pseudonyms computed off the main thread: hashing is most of an extract's per-row work in Node (two SHA-256 per
// value), so a large extract hands each chunk's values to a worker thread and encodes and writes the previous chunk
// meanwhile. The worker gets the extract's derived key in memory, never the configured hmac_key.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { normalizeLinkValue } from '../datamap/normalize.ts';
import { PSEUDONYM_HEX_LENGTH, type Pseudonymizer } from './pseudonym.ts';

/** The build runs the compiled worker beside this module; the sources (tests, bench) load the TypeScript one through
 *  tsx, a development dependency, since a worker does not inherit the main thread's TypeScript loader. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** tsx's ESM API (its `import` export: the CommonJS one cannot load tsx's ESM half from an eval'd worker). */
function tsxApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'].import.default;
  return pathToFileURL(path.join(path.dirname(pkg), api)).href;
}

function workerEntry(): URL | string {
  if (!FROM_SOURCES) return new URL('./pseudonym-worker.js', import.meta.url);
  const source = JSON.stringify(new URL('./pseudonym-worker.ts', import.meta.url).href);
  // Resolved from here, not from the working directory the eval'd worker would resolve it from.
  const tsx = JSON.stringify(tsxApi());
  return `import(${tsx}).then((tsx) => tsx.tsImport(${source}, ${source}))`;
}

export class PseudonymPool {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (out: Array<string | null>) => void; reject: (err: Error) => void }>();
  #next = 0;
  #failure: Error | undefined;

  constructor(pseudonym: Pseudonymizer) {
    this.#worker = new Worker(workerEntry(), {
      eval: FROM_SOURCES,
      workerData: { key: pseudonym.key, hexLength: PSEUDONYM_HEX_LENGTH },
    });
    this.#worker.on('message', ({ id, out }: { id: number; out: Array<string | null> }) => {
      this.#waiting.get(id)?.resolve(out);
      this.#waiting.delete(id);
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the pseudonym worker stopped (exit code ${code})`)));
  }

  /** The pseudonyms of `values`, in order, as the extract's pseudonymizer gives them (NULL stays NULL). */
  pseudonyms(values: readonly unknown[]): Promise<Array<string | null>> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#next++;
    const normalized = values.map((v) => (v === null || v === undefined ? null : normalizeLinkValue(v)));
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, values: normalized });
    });
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    this.#fail(new Error('the pseudonym worker was closed'));
    await this.#worker.terminate();
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }
}
