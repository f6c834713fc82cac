import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseSystemArg, systemLine } from '../../src/init/system-arg.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-sysarg-'));
  mkdirSync(path.join(dir, 'csvs'));
  writeFileSync(path.join(dir, 'csvs', 'a.csv'), 'x\n');
  mkdirSync(path.join(dir, 'mixed'));
  writeFileSync(path.join(dir, 'mixed', 'a.csv'), 'x\n');
  writeFileSync(path.join(dir, 'mixed', 'b.json'), '[]');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a database is named by the environment variable holding its URL', () => {
  expect(parseSystemArg('app=postgres:APP_DATABASE_URL')).toEqual({ name: 'app', kind: 'postgres', url: 'env:APP_DATABASE_URL' });
  expect(parseSystemArg('billing=mysql:env:BILLING_URL')).toEqual({ name: 'billing', kind: 'mysql', url: 'env:BILLING_URL' });
});

test('a URL itself is refused: the map would carry its password', () => {
  expect(() => parseSystemArg('app=postgres:postgres://u:secret@db/app')).toThrow(/name the environment variable that holds the URL/);
  try {
    parseSystemArg('app=postgres:postgres://u:secret@db/app');
  } catch (err) {
    expect(String(err)).not.toContain('secret');
  }
});

test('files take their format from the files in the directory, or from the kind', () => {
  expect(parseSystemArg('crm=files:csvs', dir)).toEqual({ name: 'crm', kind: 'files', path: path.join(dir, 'csvs'), format: 'csv' });
  expect(parseSystemArg('crm=ndjson:mixed', dir)).toMatchObject({ kind: 'files', format: 'ndjson' });
  expect(() => parseSystemArg('crm=files:mixed', dir)).toThrow(`--system crm: ${path.join(dir, 'mixed')} holds files of several formats (csv, json); say which: crm=csv:${path.join(dir, 'mixed')}`);
});

test('paths are written relative to the map', () => {
  expect(systemLine(parseSystemArg('lite=sqlite:data/app.db', dir), dir)).toBe('lite: { kind: sqlite, path: data/app.db }');
  expect(systemLine(parseSystemArg('crm=files:csvs', dir), path.join(dir, 'maps'))).toBe('crm: { kind: files, path: ../csvs, format: csv }');
});

test('a malformed or unknown kind is a one-line usage error', () => {
  expect(() => parseSystemArg('app')).toThrow(/expected name=kind:where/);
  expect(() => parseSystemArg('app=oracle:X')).toThrow('--system app: unknown kind `oracle` (postgres, mysql, sqlite, files, csv, json, ndjson)');
});
