// The taxonomy: SPEC's categories with the policy's own words, purposes and the identifying default.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, TABLE_PURPOSES, TOP_LEVEL, categoryOf, inTaxonomy, isUnder } from '../../src/datamap/taxonomy.ts';

const policyFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/privacy-policy.txt');

it('has every category of SPEC', () => {
  expect(CATEGORIES.map((c) => c.name)).toEqual([
    'identity.name', 'identity.birthdate', 'identity.company', 'identity.logo',
    'contact.email', 'contact.phone', 'contact.address',
    'account.credentials', 'account.activity', 'account.settings',
    'billing.transaction', 'billing.processor-ref', 'billing.card',
    'support.interactions', 'support.notes',
    'user-content.text', 'user-content.voice', 'user-content.image', 'user-content.video',
    'online.ip', 'online.device', 'online.cookie', 'online.identifier', 'online.location',
    'usage.activity', 'usage.pageviews',
    'marketing.preferences', 'marketing.consent',
    'third-party.source',
  ]);
  expect(TOP_LEVEL.map((c) => c.name)).toEqual(['identity', 'contact', 'account', 'billing', 'support', 'user-content', 'online', 'usage', 'marketing', 'third-party']);
});

it('marks names, contact details, credentials, IPs, identifiers, cookies, processor references and cards as identifying', () => {
  expect(CATEGORIES.filter((c) => c.identifying).map((c) => c.name)).toEqual([
    'identity.name', 'identity.birthdate', 'identity.company', 'identity.logo',
    'contact.email', 'contact.phone', 'contact.address',
    'account.credentials',
    'billing.processor-ref', 'billing.card',
    'online.ip', 'online.cookie', 'online.identifier',
  ]);
});

describe.skipIf(!existsSync(policyFile))('policy wording', () => {
  const policy = existsSync(policyFile) ? readFileSync(policyFile, 'utf8') : '';

  it('quotes the privacy policy verbatim for every category', () => {
    const notQuoted = [...TOP_LEVEL, ...CATEGORIES].filter((c) => !policy.includes(c.policy)).map((c) => c.name);
    expect(notQuoted).toEqual([]);
  });

  it('quotes the policy for every purpose a table may declare', () => {
    expect(Object.entries(TABLE_PURPOSES).filter(([, text]) => !policy.includes(text)).map(([name]) => name)).toEqual([]);
  });
});

it('gives every category a title and, except card data, at least one purpose', () => {
  for (const c of [...TOP_LEVEL, ...CATEGORIES]) {
    expect(c.title, c.name).not.toBe('');
    if (c.name !== 'billing.card') expect(c.purposes.length, c.name).toBeGreaterThan(0);
  }
});

describe('categoryOf', () => {
  it('resolves a deeper name to its nearest known ancestor', () => {
    expect(categoryOf('contact.address.postal')?.name).toBe('contact.address');
    expect(categoryOf('contact.fax')?.name).toBe('contact');
    expect(categoryOf('contact.email')?.name).toBe('contact.email');
  });

  it('knows nothing under an unknown top-level name', () => {
    expect(categoryOf('health.record')).toBeUndefined();
    expect(inTaxonomy('health.record')).toBe(false);
    expect(inTaxonomy('billing.address')).toBe(false);
    expect(inTaxonomy('contact')).toBe(true);
    expect(inTaxonomy('contact.address.postal')).toBe(true);
    expect(inTaxonomy('contact.')).toBe(false);
  });

  it('applies a rule to everything under its name', () => {
    expect(isUnder('contact.address.postal', 'contact')).toBe(true);
    expect(isUnder('contact.address', 'contact.address')).toBe(true);
    expect(isUnder('contactless.x', 'contact')).toBe(false);
  });
});
