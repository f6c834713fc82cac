import { expect, test } from 'vitest';
import { detectColumnName, foldName } from '../../../src/scan/detectors/column-name.ts';

const category = (name: string, table = 'things') => detectColumnName(name, 'text', table)?.category;

test.each([
  ['email', 'contact.email'],
  ['e_mail', 'contact.email'],
  ['E-Mail-Adresse', 'contact.email'],
  ['customerEmail', 'contact.email'],
  ['mail', 'contact.email'],
  ['phone', 'contact.phone'],
  ['mobilePhone', 'contact.phone'],
  ['tel', 'contact.phone'],
  ['Telefonnummer', 'contact.phone'],
  ['電話', 'contact.phone'],
  ['first_name', 'identity.name'],
  ['nachname', 'identity.name'],
  ['Vorname', 'identity.name'],
  ['prénom', 'identity.name'],
  ['氏名', 'identity.name'],
  ['dob', 'identity.birthdate'],
  ['Geburtsdatum', 'identity.birthdate'],
  ['birth_year', 'identity.birthdate'],
  ['address', 'contact.address'],
  ['Straße', 'contact.address'],
  ['street', 'contact.address'],
  ['住所', 'contact.address'],
  ['zip', 'contact.address.postal'],
  ['postal_code', 'contact.address.postal'],
  ['PLZ', 'contact.address.postal'],
  ['ip', 'online.ip'],
  ['ip_address', 'online.ip'],
  ['last_ip', 'online.ip'],
  ['ssn', 'identity.national-id'],
  ['tax_id', 'identity.national-id'],
  ['password_hash', 'account.credentials'],
  ['card_number', 'billing.card'],
  ['iban', 'billing.bank-account'],
])('%s reads as %s', (name, expected) => {
  expect(category(name)).toBe(expected);
});

test.each(['id', 'plan', 'created_at', 'email_verified', 'is_email', 'address_id', 'shipping_address_id', 'user_id', 'gzip_level', 'hotel', 'sort_order', 'status', 'payload', 'notes'])(
  '%s says nothing personal',
  (name) => {
    expect(category(name)).toBeUndefined();
  },
);

test('a bare `name` is a person in a table of people, weak elsewhere', () => {
  expect(detectColumnName('name', 'text', 'customers')?.confidence).toBe(0.7);
  expect(detectColumnName('name', 'text', 'products')?.confidence).toBe(0.4);
});

test('booleans are flags, whatever their name', () => {
  expect(detectColumnName('email', 'boolean')).toBeUndefined();
});

test('names fold to snake case, ß to ss, Latin accents dropped, other scripts kept', () => {
  expect(foldName('StraßeNr')).toBe('strasse_nr');
  expect(foldName('Prénom')).toBe('prenom');
  expect(foldName('E-Mail Adresse')).toBe('e_mail_adresse');
  expect(foldName('電話番号')).toBe('電話番号');
});
