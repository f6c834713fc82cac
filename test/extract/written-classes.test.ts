import { describe, expect, test } from 'vitest';
import { compareValues } from '../../src/extract/cell-order.ts';
import { globalDistribution } from '../../src/extract/privacy-model.ts';
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

describe('distribution models on the rows written', () => {
  const global = globalDistribution(new Map([['flu', 1], ['cold', 1]]), 'equal', compareValues);

  test('entropy-l counts each subject once per value: p1’s three flu rows and p2’s cold are flu 1, cold 1 (entropy ln 2)', () => {
    const classes = new WrittenClasses({ k: 2, l: 2, diversity: 'entropy', maxSuppression: 0 }, 1, new Set(), true, { distributions: [global] });
    for (const r of [['a', 'flu', 'p1'], ['a', 'flu', 'p1'], ['a', 'flu', 'p1'], ['a', 'cold', 'p2']]) classes.admit(r, 1, [1], 2);
    expect(classes.finish()).toEqual([{ size: 4, subjects: 2, distinct: [2], classes: 1, suppressed: false }]);
  });

  test('a written class that has become flu 2, cold 1 fails entropy-2 and stops the extract', () => {
    const classes = new WrittenClasses({ k: 2, l: 2, diversity: 'entropy', maxSuppression: 0 }, 1, new Set(), false, { distributions: [global] });
    for (const r of [['a', 'flu', 'p1'], ['a', 'cold', 'p2'], ['a', 'flu', 'p3']]) classes.admit(r, 1, [1], 2);
    expect(() => classes.finish()).toThrow(/entropy l=2: the source changed while it was read/);
  });

  test('t-closeness: a value the search never saw fails the class (the source changed)', () => {
    const classes = new WrittenClasses({ k: 1, t: 0.9, maxSuppression: 0 }, 1, new Set(), true, { distributions: [global] });
    classes.admit(['a', 'measles', 'p1'], 1, [1], 2);
    expect(() => classes.finish()).toThrow(/t=0.9: the source changed/);
  });

  test('a subject whose first row has no sensitive value is still counted once per value (ordered source)', () => {
    // A {flu, cold}, B {NULL, flu}, C {cold}, D {cold}: flu 2, cold 3 (distance 0.1 from flu 2/5, cold 3/5).
    const source = globalDistribution(new Map([['flu', 2], ['cold', 3]]), 'equal', compareValues);
    const classes = new WrittenClasses({ k: 1, t: 0.2, maxSuppression: 0 }, 1, new Set(), true, { distributions: [source] });
    for (const r of [['a', 'flu', 'A'], ['a', 'cold', 'A'], ['a', null, 'B'], ['a', 'flu', 'B'], ['a', 'cold', 'C'], ['a', 'cold', 'D']]) classes.admit(r, 1, [1], 2);
    expect(classes.finish()).toEqual([{ size: 6, subjects: 4, distinct: [2], classes: 1, suppressed: false }]);
  });

  test('values are named as the search names them: a boolean read as 1 is the search’s `true`', () => {
    const source = globalDistribution(new Map([['true', 1], ['false', 1]]), 'equal', compareValues);
    const keys = [(v: unknown) => (v === 1 || v === true ? 'true' : 'false')];
    const classes = new WrittenClasses({ k: 1, t: 0.1, maxSuppression: 0 }, 1, new Set(), true, { distributions: [source], keys });
    for (const r of [['a', 1, 'p1'], ['a', 0, 'p2']]) classes.admit(r, 1, [1], 2);
    expect(classes.finish()).toEqual([{ size: 2, subjects: 2, distinct: [2], classes: 1, suppressed: false }]);
  });
});
