// Merging into a data map's text: what is added lands in its block with the block's indentation, and every byte
// the user wrote stays where it was.
import { expect, test } from 'vitest';
import { mergeIntoMap } from '../../src/datamap/merge.ts';

const USER_MAP = `# Our data map. Owner: privacy@acme.example   (keep this line)
version: 1

systems:
  app:   { kind: sqlite, path: app.db }     # the monolith

tables:
  # the accounts table, reviewed 2026-11
  app.users:
    key: id
    identify:   { email: email }
    fields:
      email: { category: contact.email, mask: hash }   # hashed: unique
      # name is added later
    # retention: none yet, ask legal

  app.notes: { key: id, links: [{ column: user_id, references: app.users.id }] }
# end of tables
`;

/** The original lines appear in the merged text in order and unchanged: only whole lines were inserted. */
function onlyInserted(original: string, merged: string): string[] {
  const want = original.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of merged.split('\n')) {
    if (i < want.length && line === want[i]) i++;
    else added.push(line);
  }
  expect(i).toBe(want.length);
  return added;
}

test('a new table goes after the last entry of tables:, with its indentation, and nothing else moves', () => {
  const r = mergeIntoMap(USER_MAP, { tables: [{ name: 'app.orders', lines: ['app.orders:', '  key: id'] }] });
  expect(onlyInserted(USER_MAP, r.text)).toEqual(['  app.orders:', '    key: id']);
  expect(r.text).toContain('  app.notes: { key: id, links: [{ column: user_id, references: app.users.id }] }\n  app.orders:\n    key: id\n# end of tables\n');
});

test('a new field goes under the table\'s fields, after the comments that belong to the last one', () => {
  const r = mergeIntoMap(USER_MAP, { fields: new Map([['app.users', [{ name: 'phone', lines: ['phone: { category: contact.phone, mask: null }  # high'] }]]]) });
  expect(onlyInserted(USER_MAP, r.text)).toEqual(['      phone: { category: contact.phone, mask: null }  # high']);
  expect(r.text).toContain('      # name is added later\n      phone: { category: contact.phone, mask: null }  # high\n    # retention: none yet, ask legal\n');
});

test('a table without fields gets a fields: block; a table written on one line is left alone and said so', () => {
  const map = `version: 1\ntables:\n  app.a:\n    key: id\n  app.b: { key: id }\n`;
  const r = mergeIntoMap(map, {
    fields: new Map([
      ['app.a', [{ name: 'email', lines: ['email: { category: contact.email, mask: hash }'] }]],
      ['app.b', [{ name: 'phone', lines: ['phone: { category: contact.phone, mask: null }'] }]],
    ]),
  });
  expect(r.text).toBe(`version: 1\ntables:\n  app.a:\n    key: id\n    fields:\n      email: { category: contact.email, mask: hash }\n  app.b: { key: id }\n`);
  expect(r.skipped).toEqual(['tables.app.b: written on one line ({ ... }): add its fields by hand: phone']);
});

test('flow-style fields take the new field inside the braces, without its comment', () => {
  const map = `version: 1\ntables:\n  app.a:\n    key: id\n    fields: { email: { category: contact.email, mask: hash } }\n`;
  const r = mergeIntoMap(map, { fields: new Map([['app.a', [{ name: 'phone', lines: ['phone: { category: contact.phone, mask: null }  # high: why'] }]]]) });
  expect(r.text).toBe(`version: 1\ntables:\n  app.a:\n    key: id\n    fields: { email: { category: contact.email, mask: hash }, phone: { category: contact.phone, mask: null } }\n`);
});

test('a section the map lacks is added at the end; an empty one is filled in place', () => {
  const map = 'version: 1\nsystems:\ntables: {}\n# trailing words';
  const r = mergeIntoMap(map, {
    systems: [{ name: 'app', lines: ['app: { kind: sqlite, path: app.db }'] }],
    tables: [{ name: 'app.users', lines: ['app.users:', '  key: id'] }],
    identities: [{ name: 'email', lines: ['email: { normalize: lowercase-trim }'] }],
  });
  expect(r.text).toBe('version: 1\nsystems:\n  app: { kind: sqlite, path: app.db }\ntables: \n  app.users:\n    key: id\n# trailing words\n\nidentities:\n  email: { normalize: lowercase-trim }\n');
});

test('a file that does not parse is refused before anything is written', () => {
  expect(() => mergeIntoMap('version: 1\ntables: [\n', {}, 'map.yaml')).toThrow(/^map\.yaml: cannot merge into a file that does not parse/);
});

test('a CRLF file gets CRLF lines, after the comments that close the block', () => {
  const map = 'version: 1\r\ntables:\r\n  app.a:\r\n    key: id\r\n    # reviewed\r\n';
  const r = mergeIntoMap(map, { tables: [{ name: 'app.b', lines: ['app.b:', '  key: id'] }] });
  expect(r.text).toBe('version: 1\r\ntables:\r\n  app.a:\r\n    key: id\r\n    # reviewed\r\n  app.b:\r\n    key: id\r\n');
});

test('a key behind an anchor or a tag is indented by its line, not by where its name starts', () => {
  const map = 'version: 1\ntables:\n  &u app.a:\n    key: id\n    fields:\n      !!str email: { category: contact.email, mask: hash }\n';
  const r = mergeIntoMap(map, { fields: new Map([['app.a', [{ name: 'phone', lines: ['phone: { category: contact.phone, mask: null }'] }]]]) });
  expect(r.text).toBe(map + '      phone: { category: contact.phone, mask: null }\n');
});

test('after a block scalar that keeps its trailing lines (|+), no blank line is added into its value', () => {
  const map = 'version: 1\ntables:\n  app.a:\n    key: id\n    unlinked: |+\n      logs only\n\n';
  const r = mergeIntoMap(map, { tables: [{ name: 'app.b', lines: ['', 'app.b:', '  key: id'] }] });
  expect(r.text).toBe(map + '  app.b:\n    key: id\n');
});

test('a table entry cannot go into tables written on one line: said so, nothing changed', () => {
  const map = 'version: 1\ntables: { app.a: { key: id } }\n';
  const r = mergeIntoMap(map, { tables: [{ name: 'app.b', lines: ['# columns: id', 'app.b:', '  key: id'] }] });
  expect(r.text).toBe(map);
  expect(r.skipped).toEqual(['datamap.yaml: tables: written on one line ({ ... }): add by hand: app.b']);
});
