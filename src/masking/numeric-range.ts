// The largest positive integer a numeric column holds, read from its type name, so a derived number always fits.
import type { ColumnInfo } from '../../connectors/connector.ts';

/** 2^48 - 1: large enough to stay distinct, small enough to be a safe JS integer. */
export const WIDE_CEILING = 2 ** 48 - 1;

export function integerCeiling(column?: ColumnInfo): number {
  if (!column) return WIDE_CEILING;
  const type = column.type.toLowerCase().trim();
  const precision = /^(?:numeric|decimal|dec|number)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
  if (precision) {
    const digits = Number(precision[1]) - Number(precision[2] ?? 0);
    return digits <= 0 ? 0 : Math.min(WIDE_CEILING, 10 ** digits - 1);
  }
  if (/^(?:tinyint|int1)\b/.test(type)) return 127;
  if (/^(?:smallint|int2|smallserial)\b/.test(type)) return 32_767;
  if (/^(?:mediumint|int3)\b/.test(type)) return 8_388_607;
  if (/^(?:bigint|int8|bigserial)\b/.test(type)) return WIDE_CEILING;
  if (column.family === 'float' || column.family === 'decimal') return WIDE_CEILING;
  // int, integer, int4, serial: 32-bit in PostgreSQL and MySQL (SQLite's INTEGER is wider; 32 bits is safe there too).
  return 2_147_483_647;
}
