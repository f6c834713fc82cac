import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { hmacSha256 } from '../../src/masking/hmac-sha256.ts';

const reference = (key: Uint8Array, message: string | Uint8Array) => createHmac('sha256', key).update(message).digest();

test('equals createHmac for any key (shorter or longer than a block) and any text or bytes, short or long', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 150 }),
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 130 }), fc.string({ minLength: 300, maxLength: 2000 }), fc.string({ unit: 'grapheme', minLength: 300, maxLength: 700 }), fc.uint8Array({ maxLength: 1500 })),
      (key, message) => {
        const mac = hmacSha256(key);
        expect(mac(message)).toEqual(reference(key, message));
        expect(mac.hex(message)).toBe(reference(key, message).toString('hex'));
        expect(mac.hex(message, 32)).toBe(reference(key, message).toString('hex').slice(0, 32));
      },
    ),
    { numRuns: 300 },
  );
});

test('one MAC gives each message its own digest, whatever came before (the buffers are reused)', () => {
  const key = Buffer.from('k');
  const mac = hmacSha256(key);
  const long = 'é'.repeat(400); // 800 bytes: past the short-text path's bound of 1024 / 3 characters
  const results = ['a much longer first message', 'b', long, '', 'b'].map((m) => mac.hex(m));
  expect(results).toEqual(['a much longer first message', 'b', long, '', 'b'].map((m) => reference(key, m).toString('hex')));
});

test('messages at every length around the block and padding boundaries match createHmac', () => {
  const key = Buffer.from('boundary key');
  const mac = hmacSha256(key);
  for (let n = 0; n <= 200; n++) {
    const ascii = 'a'.repeat(n);
    const bytes = Buffer.alloc(n, 0xe9);
    expect(mac.hex(ascii)).toBe(reference(key, ascii).toString('hex'));
    expect(mac(bytes)).toEqual(reference(key, bytes));
  }
});

test('keys of exactly one block, one byte more and empty match createHmac', () => {
  for (const key of [Buffer.alloc(64, 7), Buffer.alloc(65, 7), Buffer.alloc(0)]) {
    expect(hmacSha256(key).hex('value')).toBe(reference(key, 'value').toString('hex'));
  }
});

test('a digest is a buffer of its own, not overwritten by the next message', () => {
  const mac = hmacSha256(Buffer.from('k'));
  const first = mac('one');
  mac('two');
  expect(first).toEqual(reference(Buffer.from('k'), 'one'));
});
