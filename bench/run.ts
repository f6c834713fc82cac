// `npm run bench -- <name>`: each benchmark measures dsar beside a raw-SQL baseline in the same run and prints the ratio.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`bench: unknown benchmark '${name}' (available: ${available.join(', ')})`);
    process.exit(2);
  }
}
for (const name of names) {
  console.log(`\n## ${name}`);
  const mod = await import(pathToFileURL(path.join(dir, `${name}.bench.ts`)).href);
  await mod.run(process.argv.slice(2).filter((a) => a.startsWith('-')));
}
