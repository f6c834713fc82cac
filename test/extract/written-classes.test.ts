import { describe, expect, test } from 'vitest';
import { classKey } from '../../src/extract/source.ts';
import { ClassChangedError, WrittenClasses } from '../../src/extract/written-classes.ts';

const target = { k: 2, l: 2, maxSuppression: 0 };
/** Rows [quasi, sensitive]. */
const feed = (classes: WrittenClasses, rows: Array<[string, string]>) => rows.map((r) => classes.admit(r, 1, [1]));

describe('the classes of the rows written', () => {
  test('rows of suppressed classes are dropped and counted; the histogram says what was written', () => {
    const classes = new WrittenClasses(target, 1, new Set([classKey(['b'])]), true);
    expect(feed(classes, [['a', 'flu'], ['a', 'cold'], ['b', 'flu'], ['c', 'flu'], ['c', 'cold'], ['c', 'flu']])).toEqual([true, true, false, true, true, true]);
    expect(classes.finish()).toEqual([
      { size: 2, distinct: [2], classes: 1, suppressed: false },
      { size: 1, distinct: [], classes: 1, suppressed: true },
      { size: 3, distinct: [2], classes: 1, suppressed: false },
    ]);
  });

  test('a written class under k (rows changed since the search) stops the extract', () => {
    const classes = new WrittenClasses(target, 1, new Set(), true);
    feed(classes, [['a', 'flu'], ['a', 'cold'], ['new', 'flu']]);
    expect(() => classes.finish()).toThrow(ClassChangedError);
  });

  test('a written class that is not l-diverse stops it too, also when the source gives classes out of order', () => {
    const classes = new WrittenClasses(target, 1, new Set(), false);
    feed(classes, [['a', 'flu'], ['b', 'flu'], ['a', 'cold'], ['b', 'flu']]);
    expect(() => classes.finish()).toThrow(/2 row\(s\) and 1 distinct sensitive value/);
  });
});
