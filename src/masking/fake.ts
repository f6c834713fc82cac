// `fake`: a plausible value of the field's category from @faker-js/faker, seeded by HMAC(hmac_key, value) so the
// same original always gets the same fake (and another key another fake). Fitted to the column's length.
// Fakes are not recognizable in general (isMasked is false), except emails: every fake email is at example.com,
// a domain reserved by RFC 2606 that no real subject has. Callers that must not fake a value twice need their own
// record of what they masked (a run checkpoint, for example).
// The English locale's entry: the package's main entry loads every locale (~20 MB more resident memory).
import { faker } from '@faker-js/faker/locale/en';
import type { TypeFamily } from '../../connectors/connector.ts';
import { digestOf } from './digest.ts';
import type { Masker, MaskContext } from './masker.ts';
import { integerCeiling } from './numeric-range.ts';
import { dateLike, fitText, inCategory, isEmail, isNumericKind, kindOf, numberLike } from './value-kind.ts';

export const FAKE_EMAIL_DOMAIN = 'example.com';
const FAKE_EMAIL = /@example\.com$/i;
/** Fixed "now" for relative dates (birthdates), so a fake does not drift with the clock. */
const REFERENCE_DATE = new Date('2025-01-01T00:00:00Z');

// One instance, re-seeded per value: building a Faker per value would be slow.
faker.setDefaultRefDate(REFERENCE_DATE);

function seedFrom(value: unknown, ctx: MaskContext): void {
  const d = digestOf(value, ctx);
  faker.seed([d.readUInt32BE(0), d.readUInt32BE(4), d.readUInt32BE(8), d.readUInt32BE(12)]);
}

/** Category-specific text (first match wins); other categories get a few lorem words. */
const TEXT_BY_CATEGORY: Array<[string, () => string]> = [
  ['identity.name', () => faker.person.fullName()],
  ['identity.company', () => faker.company.name()],
  ['online.ip', () => faker.internet.ipv4()],
  ['online.device', () => faker.internet.userAgent()],
  ['online.location', () => `${faker.location.latitude()},${faker.location.longitude()}`],
  ['online.identifier', () => faker.string.uuid()],
  ['online.cookie', () => faker.string.alphanumeric(32)],
  ['account.credentials', () => faker.string.alphanumeric(32)],
  ['user-content', () => faker.lorem.sentence()],
  ['support', () => faker.lorem.sentence()],
];

function addressText(category: string, original: string): string {
  // A postal code keeps the original's pattern (`94107` -> `#####`, `SW1A 1AA` -> `??#? #??`), so it fits wherever it did.
  if (/\.(postal|zip|postcode)/.test(category)) {
    return faker.helpers.replaceSymbols(original.replace(/[0-9]/g, '#').replace(/[A-Za-z]/g, '?'));
  }
  if (/\.city\b/.test(category)) return faker.location.city();
  if (/\.country\b/.test(category)) return faker.location.country();
  if (/\.state\b/.test(category)) return faker.location.state();
  return faker.location.streetAddress();
}

function emailText(max: number | null): string {
  const email = faker.internet.email({ provider: FAKE_EMAIL_DOMAIN });
  if (max === null || email.length <= max) return email;
  const local = email.slice(0, email.indexOf('@'));
  const room = max - FAKE_EMAIL_DOMAIN.length - 1;
  return room >= 1 ? `${local.slice(0, room)}@${FAKE_EMAIL_DOMAIN}` : fitText(local, max);
}

function phoneText(max: number | null): string {
  const phone = faker.phone.number({ style: 'national' });
  if (max === null || phone.length <= max) return phone;
  return fitText(phone.replace(/\D/g, ''), max); // digits only before cutting digits
}

function fakeText(category: string, original: string, max: number | null): string {
  if (isEmail(original, category)) return emailText(max);
  if (inCategory(category, 'contact.phone')) return phoneText(max);
  if (inCategory(category, 'identity.birthdate')) return fitText(utcText(birthdate()).slice(0, 10), max);
  if (inCategory(category, 'contact.address')) return fitText(addressText(category, original), max);
  const make = TEXT_BY_CATEGORY.find(([c]) => inCategory(category, c))?.[1];
  return fitText(make ? make() : faker.lorem.words(3), max);
}

function birthdate(): Date {
  return faker.date.birthdate({ mode: 'age', min: 18, max: 90 });
}

/** Faker's instants are read in UTC, so a fake date is the same calendar day on every machine. */
function fakeDate(kind: 'date' | 'timestamp', value: unknown, category: string): unknown {
  const isBirthdate = inCategory(category, 'identity.birthdate');
  const d = isBirthdate ? birthdate() : faker.date.past({ years: 10 });
  const dateOnly = kind === 'date' || isBirthdate || (typeof value === 'string' && !value.includes(':'));
  if (dateOnly) return dateLike(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 'date', value);
  d.setMilliseconds(0);
  return value instanceof Date ? d : utcText(d);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
function utcText(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

function fakeOfKind(kind: TypeFamily, value: unknown, ctx: MaskContext): unknown {
  const max = ctx.column?.maxLength ?? null;
  if (isNumericKind(kind)) {
    if (inCategory(ctx.category, 'online.location')) return numberLike(faker.location.latitude(), value);
    return numberLike(faker.number.int({ min: 1, max: Math.max(1, integerCeiling(ctx.column)) }), value);
  }
  switch (kind) {
    case 'boolean': return faker.datatype.boolean();
    case 'date':
    case 'timestamp': return fakeDate(kind, value, ctx.category);
    case 'time': return utcText(faker.date.anytime()).slice(11);
    case 'uuid': return faker.string.uuid();
    case 'inet': return faker.internet.ipv4();
    case 'binary': return Buffer.from(faker.string.hexadecimal({ length: 2 * Math.min(32, max ?? 32), prefix: '' }), 'hex');
    case 'json': return JSON.stringify(fakeText(ctx.category, JSON.stringify(value), null));
    default: return fakeText(ctx.category, String(value), max);
  }
}

export const fakeMasker: Masker = {
  name: 'fake',
  apply(value, ctx) {
    if (value === null || value === undefined) return null;
    seedFrom(value, ctx);
    return fakeOfKind(kindOf(value, ctx.column), value, ctx);
  },
  isMasked(value, ctx) {
    if (value === null || value === undefined) return true;
    return typeof value === 'string' && isEmail(value, ctx.category) && FAKE_EMAIL.test(value.trim());
  },
  unique: false,
  canBeNull: false,
  maxOutputLength: () => null, // every fake is cut to the column's length
};
