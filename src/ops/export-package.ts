// Writing the export package to disk: private modes whatever the umask, and all-or-nothing: the files are written
// into a hidden directory beside the target and renamed into place, so a failed export leaves no half package.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.ts';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface PackageFile {
  /** Path inside the package, `/`-separated: `data/app/users.json`. */
  path: string;
  content: string | Buffer;
}

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A name usable as one path segment on every OS: odd characters become `_`, never `.`/`..` or empty. */
export function safeSegment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[. ]+|[. ]+$/g, '_');
  return s === '' ? '_' : s.slice(0, 200);
}

/** Refuses (exit 2, nothing touched) when `<out>/<ticket>` exists and `force` was not given. */
export function assertTargetFree(target: string, force: boolean): void {
  if (!force && existsSync(target)) {
    throw new UsageError(`${target} already exists: an export for this ticket was written before (use --force to replace it)`);
  }
}

/**
 * Refuses (exit 2, nothing touched) an output directory that every user may write into (o+w, like /tmp, sticky or
 * not), unless `force`: anyone there can create the package's path first, or a link in its place, and see the
 * tickets. A directory that does not exist yet is fine: it is created 0700.
 */
export function assertPrivateOut(dir: string, force: boolean): void {
  if (force) return;
  const s = statSync(dir, { throwIfNoEntry: false });
  if (s && s.mode & 0o002) {
    throw new UsageError(`--out: ${dir} is writable by every user (mode ${(s.mode & 0o7777).toString(8)}); export into a private directory, or pass --force`);
  }
}

/**
 * Writes `files` as the directory `target` (0700, files 0600) atomically; `lastFile` is called with the hashes of
 * everything written so far and its result is written last (the manifest). Replaces an existing target only with `force`.
 */
export async function writePackage(
  target: string,
  files: readonly PackageFile[],
  lastFile: (written: WrittenFile[]) => PackageFile,
  force: boolean,
): Promise<WrittenFile[]> {
  const parent = path.dirname(target);
  await ensureDir(parent);
  assertTargetFree(target, force);
  const tag = randomBytes(6).toString('hex');
  const temp = path.join(parent, `.${path.basename(target)}.tmp-${tag}`);
  await mkdir(temp, { mode: DIR_MODE });
  try {
    await chmod(temp, DIR_MODE); // mkdir's mode is masked by the umask; chmod is not
    const written: WrittenFile[] = [];
    for (const f of files) written.push(await writeFile(temp, f));
    written.push(await writeFile(temp, lastFile(written)));
    await syncDir(temp);
    if (existsSync(target)) {
      // --force: the old package is moved aside first, and removed only once the new one is in place.
      const old = path.join(parent, `.${path.basename(target)}.old-${tag}`);
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
    await syncDir(parent);
    return written;
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

async function writeFile(root: string, f: PackageFile): Promise<WrittenFile> {
  const parts = f.path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`bad package path: ${f.path}`);
  let dir = root;
  for (const p of parts.slice(0, -1)) {
    dir = path.join(dir, p);
    if (!existsSync(dir)) {
      await mkdir(dir, { mode: DIR_MODE });
      await chmod(dir, DIR_MODE);
    }
  }
  const file = path.join(root, ...parts);
  const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
  const handle = await open(file, 'wx', FILE_MODE);
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path: f.path, sha256: sha256(content), bytes: content.length };
}

/** The output directory itself: created private when it does not exist, left as it is when it does. */
async function ensureDir(dir: string): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (s && !s.isDirectory()) throw new UsageError(`--out: ${dir} is not a directory`);
  if (!s) {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r').catch(() => undefined);
  if (!h) return;
  try {
    await h.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await h.close();
  }
}
