// Which way suggested links run, and which stay suggestions: a subject request must never reach another person's
// rows, and a row must not be left unreached when a link to its person is plain.
import { expect, test } from 'vitest';
import type { Edge } from '../../src/init/link-edges.ts';
import { chooseLinks } from '../../src/init/link-choice.ts';

const fk = (from: string, column: string, to: string, spread?: Edge['spread']): Edge => ({ from, column, to, toColumn: 'id', guess: { confidence: 'high', why: 'foreign key' }, ...(spread ? { spread } : {}) });

function plan(tables: string[], people: string[], personal: string[], edges: Edge[]) {
  const p = chooseLinks({ tables, people: new Set(people), personal: new Set(personal), edges });
  const links = Object.fromEntries([...p.links].map(([t, ls]) => [t, ls.map((l) => `${l.column} -> ${l.references}${l.owns ? ' (owns)' : ''}${l.suggestionOnly ? ' (suggestion)' : ''}`)]));
  return { links, reached: Object.fromEntries(p.reached) };
}

test('a customer owns the shared address; a ticket references its customer, not the agent who answered it', () => {
  const r = plan(['app.addresses', 'app.agents', 'app.tickets', 'app.users'], ['app.users', 'app.agents'], ['app.addresses', 'app.users', 'app.agents'], [
    fk('app.users', 'address_id', 'app.addresses'),
    fk('app.tickets', 'user_id', 'app.users'),
    fk('app.tickets', 'agent_id', 'app.agents'),
  ]);
  expect(r.links['app.users']).toEqual(['address_id -> app.addresses.id (owns)']);
  expect(r.links['app.tickets']).toEqual(['agent_id -> app.agents.id (suggestion)', 'user_id -> app.users.id']);
  expect(r.reached['app.addresses']).toBe('app.users');
});

test('a message names two people of one table: only one column is linked', () => {
  const r = plan(['app.messages', 'app.users'], ['app.users'], ['app.users'], [fk('app.messages', 'sender_id', 'app.users'), fk('app.messages', 'recipient_id', 'app.users')]);
  expect(r.links['app.messages']).toEqual(['recipient_id -> app.users.id', 'sender_id -> app.users.id (suggestion)']);
});

test('a household belongs to its head: a member\'s row pointing at it stays a suggestion', () => {
  const r = plan(['app.households', 'app.users'], ['app.users'], ['app.households', 'app.users'], [fk('app.households', 'head_user_id', 'app.users'), fk('app.users', 'household_id', 'app.households')]);
  expect(r.links['app.households']).toEqual(['head_user_id -> app.users.id']);
  expect(r.links['app.users']).toEqual(['household_id -> app.households.id (suggestion)']);
});

test('a row shared by many (a store named by every order) is not owned by any of them', () => {
  const r = plan(['app.orders', 'app.stores', 'app.users'], ['app.users'], ['app.stores', 'app.users'], [fk('app.orders', 'user_id', 'app.users'), fk('app.orders', 'store_id', 'app.stores', { nonEmpty: 200, distinct: 4 })]);
  expect(r.links['app.orders']).toEqual(['store_id -> app.stores.id (suggestion)', 'user_id -> app.users.id']);
  expect(r.reached['app.stores']).toBeUndefined();
});

test('two people\'s rows that point at one address both own it', () => {
  const r = plan(['app.addresses', 'app.orders', 'app.users'], ['app.users'], ['app.addresses', 'app.users'], [
    fk('app.users', 'address_id', 'app.addresses'),
    fk('app.orders', 'user_id', 'app.users'),
    fk('app.orders', 'shipping_address_id', 'app.addresses'),
  ]);
  expect(r.links['app.orders']).toEqual(['shipping_address_id -> app.addresses.id (owns)', 'user_id -> app.users.id']);
});

test('a table with no personal data is not followed into; two tables of people are never linked', () => {
  const r = plan(['app.agents', 'app.countries', 'app.users'], ['app.users', 'app.agents'], ['app.users', 'app.agents'], [fk('app.users', 'country_id', 'app.countries'), fk('app.agents', 'user_id', 'app.users')]);
  expect(r.links['app.users']).toEqual(['country_id -> app.countries.id (suggestion)']);
  expect(r.links['app.agents']).toEqual(['user_id -> app.users.id (suggestion)']);
});
