// Sampling a data file: one streamed pass; the first `n` records fill a reservoir and each later record replaces
// a random one with probability n/seen (Algorithm R), so every record is equally likely to be kept and memory
// holds `n` rows whatever the file's size. `full` yields every record in chunks instead.
import type { Row, SampleChunk, SampleOptions } from '../connector.ts';

const FULL_CHUNK = 1000;
/** Files name a sampled row by its row number. */
const KEY = ['_row'];

export async function* sampleRecords<R>(
  records: AsyncIterable<R>,
  toRow: (record: R) => Row,
  n: number,
  opts: SampleOptions,
  random: () => number = Math.random,
): AsyncIterable<SampleChunk> {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`sample size must be a positive integer, got ${n}`);
  if (opts.full) {
    let chunk: Row[] = [];
    let queries = 1;
    for await (const record of records) {
      chunk.push(toRow(record));
      if (chunk.length >= FULL_CHUNK) {
        yield { rows: chunk, key: KEY, method: 'full', rowsRead: chunk.length, queries };
        chunk = [];
        queries = 0; // one pass over the file
      }
    }
    if (chunk.length || queries) yield { rows: chunk, key: KEY, method: 'full', rowsRead: chunk.length, queries };
    return;
  }
  const kept: Array<{ seen: number; row: Row }> = [];
  let seen = 0;
  for await (const record of records) {
    seen++;
    if (kept.length < n) kept.push({ seen, row: toRow(record) });
    else {
      const slot = Math.floor(random() * seen);
      if (slot < n) kept[slot] = { seen, row: toRow(record) };
    }
  }
  kept.sort((a, b) => a.seen - b.seen);
  yield { rows: kept.map((k) => k.row), key: KEY, method: seen > n ? 'reservoir' : 'all', rowsRead: seen, queries: 1 };
}
