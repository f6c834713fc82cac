// A job's `run:` as command-line words: `extract "signups by region"` -> ['extract', 'signups by region'].
// Words are passed to the child as argv, never through a shell.
import { UsageError } from '../src/errors.ts';

/** Commands a job may not run: they would start a scheduler inside the scheduler. */
const NOT_A_JOB = new Set(['schedule', 'run-job']);

export function commandWords(run: string, job = '?'): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (const ch of run) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (quote) throw new UsageError(`jobs.${job}.run: unclosed ${quote} in '${run}'`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new UsageError(`jobs.${job}.run: empty command`);
  if (NOT_A_JOB.has(words[0])) throw new UsageError(`jobs.${job}.run: '${words[0]}' cannot run as a job`);
  return words;
}
