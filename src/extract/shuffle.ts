// A uniformly random order for rows that come in the source's order (files): row i of an extract must not be the
// i-th customer. Up to IN_MEMORY rows are shuffled in memory; past that, rows are dealt at random into BUCKETS
// temporary files (a private directory, 0700/0600, removed afterwards), and each bucket is shuffled in memory in
// turn: memory holds about one bucket, whatever the size of the file.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const IN_MEMORY = 50_000;
const BUCKETS = 64;
const CHUNK = 2_500;

/** xorshift128+ seeded from the OS's randomness: fast, and unpredictable without the seed. */
export function randomSource(seed: Buffer = randomBytes(16)): () => number {
  let s0 = seed.readBigUInt64LE(0) | 1n;
  let s1 = seed.readBigUInt64LE(8) | 2n;
  const mask = (1n << 64n) - 1n;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x = (x ^ (x << 23n)) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return Number(((s1 + y) & mask) >> 11n) / 2 ** 53;
  };
}

function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function* chunked<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

interface Spill {
  dir: string;
  files: string[];
  out: WriteStream[];
  failed?: Error;
}

/** The rows of `source` (JSON-representable values) in a random order, in chunks. */
export async function* shuffledRows(source: AsyncIterable<unknown[][]>, random: () => number = randomSource(), inMemory = IN_MEMORY): AsyncIterable<unknown[][]> {
  const held: unknown[][] = [];
  const it = source[Symbol.asyncIterator]();
  let spilled: Spill | undefined;
  try {
    for (let next = await it.next(); !next.done; next = await it.next()) {
      if (!spilled) {
        held.push(...next.value);
        if (held.length <= inMemory) continue;
        const dir = mkdtempSync(path.join(tmpdir(), 'dsar-shuffle-'));
        const files = Array.from({ length: BUCKETS }, (_, b) => path.join(dir, `${b}.ndjson`));
        const s: Spill = { dir, files, out: [] };
        // A full disk must fail the extract, not the process: errors are kept and thrown at the next chunk.
        s.out = files.map((f) => createWriteStream(f, { mode: 0o600 }).on('error', (err) => void (s.failed ??= err)));
        spilled = s;
        await deal(held.splice(0), s.out, random);
      } else await deal(next.value, spilled.out, random);
      if (spilled.failed) throw spilled.failed;
    }
    if (!spilled) {
      yield* chunked(shuffleInPlace(held, random));
      return;
    }
    await Promise.all(spilled.out.map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))));
    for (const file of spilled.files) {
      const bucket: unknown[][] = [];
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line) bucket.push(JSON.parse(line));
      yield* chunked(shuffleInPlace(bucket, random));
    }
  } finally {
    try {
      await it.return?.();
    } finally {
      if (spilled) {
        for (const s of spilled.out) s.destroy();
        rmSync(spilled.dir, { recursive: true, force: true });
      }
    }
  }
}

/** Each row into a random bucket; waits while a bucket's buffer is full, so memory stays about one chunk. */
async function deal(rows: readonly unknown[][], out: readonly WriteStream[], random: () => number): Promise<void> {
  for (const row of rows) {
    const bucket = out[Math.floor(random() * out.length)];
    if (!bucket.write(JSON.stringify(row) + '\n')) await new Promise<void>((resolve) => bucket.once('drain', resolve).once('error', () => resolve()));
  }
}
