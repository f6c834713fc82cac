import { expect, test } from 'vitest';
import { containsEmail, emailDetector, isEmail } from '../../../src/scan/detectors/email.ts';

const column = (texts: string[]) => ({ name: 'c', family: 'text' as const, texts, raw: texts });

test('whole email addresses, including international domains', () => {
  for (const v of ['ann@example.com', 'first.last+tag@sub.example.co.uk', 'jürgen@müller.de']) expect(isEmail(v)).toBe(true);
});

test('look-alikes are not email addresses', () => {
  for (const v of ['user@localhost', 'a@b.c', '@handle', 'ann at example dot com', 'ann@@example.com', 'mailto:']) expect(isEmail(v)).toBe(false);
});

test('an address inside free text is found', () => {
  expect(containsEmail('please write to ann@example.com, thanks')).toBe(true);
  expect(containsEmail('ticket #12 @support')).toBe(false);
});

test('a column of addresses is detected with high confidence', () => {
  expect(emailDetector.detect(column(['a@example.com', 'b@example.com', 'c@example.org']))).toMatchObject({
    category: 'contact.email',
    confidence: 0.95,
    matched: 3,
    sampled: 3,
    evidence: '3 of 3 sampled values are email addresses',
  });
});

test('free text with a few addresses is still personal data', () => {
  const texts = ['call me', 'write to ann@example.com', 'ok', 'bob@example.org is my address', 'fine', 'thanks', 'no', 'yes', 'x', 'y'];
  expect(emailDetector.detect(column(texts))).toMatchObject({ matched: 2, sampled: 10, confidence: 0.7, evidence: '2 of 10 sampled values contain email addresses in text' });
});

test('no address, no detection', () => {
  expect(emailDetector.detect(column(['free', 'pro', 'team']))).toBeUndefined();
});
