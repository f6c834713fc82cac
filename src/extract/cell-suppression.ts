// Small-cell suppression of an aggregate, and the secondary suppression that keeps the totals row from giving a
// suppressed cell back by subtraction.
//
// Primary: every cell counted from fewer than k distinct subjects is suppressed.
// Secondary: the totals row is the one margin (it covers every cell), so total minus the published cells is the sum
// of the suppressed ones. That is safe when no single cell can be isolated and the group it describes is not
// itself small: at least two cells are suppressed, and together they hold at least k distinct subjects. Until both
// hold, the next smallest published cell (fewest subjects, then fewest rows, then first in order) is suppressed too.
// When every cell ends up suppressed and the whole population is under k subjects, the totals are suppressed as well.
import type { Cell } from './source.ts';

export type SuppressionReason = 'primary' | 'secondary';

export interface CellSuppression {
  /** Cell index -> why it is suppressed. */
  suppressed: Map<number, SuppressionReason>;
  /** The totals row is suppressed too (the whole population is under k subjects). */
  totalsSuppressed: boolean;
}

/** `subjectsIn(cells, limit)` counts the distinct subjects of the given cells, up to `limit`. */
export async function suppressCells(
  cells: readonly Cell[],
  k: number,
  subjectsIn: (cells: readonly Cell[], limit: number) => Promise<number>,
): Promise<CellSuppression> {
  const suppressed = new Map<number, SuppressionReason>();
  cells.forEach((c, i) => c.subjects < k && suppressed.set(i, 'primary'));
  if (!suppressed.size) return { suppressed, totalsSuppressed: false };

  const candidates = cells
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => !suppressed.has(i))
    .sort((a, b) => a.c.subjects - b.c.subjects || a.c.rows - b.c.rows || a.i - b.i);
  const enough = async (): Promise<boolean> => {
    if (suppressed.size < 2) return false;
    const chosen = [...suppressed.keys()].map((i) => cells[i]);
    // The sum of their subjects bounds the union from above: under k, no query can say otherwise.
    if (chosen.reduce((n, c) => n + c.subjects, 0) < k) return false;
    return (await subjectsIn(chosen, k)) >= k;
  };
  while (!(await enough())) {
    const next = candidates.shift();
    if (!next) break;
    suppressed.set(next.i, 'secondary');
  }
  const totalsSuppressed = suppressed.size === cells.length && (await subjectsIn(cells, k)) < k;
  return { suppressed, totalsSuppressed };
}
