// The layers of the source, as the README's layout table draws them: imports run downwards only.
//   src/cli -> src/distribute, jobs -> src/ops -> src/{plan,extract,scan,report,init,demo} -> src/{masking,state},
//   connectors -> src/datamap -> src/*.ts (errors, log, ...)
// An import from a lower layer to a higher one is refused here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const RANK: Record<string, number> = {
  'src/cli': 6,
  'src/distribute': 5,
  jobs: 5,
  'src/ops': 4,
  'src/plan': 3,
  'src/extract': 3,
  'src/scan': 3,
  'src/report': 3,
  'src/init': 3,
  'src/demo': 3,
  'src/masking': 2,
  'src/state': 2,
  connectors: 2,
  'src/datamap': 1,
  src: 0,
};

function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : 'src';
  return parts[0];
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])));
}

const upward = ['src', 'jobs', 'connectors']
  .flatMap(sources)
  .flatMap((file) => imports(file).map((target) => ({ file, target })))
  .filter(({ file, target }) => (RANK[folderOf(target)] ?? -1) > (RANK[folderOf(file)] ?? -1))
  .map(({ file, target }) => `${file} -> ${target}`);

test('every source folder has a layer', () => {
  const folders = new Set(['src', 'jobs', 'connectors'].flatMap(sources).map(folderOf));
  expect([...folders].filter((f) => RANK[f] === undefined)).toEqual([]);
});

test('no import runs from a lower layer to a higher one', () => {
  expect(upward).toEqual([]);
});

test('src/ops never imports the CLI', () => {
  expect(upward.filter((u) => u.startsWith('src/ops/')).length + sources('src/ops').filter((f) => imports(f).some((t) => t.startsWith('src/cli/'))).length).toBe(0);
});

/** Code (comments dropped) that names a driver's error: a SQLSTATE, a MySQL errno test, an SQLite result code. */
const ENGINE_ERROR_CODE = /'[0-9][0-9A-Z]{4}'|['"]SQLITE_[A-Z_]+|\bER_[A-Z_]{3,}|errno\s*[!=]==?|\.has\([\w.]*errno/;

function codeLines(file: string): string[] {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .map((line) => line.replace(/\s\/\/.*$/, ''));
}

test('engine error codes are known only to connectors/', () => {
  const outside = ['src', 'jobs'].flatMap(sources).filter((file) => codeLines(file).some((line) => ENGINE_ERROR_CODE.test(line)));
  expect(outside).toEqual([]);
  // The rule can see them: each engine's folder names its own.
  const inside = sources('connectors').filter((file) => codeLines(file).some((line) => ENGINE_ERROR_CODE.test(line)));
  expect(inside).toEqual(['connectors/mysql/errors.ts', 'connectors/postgres/errors.ts', 'connectors/sqlite/errors.ts']);
});

test('src/plan builds plans and reads nothing: no await in it', () => {
  expect(sources('src/plan').filter((file) => codeLines(file).some((line) => /\bawait\b/.test(line)))).toEqual([]);
});
