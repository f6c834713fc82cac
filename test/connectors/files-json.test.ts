import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemError } from '../../src/errors.ts';
import { collect, filesDir, withOrdinals, type FilesDir } from './files-helpers.ts';

const PEOPLE = [
  { id: 1, email: '  Ann@Example.org', tags: ['a', 'b'], active: true, signed_up: '2021-03-04' },
  { id: 2, email: 'bo@example.org', tags: [], active: false, signed_up: '2022-11-30' },
  { id: 3, email: 'cy@example.org', tags: null, active: true },
];
const indented = (rows: unknown[]) => JSON.stringify(rows, null, 2) + '\n';

let files: FilesDir;
beforeEach(async () => {
  files = await filesDir();
});
afterEach(() => files.remove());

describe('files connector: JSON arrays', () => {
  beforeEach(() => files.write('people.json', indented(PEOPLE)));

  it('reads the objects of the array in order, each with its ordinal', async () => {
    const json = await files.connector('json');
    expect(withOrdinals(await collect(json.batches('people', [], { batchSize: 2 })))).toEqual(PEOPLE.map((p, i) => ({ _row: i + 1, ...p })));
  });

  it('matches a number by its text ("1" finds 1) and an email under lowercase-trim', async () => {
    const json = await files.connector('json');
    expect((await collect(json.rowsWhereIn('people', 'id', ['1', '3']))).map((r) => r.id)).toEqual([1, 3]);
    expect((await collect(json.rowsWhereIn('people', 'email', ['ann@example.org'], { normalize: 'lowercase-trim' }))).map((r) => r.id)).toEqual([1]);
  });

  it('finds nothing in a key that no object has', async () => {
    const json = await files.connector('json');
    expect(await collect(json.rowsWhereIn('people', 'phone', ['1']))).toEqual([]);
  });

  it('updates one object in place, indented like the rest; every other byte is unchanged', async () => {
    const json = await files.connector('json');
    expect(await json.updateByKeys('people', ['id'], [{ key: ['2'], set: { email: 'x@invalid', tags: null } }])).toBe(1);
    const expected = [PEOPLE[0], { ...PEOPLE[1], email: 'x@invalid', tags: null }, PEOPLE[2]];
    expect((await files.read('people.json')).toString('utf8')).toBe(indented(expected));
  });

  it('deletes the first, the last, then every object, leaving valid JSON each time', async () => {
    const json = await files.connector('json');
    await json.deleteByKeys('people', ['_row'], [[3]]);
    expect((await files.read('people.json')).toString('utf8')).toBe(indented(PEOPLE.slice(0, 2)));
    await json.deleteByKeys('people', ['_row'], [[1]]);
    expect((await files.read('people.json')).toString('utf8')).toBe(indented(PEOPLE.slice(1, 2)));
    await json.deleteByKeys('people', ['id'], [[2]]);
    expect((await files.read('people.json')).toString('utf8')).toBe('[\n]\n');
    expect(await collect(json.batches('people', [], { batchSize: 10 }))).toEqual([]);
  });

  it('keeps a compact array compact', async () => {
    await files.write('compact.json', '[{"id":1,"email":"a@x.org"},{"id":2,"email":"b@x.org"},{"id":3,"email":"c@x.org"}]');
    const json = await files.connector('json');
    await json.transaction(async (tx) => {
      await tx.updateByKeys('compact', ['id'], [{ key: [3], set: { email: 'hash@invalid' } }]);
      await tx.deleteByKeys('compact', ['id'], [[2]]);
    });
    expect((await files.read('compact.json')).toString('utf8')).toBe('[{"id":1,"email":"a@x.org"},{"id":3,"email":"hash@invalid"}]');
  });

  it('writes nothing when a transaction throws', async () => {
    const json = await files.connector('json');
    await expect(
      json.transaction(async (tx) => {
        await tx.deleteByKeys('people', [], [[1], [2]]);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect((await files.read('people.json')).toString('utf8')).toBe(indented(PEOPLE));
  });

  it('names the line of an invalid element without quoting it', async () => {
    const error = await files.readError('bad.json', '[\n  {"id": 1},\n  {"id": 2, "email": "secret@x.org",}\n]\n');
    expect(error).toBeInstanceOf(SystemError);
    expect(error.message).toBe('exports.bad: line 3: invalid JSON');
  });

  it('refuses a file that is not an array of objects', async () => {
    await files.write('object.json', '{"id": 1}');
    await files.write('numbers.json', '[1, 2]');
    const json = await files.connector('json');
    expect((await collect(json.batches('object', [], { batchSize: 10 })).catch((e) => e)).message).toBe(
      'exports.object: line 1: expected a JSON array of objects',
    );
    expect((await collect(json.batches('numbers', [], { batchSize: 10 })).catch((e) => e)).message).toBe(
      'exports.numbers: line 1: expected an object as array element',
    );
  });

  it('introspects the keys of the objects with families inferred from their values', async () => {
    const json = await files.connector('json');
    const [people] = (await json.introspect()).tables;
    expect(people.name).toBe('people');
    expect(people.estimatedRows).toBe(3);
    expect(people.columns.map((c) => [c.name, c.type, c.family, c.nullable])).toEqual([
      ['id', 'number', 'integer', false],
      ['email', 'string', 'text', false],
      ['tags', 'array', 'json', true],
      ['active', 'boolean', 'boolean', false],
      ['signed_up', 'string', 'date', true],
    ]);
  });
});

describe('files connector: NDJSON', () => {
  const ANN = '{"id":1,"email":"Ann@Example.org ","score":1.5}\n';
  const BO = '{"id":2,"email":"bo@example.org","score":2}\r\n';
  const CY = '{"id":3,"email":"cy@example.org"}';
  beforeEach(() => files.write('events.ndjson', ANN + '\n' + BO + CY));

  it('reads one object a line, skipping blank lines', async () => {
    const ndjson = await files.connector('ndjson');
    expect(withOrdinals(await collect(ndjson.batches('events', [], { batchSize: 10 })))).toEqual([
      { _row: 1, id: 1, email: 'Ann@Example.org ', score: 1.5 },
      { _row: 2, id: 2, email: 'bo@example.org', score: 2 },
      { _row: 3, id: 3, email: 'cy@example.org' },
    ]);
  });

  it('finds a padded mixed-case email under lowercase-trim', async () => {
    const ndjson = await files.connector('ndjson');
    const rows = await collect(ndjson.rowsWhereIn('events', 'email', ['ann@example.org'], { normalize: 'lowercase-trim' }));
    expect(withOrdinals(rows)).toEqual([{ _row: 1, id: 1, email: 'Ann@Example.org ', score: 1.5 }]);
  });

  it('rewrites only the changed line, keeping its CRLF, the blank line and every other line', async () => {
    const ndjson = await files.connector('ndjson');
    expect(await ndjson.updateByKeys('events', ['id'], [{ key: ['2'], set: { email: 'x@invalid' } }])).toBe(1);
    expect((await files.read('events.ndjson')).toString('utf8')).toBe(ANN + '\n' + '{"id":2,"email":"x@invalid","score":2}\r\n' + CY);
  });

  it('deletes a line', async () => {
    const ndjson = await files.connector('ndjson');
    expect(await ndjson.deleteByKeys('events', ['id'], [[3], [99]])).toBe(1);
    expect((await files.read('events.ndjson')).toString('utf8')).toBe(ANN + '\n' + BO);
  });

  it('names the line of an invalid record without quoting it', async () => {
    await files.write('bad.ndjson', '{"id":1}\n\n{"email": "secret@x.org"\n');
    await files.write('array.ndjson', '{"id":1}\n[1]\n');
    const ndjson = await files.connector('ndjson');
    expect((await collect(ndjson.batches('bad', [], { batchSize: 10 })).catch((e) => e)).message).toBe('exports.bad: line 3: invalid JSON');
    expect((await collect(ndjson.batches('array', [], { batchSize: 10 })).catch((e) => e)).message).toBe(
      'exports.array: line 2: expected a JSON object',
    );
  });
});
