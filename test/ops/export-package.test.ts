import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { safeSegment, writePackage } from '../../src/ops/export-package.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-pkg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const manifest = () => ({ path: 'manifest.json', content: '{}' });

test('a package that fails half way leaves neither the target nor a temporary directory', async () => {
  const target = path.join(dir, 'REQ-1');
  const failing = () => {
    throw new Error('disk full');
  };

  await expect(writePackage(target, [{ path: 'data/a/b.json', content: '[]' }], failing, false)).rejects.toThrow('disk full');
  expect(readdirSync(dir)).toEqual([]);
});

test('a failed --force keeps the previous package untouched', async () => {
  const target = path.join(dir, 'REQ-1');
  mkdirSync(target);
  writeFileSync(path.join(target, 'manifest.json'), 'old');

  await expect(writePackage(target, [{ path: 'x/../../escape', content: '' }], manifest, true)).rejects.toThrow('bad package path');
  expect(readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('old');
  expect(readdirSync(dir)).toEqual(['REQ-1']);
  expect(existsSync(path.join(dir, 'escape'))).toBe(false);
});

test('an existing package is refused without --force', async () => {
  mkdirSync(path.join(dir, 'REQ-1'));

  await expect(writePackage(path.join(dir, 'REQ-1'), [], manifest, false)).rejects.toThrow(UsageError);
});

test('odd table names become safe path segments', () => {
  expect(safeSegment('Address Line (1)')).toBe('Address Line _1_');
  expect(safeSegment('..')).toBe('_');
  expect(safeSegment('a/b\\c')).toBe('a_b_c');
  expect(safeSegment('.hidden')).toBe('_hidden');
});
