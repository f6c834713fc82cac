import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { maskValue, maskerFor } from '../../src/masking/masker.ts';
import { OTHER_KEY, column, ctx } from './contexts.ts';

const fake = (value: unknown, c: ReturnType<typeof ctx>) => maskValue('fake', value, c);

describe('fake gives a plausible value of the category', () => {
  test('a name gets a full name', () => {
    const out = fake('Jane Doe', ctx('identity.name'));
    expect(out).toBe('Loretta Aufderhar');
    expect(out).toMatch(/^[A-Z][a-z'-]+ [A-Z][A-Za-z'-]+$/);
  });

  test('an email gets an address at example.com', () => {
    expect(fake('jane@mail.org', ctx('contact.email'))).toMatch(/^[A-Za-z0-9._-]+@example\.com$/);
  });

  test('a value that looks like an email gets a fake email under any category', () => {
    expect(fake('jane@mail.org', ctx('third-party.source'))).toMatch(/^[A-Za-z0-9._-]+@example\.com$/);
  });

  test('a phone gets a phone number', () => {
    const out = fake('555 123 4567', ctx('contact.phone'));
    expect(out).toBe('(237) 204-7762');
    expect(out).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
  });

  test('an address gets a street address', () => {
    expect(fake('1 Main St', ctx('contact.address'))).toBe('831 E 8th Street');
  });

  test('a postal code keeps the pattern of the original', () => {
    expect(fake('SW1A 1AA', ctx('contact.address.postal'))).toMatch(/^[A-Z]{2}\d[A-Z] \d[A-Z]{2}$/);
    expect(fake('94107', ctx('contact.address.postal'))).toMatch(/^\d{5}$/);
  });

  test('a company gets a company name', () => {
    expect(fake('Acme Ltd', ctx('identity.company'))).toBe('Grant, Hills and Toy');
  });

  test('a birthdate in text gets a YYYY-MM-DD date of an adult', () => {
    expect(fake('1990-05-06', ctx('identity.birthdate'))).toBe('1934-06-04');
  });

  test('a birthdate Date stays a Date at local midnight', () => {
    const out = fake(new Date(1990, 4, 6), ctx('identity.birthdate', { column: column('date', 'date') })) as Date;
    expect(out).toBeInstanceOf(Date);
    expect([out.getHours(), out.getMinutes(), out.getSeconds()]).toEqual([0, 0, 0]);
    expect(out.getFullYear()).toBeGreaterThanOrEqual(1934);
    expect(out.getFullYear()).toBeLessThanOrEqual(2007);
  });

  test('an IP gets an IPv4 address', () => {
    expect(fake('10.1.2.3', ctx('online.ip'))).toBe('32.193.44.28');
  });

  test('other text gets lorem words', () => {
    expect(fake('my notes', ctx('support.notes'))).toBe('Casso cena sollers toties civitas colligo absens cruentus.');
  });

  test('an integer column gets a number within its type', () => {
    const out = fake(1234, ctx('usage.activity', { column: column('integer', 'smallint') })) as number;
    expect(Number.isInteger(out) && out >= 1 && out <= 32767).toBe(true);
  });
});

describe('fake is deterministic per original', () => {
  test('the same value and key give the same fake', () => {
    expect(fake('Jane Doe', ctx('identity.name'))).toBe(fake('Jane Doe', ctx('identity.name')));
  });

  test('another key gives another fake', () => {
    expect(fake('Jane Doe', ctx('identity.name', { hmacKey: OTHER_KEY }))).toBe('Pamela Kuphal');
  });

  test('another value gives another fake', () => {
    expect(fake('John Roe', ctx('identity.name'))).not.toBe(fake('Jane Doe', ctx('identity.name')));
  });
});

describe('fake fits the column', () => {
  test('text is cut to the column length', () => {
    const out = fake('my notes', ctx('support.notes', { column: column('text', 'varchar(12)', { maxLength: 12 }) }));
    expect(out).toBe('Casso cena s');
  });

  test('an email keeps its domain and shortens the local part', () => {
    const out = fake('jane@mail.org', ctx('contact.email', { column: column('text', 'varchar(16)', { maxLength: 16 }) }));
    expect(out).toMatch(/^[A-Za-z0-9._-]{4}@example\.com$/);
  });

  test('a phone that does not fit keeps its digits', () => {
    const out = fake('5551234567', ctx('contact.phone', { column: column('text', 'varchar(10)', { maxLength: 10 }) }));
    expect(out).toBe('2372047762');
  });
});

test('a fake email is recognized, so faking it again changes nothing', () => {
  const once = fake('jane@mail.org', ctx('contact.email'));
  expect(maskerFor('fake').isMasked(once, ctx('contact.email'))).toBe(true);
  expect(fake(once, ctx('contact.email'))).toBe(once);
});

test('fake without secrets.hmac_key refuses with a usage error', () => {
  expect(() => fake('Jane Doe', ctx('identity.name', { hmacKey: undefined }))).toThrow(UsageError);
});
