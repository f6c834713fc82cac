import { describe, expect, test } from 'vitest';
import { csvCell, exportValue, rowsToCsv, typedValue } from '../../src/report/export-format.ts';

describe('values in the JSON files', () => {
  test('dates become ISO 8601 UTC, bytes base64 with their length, big integers exact text', () => {
    expect(exportValue(new Date('2024-02-29T23:30:00+02:00'))).toBe('2024-02-29T21:30:00.000Z');
    expect(exportValue(Buffer.from([0, 255, 16]))).toEqual({ base64: 'AP8Q', bytes: 3 });
    expect(exportValue(9007199254740993n)).toBe('9007199254740993');
    expect(exportValue(42n)).toBe(42);
    expect(exportValue({ nested: [new Date(0), null] })).toEqual({ nested: ['1970-01-01T00:00:00.000Z', null] });
    expect(exportValue(undefined)).toBe(null);
  });

  test('decimal and integer text from the drivers become numbers only when no digit is lost', () => {
    expect(typedValue('19.99', 'decimal')).toBe(19.99);
    expect(typedValue('5.00', 'decimal')).toBe(5);
    expect(typedValue('-007.50', 'decimal')).toBe(-7.5);
    expect(typedValue('12345678901234567.89', 'decimal')).toBe('12345678901234567.89');
    expect(typedValue('9223372036854775807', 'integer')).toBe('9223372036854775807');
    expect(typedValue('123', 'integer')).toBe(123);
    expect(typedValue('00123', 'text')).toBe('00123');
    expect(typedValue('123', undefined)).toBe('123');
  });
});

describe('cells in the CSV files', () => {
  test.each(['=1+2', '+1 555 0100', '-2+3', '@SUM(A1)', '\tx', '\rx'])('%j is defused with a leading quote', (text) => {
    expect(csvCell(text)).toBe(`'${text}`);
  });

  test('numbers, even negative ones, and ordinary text are written as they are', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  test('a file has a BOM, a header of every column seen, CRLF lines, and quotes where needed', () => {
    expect(rowsToCsv([{ a: 1, b: 'x, y' }, { a: 2, c: 'line\nbreak' }])).toBe('\uFEFFa,b,c\r\n1,"x, y",\r\n2,,"line\nbreak"\r\n');
  });
});
