// Temp directories of data files for the files connector tests.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { FileFormat } from '../../src/datamap/types.ts';
import type { Row } from '../../connectors/connector.ts';
import { FilesConnector } from '../../connectors/files/connector.ts';

export interface FilesDir {
  dir: string;
  write(name: string, content: string | Buffer): Promise<void>;
  read(name: string): Promise<Buffer>;
  inode(name: string): Promise<number>;
  connector(format: FileFormat): Promise<FilesConnector>;
  /** Writes `file` with `content` and gives the error that reading all its rows (in the file's format) ends in. */
  readError(file: string, content: string): Promise<any>;
  remove(): Promise<void>;
}

export async function filesDir(): Promise<FilesDir> {
  const dir = await mkdtemp(join(tmpdir(), 'dsar-files-'));
  async function connector(format: FileFormat): Promise<FilesConnector> {
    const c = new FilesConnector({ system: 'exports', kind: 'files', path: dir, format });
    await c.connect();
    return c;
  }
  return {
    dir,
    write: (name, content) => writeFile(join(dir, name), content),
    read: (name) => readFile(join(dir, name)),
    inode: async (name) => (await stat(join(dir, name))).ino,
    connector,
    async readError(file, content) {
      await writeFile(join(dir, file), content);
      const c = await connector(extname(file).slice(1) as FileFormat);
      return collect(c.batches(basename(file, extname(file)), [], { batchSize: 10 })).catch((e) => e);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Every row of every chunk. */
export async function collect(chunks: AsyncIterable<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const chunk of chunks) rows.push(...chunk);
  return rows;
}

/** Rows with their `_row` ordinal made visible, for exact comparisons. */
export function withOrdinals(rows: Row[]): Row[] {
  return rows.map((row) => ({ _row: (row as { _row?: unknown })._row, ...row }));
}

export const BOM = '\uFEFF';
