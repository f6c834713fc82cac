// Atomic file rewrite: the new content goes to a temp file in the same directory, is fsynced, renamed over the
// original, and the directory is fsynced. The original is untouched until the rename, so a kill -9 at any moment
// leaves either the old file or the new one, plus at worst a temp file that the next connect removes.
import { randomBytes } from 'node:crypto';
import { open, readdir, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { ByteSink } from './codec.ts';

/** Temp files are named `.<file name>.dsar-tmp-<pid>-<random>`: hidden, and never taken for a table. */
export const TEMP_MARKER = '.dsar-tmp-';
const TEMP_NAME = /^\..+\.dsar-tmp-(?:(\d+)-)?/;
const WRITE_BUFFER = 64 * 1024;

export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Streams new content for `file` through `produce` and puts it in place atomically. When `produce` returns
 * false (nothing changed) the temp file is removed and the original stays as it is. If `produce` throws,
 * nothing is written. The new file keeps the original's permissions (and owner, when allowed).
 */
export async function rewriteAtomically(file: string, produce: (sink: ByteSink) => Promise<boolean>, opts: { within?: string } = {}): Promise<boolean> {
  file = await resolvedTarget(file, opts.within);
  const original = await stat(file);
  const temp = tempPathFor(file);
  const mode = original.mode & 0o7777;
  const handle = await open(temp, 'wx', mode);
  let closed = false;
  try {
    await handle.chmod(mode); // the umask may have narrowed it
    await handle.chown(original.uid, original.gid).catch(() => undefined); // only root may; harmless otherwise
    const sink = new BufferedSink(handle);
    const commit = await produce(sink);
    await sink.flush();
    if (!commit) {
      await handle.close();
      closed = true;
      await unlink(temp);
      return false;
    }
    await handle.sync();
    await handle.close();
    closed = true;
    await rename(temp, file);
    await syncDirectory(dirname(file));
    return true;
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * The file a rewrite replaces: a symlink's target (resolved once, here), so that the link stays a link and the data
 * it names is what changes; refused when the target lies outside `within` (the system's directory).
 */
async function resolvedTarget(file: string, within: string | undefined): Promise<string> {
  const real = await realpath(file);
  if (real === file || within === undefined) return real;
  const root = await realpath(within);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new Error(`${basename(file)} is a link to a file outside the system's directory; dsar rewrites files only inside it, so nothing was written`);
  }
  return real;
}

/** Makes the rename durable. Some platforms cannot fsync a directory; the rename itself is still atomic there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

/** Temp files in `dir` left by a rewrite that never finished (their process is gone), as full paths. */
export async function listLeftoverTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((name) => {
      const match = TEMP_NAME.exec(name);
      return match !== null && !(match[1] !== undefined && isRunning(Number(match[1])));
    })
    .map((name) => join(dir, name));
}

/** Removes leftover temp files (see listLeftoverTempFiles); returns what it removed. */
export async function removeLeftoverTempFiles(dir: string): Promise<string[]> {
  const leftovers = await listLeftoverTempFiles(dir);
  for (const path of leftovers) await unlink(path).catch(() => undefined);
  return leftovers;
}

/** A rewrite by another live process (say, the scheduler's sweep) must not lose its temp file under it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Collects small writes into 64 KiB writes. */
class BufferedSink implements ByteSink {
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(data: Buffer | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.size >= WRITE_BUFFER) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    let bytes = Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    while (bytes.length > 0) {
      const { bytesWritten } = await this.handle.write(bytes, 0, bytes.length);
      bytes = bytes.subarray(bytesWritten);
    }
  }
}
