import { describe, expect, test } from 'vitest';
import { suppressCells } from '../../src/extract/cell-suppression.ts';
import type { Cell } from '../../src/extract/source.ts';

const cell = (name: string, subjects: number, rows = subjects): Cell => ({ keys: [name], subjects, rows, values: [rows] });
/** Subjects never shared between cells: the union is the sum. */
const disjoint = async (cells: readonly Cell[], limit: number) => Math.min(limit, cells.reduce((n, c) => n + c.subjects, 0));
const reasons = async (cells: Cell[], k: number, subjectsIn = disjoint) => {
  const { suppressed, totalsSuppressed } = await suppressCells(cells, k, subjectsIn);
  return { cells: Object.fromEntries([...suppressed].map(([i, r]) => [cells[i].keys[0], r])), totalsSuppressed };
};

describe('small-cell suppression with a totals row', () => {
  test('nothing under k: nothing suppressed', async () => {
    expect(await reasons([cell('a', 5), cell('b', 7)], 5)).toEqual({ cells: {}, totalsSuppressed: false });
  });

  test('one cell under k: the next smallest is suppressed too, so that total - published is never one cell', async () => {
    expect(await reasons([cell('a', 9), cell('b', 2), cell('c', 6), cell('d', 12)], 5)).toEqual({ cells: { b: 'primary', c: 'secondary' }, totalsSuppressed: false });
  });

  test('two cells under k that together are still under k: a third joins them', async () => {
    expect(await reasons([cell('a', 1), cell('b', 2), cell('c', 20), cell('d', 8)], 5)).toEqual({ cells: { a: 'primary', b: 'primary', d: 'secondary' }, totalsSuppressed: false });
  });

  test('ties between candidates go to the fewest rows, then the first cell', async () => {
    expect(await reasons([cell('a', 1), cell('b', 6, 9), cell('c', 6, 7), cell('d', 6, 7)], 5)).toEqual({ cells: { a: 'primary', c: 'secondary' }, totalsSuppressed: false });
  });

  test('subjects shared between cells are counted once: the union decides', async () => {
    // b and c each hold 3 subjects, but the same 3: together they are still under k=5.
    const sharing = async (cells: readonly Cell[], limit: number) => Math.min(limit, cells.some((c) => c.keys[0] === 'a') ? 3 + 10 : 3);
    expect(await reasons([cell('a', 10), cell('b', 3), cell('c', 3)], 5, sharing)).toEqual({ cells: { a: 'secondary', b: 'primary', c: 'primary' }, totalsSuppressed: false });
  });

  test('a population under k: every cell and the totals are suppressed', async () => {
    expect(await reasons([cell('a', 1), cell('b', 2)], 5)).toEqual({ cells: { a: 'primary', b: 'primary' }, totalsSuppressed: true });
  });
});
