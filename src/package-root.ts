// Where dsar is installed: the directory of its package.json, found by walking up from this module, so the same
// code finds it from the sources (src/) and from the build (dist/src/), in a checkout or in a global install.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'dsar') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`dsar's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
