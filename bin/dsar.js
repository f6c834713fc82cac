#!/usr/bin/env node
// The compiled CLI (npm run build; `npm ci` and `npm pack` build it through prepare/prepack).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('dsar: the build is missing (dist/): run `npm run build` in the checkout\n');
  process.exit(2);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
