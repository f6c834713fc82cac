import { afterEach, expect, test } from 'vitest';
import type { Secret } from '../../src/datamap/types.ts';
import { UsageError } from '../../src/errors.ts';
import { requireHmacKey } from '../../src/masking/masker.ts';

const envSecret: Secret = {
  ref: 'env:DSAR_TEST_HMAC_KEY',
  loc: { file: 'datamap.yaml', line: 9, column: 13, path: 'secrets.hmac_key' },
  resolve: () => process.env.DSAR_TEST_HMAC_KEY,
};

afterEach(() => {
  delete process.env.DSAR_TEST_HMAC_KEY;
});

test('the key is the bytes of the resolved secret', () => {
  process.env.DSAR_TEST_HMAC_KEY = 'k3y';
  expect(requireHmacKey(envSecret)).toEqual(Buffer.from('k3y'));
});

test('an unset or empty key is a usage error that says where to set it', () => {
  const message = 'secrets.hmac_key is not set (env:DSAR_HMAC_KEY): erase, sweep and extract need it';
  expect(() => requireHmacKey(envSecret)).toThrow(new UsageError(message));
  process.env.DSAR_TEST_HMAC_KEY = '';
  expect(() => requireHmacKey(envSecret)).toThrow(UsageError);
  expect(() => requireHmacKey(undefined)).toThrow(message);
});
