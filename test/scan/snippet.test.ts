import { expect, test } from 'vitest';
import type { ColumnInfo } from '../../connectors/connector.ts';
import { fieldLine, snippetBlock, suggestMask, tableSnippet, yamlKey } from '../../src/scan/snippet.ts';
import { load, yaml } from '../datamap/helpers.ts';

const column = (over: Partial<ColumnInfo>): ColumnInfo => ({ name: 'c', type: 'text', family: 'text', nullable: true, maxLength: null, unique: false, ...over });

test('each category gets the mask a privacy engineer starts from', () => {
  expect(fieldLine('email2', 'contact.email')).toBe('email2: { category: contact.email, mask: hash }');
  expect(fieldLine('nachname', 'identity.name')).toBe('nachname: { category: identity.name, mask: fake }');
  expect(fieldLine('plz', 'contact.address.postal')).toBe('plz: { category: contact.address.postal, mask: { generalize: { prefix: 3 } } }');
  expect(fieldLine('notes', 'support.notes')).toBe('notes: { category: support.notes, mask: redact }');
});

test('personal data inside free text is redacted, not hashed', () => {
  expect(fieldLine('notes', 'contact.email', undefined, true)).toBe('notes: { category: contact.email, mask: redact }');
});

test('an identifying value is never kept: a city is redacted', () => {
  expect(fieldLine('city', 'contact.address.city')).toBe('city: { category: contact.address.city, mask: redact }');
  expect(fieldLine('last_seen_at', 'account.activity')).toBe('last_seen_at: { category: account.activity, mask: keep }');
});

test('one block holds several tables, each once', () => {
  const a = tableSnippet({ id: 'app.a', declared: true, key: [], identify: {}, fields: [fieldLine('email', 'contact.email')] });
  const b = tableSnippet({ id: 'app.b', declared: true, key: [], identify: {}, fields: [fieldLine('phone', 'contact.phone')] });
  expect(snippetBlock([a, b])).toBe(['tables:', '  app.a:', '    fields:', '      email: { category: contact.email, mask: hash }', '  app.b:', '    fields:', '      phone: { category: contact.phone, mask: null }'].join('\n'));
});

test('a NOT NULL UNIQUE column takes neither NULL nor one marker for all: a phone there is hashed', () => {
  expect(suggestMask('contact.phone', column({ nullable: false, unique: true })).name).toBe('hash');
});

test('a mask that cannot fit the live column gives way to one that does', () => {
  // NULL cannot go into a NOT NULL column: a phone there is redacted instead.
  expect(suggestMask('contact.phone', column({ nullable: false })).name).toBe('redact');
  expect(suggestMask('contact.phone', column({ nullable: true })).name).toBe('null');
});

test('keys in any script stay plain; odd ones are quoted', () => {
  expect(yamlKey('Straße')).toBe('Straße');
  expect(yamlKey('電話')).toBe('電話');
  expect(yamlKey('app.users')).toBe('app.users');
  expect(yamlKey('first name')).toBe('"first name"');
  expect(yamlKey('yes')).toBe('"yes"');
});

test('the snippet for a new table pastes into a data map that loads', () => {
  const snippet = tableSnippet({
    id: 'app.leads',
    declared: false,
    key: ['id'],
    identify: { email: 'contact' },
    fields: [fieldLine('contact', 'contact.email'), fieldLine('Straße', 'contact.address'), fieldLine('電話', 'contact.phone')],
  });
  const map = load(
    yaml`
      version: 1
      identities:
        email: { normalize: lowercase-trim }
      systems:
        app: { kind: sqlite, path: app.db }
    ` + '\n' + snippetBlock([snippet]) + '\n',
  );
  expect(map.tables['app.leads']).toMatchObject({ key: ['id'], identify: { email: 'contact' } });
  expect(Object.keys(map.tables['app.leads'].fields)).toEqual(['contact', 'Straße', '電話']);
  expect(map.tables['app.leads'].fields['電話']).toMatchObject({ category: 'contact.phone', mask: 'null' });
});

test('a file without key is keyed by row number, which the map accepts', () => {
  const snippet = tableSnippet({ id: 'crm.members', declared: false, key: [], identify: {}, fields: [fieldLine('name', 'identity.name')] });
  const map = load(`version: 1\nsystems:\n  crm: { kind: files, path: exports, format: csv }\n${snippetBlock([snippet])}\n`);
  expect(map.tables['crm.members'].key).toEqual(['_row']);
});
