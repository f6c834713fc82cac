// A data map for the inventory tests: SPEC's example systems plus text that must be escaped (a redact marker
// with markup, a retention basis with quotes, a pipe and an ampersand).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';

/** test/fixtures/datamaps/docs.yaml: app (postgres), billing (mysql) and mailchimp (files), five tables. */
export const DOCS_MAP = datamapFixture('docs');

/** A fresh directory holding datamap.yaml. */
export function docsMapDir(): { dir: string; datamap: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsar-docs-'));
  const datamap = path.join(dir, 'datamap.yaml');
  writeFileSync(datamap, DOCS_MAP);
  return { dir, datamap };
}
