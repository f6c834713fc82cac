import { expect, test } from 'vitest';
import { ipDetector, isIpAddress } from '../../../src/scan/detectors/ip.ts';

test('IPv4 and IPv6 addresses, with an inet prefix', () => {
  for (const v of ['192.168.1.10', '2001:db8::1', '::1', '10.0.0.0/24', 'fe80::1ff:fe23:4567:890a']) expect(isIpAddress(v), v).toBe(true);
});

test('versions and near misses are not IP addresses', () => {
  for (const v of ['999.1.1.1', '1.2.3', 'v1.2.3.4', '1.2.3.4.5', '10.0.0.1/abc', '2001:db8:::1']) expect(isIpAddress(v), v).toBe(false);
});

test('a column of addresses suggests online.ip', () => {
  const texts = ['10.0.0.1', '10.0.0.2', '2001:db8::7'];
  expect(ipDetector.detect({ name: 'x', family: 'text', texts, raw: texts })).toMatchObject({ category: 'online.ip', matched: 3 });
});
