import { expect, test } from 'vitest';
import { birthdateDetector, calendarDate } from '../../../src/scan/detectors/birthdate.ts';

const NOW = () => new Date('2025-06-01T12:00:00Z');
const detector = birthdateDetector(NOW);
const column = (raw: unknown[], hint?: string) => ({ name: 'x', family: 'date' as const, texts: raw.map((r) => (r instanceof Date ? r.toISOString() : String(r))), raw, hint });

test('dates spread over decades with an adult median are dates of birth', () => {
  const raw = ['1950-03-02', '1961-07-14', '1972-11-30', '1979-01-01', '1985-05-20', '1990-09-09', '1996-12-24', '2003-02-28'];
  expect(detector.detect(column(raw))).toMatchObject({ category: 'identity.birthdate', confidence: 0.6, matched: 8, sampled: 8 });
});

test('driver Date objects at midnight count as calendar dates', () => {
  const raw = [1950, 1960, 1970, 1980, 1990, 2000].map((y) => new Date(Date.UTC(y, 4, 17)));
  expect(detector.detect(column(raw))).toMatchObject({ matched: 6 });
});

test('recent sign-up dates are not dates of birth', () => {
  const raw = ['2021-01-05', '2022-03-02', '2023-07-14', '2024-11-30', '2025-01-01', '2020-05-20'];
  expect(detector.detect(column(raw))).toBeUndefined();
});

test('timestamps with a time of day are not dates of birth', () => {
  const raw = ['1950-03-02T10:15:00Z', '1961-07-14T08:00:00Z', '1972-11-30T23:59:00Z', '1979-01-01T01:00:00Z', '1985-05-20T12:00:00Z'];
  expect(detector.detect(column(raw))).toBeUndefined();
});

test('a declared birth-date column only needs plausible dates; future dates are not', () => {
  expect(detector.detect(column(['2019-05-01', '2020-01-01'], 'identity.birthdate'))).toMatchObject({ matched: 2, confidence: 0.8 });
  expect(detector.detect(column(['2090-05-01', 'n/a'], 'identity.birthdate'))).toBeUndefined();
});

test('day-first and ISO text dates parse; nonsense does not', () => {
  expect(calendarDate('02.03.1985', '02.03.1985')?.getUTCFullYear()).toBe(1985);
  expect(calendarDate('1985-02-30', '1985-02-30')).toBeUndefined();
  expect(calendarDate('soon', 'soon')).toBeUndefined();
});
