// Generalization ladders of quasi-identifier columns: level 0 is the raw value, each further level one step of the
// data map's `generalize:` list. One module says what each step means, in SQL (sql-generalize.ts), in process for
// files (generalize-value.ts) and as the label written to the extract (labelOf), so the three never disagree.
import type { TypeFamily } from '../../connectors/connector.ts';

export type Step =
  | { kind: 'raw' }
  /** `year` (span 1), `5-years`, `10-years`: the year, or the first year of its span. */
  | { kind: 'years'; span: number }
  /** `prefix-N`: the first N characters of the value as text. */
  | { kind: 'prefix'; length: number }
  /** `bucket-N`: floor(value / N) * N, the lower bound of the value's bucket. */
  | { kind: 'bucket'; width: number }
  /** `*`: every value the same. */
  | { kind: 'star' };

export interface Ladder {
  column: string;
  /** The column's type family; `text` for files, whose values are all text. */
  family: TypeFamily;
  /** steps[0] is raw; steps[level] is what level `level` writes. */
  steps: Step[];
  /** The lowest level the search may use: 1 for a column that identifies a subject (its raw value never leaves). */
  minLevel: number;
}

export const NUMERIC_FAMILIES: readonly TypeFamily[] = ['integer', 'decimal', 'float'];
const DATE_FAMILIES: readonly TypeFamily[] = ['date', 'timestamp'];

export function parseStep(text: string): Step {
  if (text === '*') return { kind: 'star' };
  if (text === 'year') return { kind: 'years', span: 1 };
  if (text === '5-years') return { kind: 'years', span: 5 };
  if (text === '10-years') return { kind: 'years', span: 10 };
  const m = /^(prefix|bucket)-([1-9][0-9]*)$/.exec(text);
  if (m && m[1] === 'prefix') return { kind: 'prefix', length: Number(m[2]) };
  if (m) return { kind: 'bucket', width: Number(m[2]) };
  throw new Error(`unknown generalization step ${JSON.stringify(text)}`);
}

export function stepName(step: Step): string {
  switch (step.kind) {
    case 'raw':
      return 'raw';
    case 'years':
      return step.span === 1 ? 'year' : `${step.span}-years`;
    case 'prefix':
      return `prefix-${step.length}`;
    case 'bucket':
      return `bucket-${step.width}`;
    case 'star':
      return '*';
  }
}

export const height = (ladder: Ladder): number => ladder.steps.length - 1;

/**
 * Why a ladder cannot be used for a column of `family` (undefined when it can). `anyFamily` for files, whose text
 * values are read as dates or numbers when a step needs one. Each step must coarsen the one before (a longer prefix
 * after a shorter one, or a bucket that does not contain the previous ones, would make the search's pruning wrong).
 */
export function ladderProblem(steps: readonly Step[], family: TypeFamily, anyFamily: boolean): string | undefined {
  let previous: Step = { kind: 'raw' };
  for (const [i, step] of steps.entries()) {
    const name = stepName(step);
    if (previous.kind === 'star') return `\`*\` must be the last step (found ${name} after it)`;
    if (!anyFamily && step.kind === 'years' && !DATE_FAMILIES.includes(family)) return `${name} needs a date or timestamp column (this one is ${family})`;
    if (!anyFamily && step.kind === 'bucket' && !NUMERIC_FAMILIES.includes(family)) return `${name} needs a numeric column (this one is ${family})`;
    if (step.kind === previous.kind) {
      const coarser =
        (step.kind === 'years' && previous.kind === 'years' && step.span > previous.span && step.span % previous.span === 0) ||
        (step.kind === 'prefix' && previous.kind === 'prefix' && step.length < previous.length) ||
        (step.kind === 'bucket' && previous.kind === 'bucket' && step.width > previous.width && step.width % previous.width === 0);
      if (!coarser) return `step ${i + 1} (${name}) does not coarsen ${stepName(previous)}: each step must merge whole groups of the one before`;
    }
    previous = step;
  }
  return undefined;
}

/** The value written to the extract for a generalized value (canonical: number, string or null). */
export function labelOf(step: Step, value: unknown): unknown {
  if (step.kind === 'star') return '*';
  if (value === null || value === undefined) return null;
  switch (step.kind) {
    case 'years': {
      const y = Number(value);
      return step.span === 1 ? String(y) : `${y}-${y + step.span - 1}`;
    }
    case 'bucket': {
      const b = Number(value);
      return `[${b},${b + step.width})`;
    }
    default:
      return value;
  }
}

/**
 * A generalized value as the drivers differ in handing it over, made canonical: numbers from numeric steps and
 * numeric columns become JavaScript numbers (pg and mysql2 send exact numerics as text), when that loses no digit.
 */
export function canonicalValue(step: Step, family: TypeFamily, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const numeric = step.kind === 'years' || step.kind === 'bucket' || (step.kind === 'raw' && NUMERIC_FAMILIES.includes(family));
  if (!numeric) return typeof value === 'string' ? value : String(value);
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(n) ? n : value.toString();
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(String(value)) ? n : String(value);
}
