// The CSV rewriter keeps a changed record's quoting: which fields were quoted is read from the record's bytes by
// `quotedFields`, and must be what csv-parse (the parser that read the record) saw. csv-parse tells that only
// through `cast`, per field, which is why it is not asked for every record (see quotedFields).
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import { csvField, quotedFields } from '../../connectors/files/csv.ts';

/** What csv-parse saw of each field of one record: quoted or not. */
function parserQuoting(raw: Buffer, delimiter: string): boolean[] {
  const quoting: boolean[] = [];
  parse(raw, {
    bom: true,
    delimiter,
    skip_empty_lines: true,
    cast: (value, context) => {
      quoting[context.index] = context.quoting;
      return value;
    },
  });
  return quoting;
}

const field = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', ';', '\t', '|', '"', '\r', '\n', '0'), maxLength: 8 });

const record = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  fields: fc.array(fc.record({ text: field, quote: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  // One file has one line ending (csv-parse takes the first it meets as the record delimiter).
  newline: fc.constantFrom('\n', '\r\n'),
  blankLinesBefore: fc.nat({ max: 2 }),
  bom: fc.boolean(),
  lastLine: fc.boolean(),
});

test('the fields read as quoted from a record are the ones csv-parse parsed as quoted, for any content, delimiter and line ending', () => {
  fc.assert(
    fc.property(record, ({ delimiter, fields, newline, blankLinesBefore, bom, lastLine }) => {
      // A single empty unquoted field is a blank line to the parser, not a record.
      fc.pre(!(fields.length === 1 && fields[0].text === '' && !fields[0].quote));
      const text = fields.map((f) => csvField(f.text, f.quote, delimiter)).join(delimiter);
      const raw = Buffer.from(`${bom ? '\ufeff' : ''}${newline.repeat(blankLinesBefore)}${text}${lastLine ? '' : newline}`, 'utf8');

      expect(quotedFields(raw, delimiter)).toEqual(parserQuoting(raw, delimiter));
    }),
    { seed: 20261208, numRuns: 2000 },
  );
});

test('a record with a quoted field holding the delimiter, an escaped quote and a line break reads as quoted there only', () => {
  const raw = Buffer.from('7,"Smith, ""Jo""\nJr",plain\r\n', 'utf8');

  expect(quotedFields(raw, ',')).toEqual([false, true, false]);
  expect(parserQuoting(raw, ',')).toEqual([false, true, false]);
});
