// Builders for mask contexts and live-column descriptions in the masking tests.
import type { ColumnInfo, TypeFamily } from '../../connectors/connector.ts';
import type { MaskContext } from '../../src/masking/masker.ts';

export const KEY = Buffer.from('dsar-test-key-0001');
export const OTHER_KEY = Buffer.from('another-key');

export function column(family: TypeFamily, type: string, more: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name: 'c', type, family, nullable: true, maxLength: null, unique: false, ...more };
}

export function ctx(category: string, more: Partial<MaskContext> = {}): MaskContext {
  return { category, options: {}, hmacKey: KEY, ...more };
}
