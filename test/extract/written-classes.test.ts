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
      { size: 2, subjects: 2, distinct: [2], classes: 1, suppressed: false },
      { size: 1, subjects: 1, distinct: [], classes: 1, suppressed: true },
      { size: 3, subjects: 3, distinct: [2], classes: 1, suppressed: false },
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
    expect(() => classes.finish()).toThrow(/2 subject\(s\) and 1 distinct sensitive value/);
  });

  test('with a subject column, one subject’s rows are one subject: a class of 3 rows of 1 person fails k=2', () => {
    const ordered = new WrittenClasses(target, 1, new Set(), true);
    // [quasi, sensitive, subject]: an ordered source gives one subject's rows together.
    for (const r of [['a', 'flu', 'p1'], ['a', 'cold', 'p1'], ['a', 'flu', 'p1']]) ordered.admit(r, 1, [1], 2);
    expect(() => ordered.finish()).toThrow(/holds 1 subject\(s\)/);

    const unordered = new WrittenClasses(target, 1, new Set(), false);
    for (const r of [['a', 'flu', 'p1'], ['b', 'flu', 'p3'], ['a', 'cold', 'p2'], ['a', 'flu', 'p1'], ['b', 'cold', 'p4']]) unordered.admit(r, 1, [1], 2);
    expect(unordered.finish()).toEqual([
      { size: 3, subjects: 2, distinct: [2], classes: 1, suppressed: false },
      { size: 2, subjects: 2, distinct: [2], classes: 1, suppressed: false },
    ]);
  });

  test('rows naming no subject (NULL) add none: such a class fails k', () => {
    const classes = new WrittenClasses({ k: 1, maxSuppression: 0 }, 0, new Set(), true);
    for (const r of [['a', null], ['a', null]]) classes.admit(r, 1, [], 1);
    expect(() => classes.finish()).toThrow(/holds 0 subject\(s\)/);
  });
});
