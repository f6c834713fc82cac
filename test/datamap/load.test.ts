// Loading a data map: what the commands get from the file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDataMap, readDataMap } from '../../src/datamap/load.ts';
import type { DataMap } from '../../src/datamap/types.ts';
import { DataMapError, UsageError } from '../../src/errors.ts';
import { BASE, DIR, load, yaml } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures/datamaps');

describe('the example datamap.yaml', () => {
  const file = path.join(root, 'datamap.yaml');
  let map: DataMap;
  beforeAll(() => {
    map = loadDataMap(file);
  });

  it('loads with zero issues, without any secret set', () => {
    const saved = { state: process.env.DSAR_STATE_URL, key: process.env.DSAR_HMAC_KEY };
    delete process.env.DSAR_STATE_URL;
    delete process.env.DSAR_HMAC_KEY;
    try {
      expect(readDataMap(readFileSync(file, 'utf8'), file, root, '').issues).toEqual([]);
    } finally {
      if (saved.state !== undefined) process.env.DSAR_STATE_URL = saved.state;
      if (saved.key !== undefined) process.env.DSAR_HMAC_KEY = saved.key;
    }
    expect(Object.keys(map.systems)).toEqual(['app', 'billing', 'mailchimp']);
    expect(Object.keys(map.tables)).toEqual(['app.users', 'app.addresses', 'app.orders', 'app.support_tickets', 'billing.invoices', 'mailchimp.subscribers']);
    expect(Object.keys(map.extracts)).toEqual(['signups-by-region', 'users-by-plan-and-region', 'plans-dp']);
    expect(Object.keys(map.jobs)).toEqual(['nightly-sweep', 'partner-extract']);
  });

  it('resolves system paths against the directory of the map', () => {
    expect(map.dir).toBe(root);
    expect(map.systems.app).toMatchObject({ kind: 'sqlite', path: path.join(root, '.dsar-demo/app.db') });
    expect(map.systems.billing).toMatchObject({ kind: 'sqlite', path: path.join(root, '.dsar-demo/billing.db') });
    expect(map.systems.mailchimp).toMatchObject({ kind: 'files', path: path.join(root, '.dsar-demo/exports/mailchimp'), format: 'csv' });
  });

  it('records the SHA-256 of the file bytes', () => {
    expect(map.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('links invoices to users across systems and marks tax records as a legal obligation', () => {
    expect(map.tables['billing.invoices'].links).toEqual([
      { column: 'customer_ref', references: { system: 'app', table: 'users', column: 'id' }, owns: false, loc: expect.objectContaining({ line: 83, column: 9 }) },
    ]);
    expect(map.tables['billing.invoices'].retention).toBe('tax-records');
    expect(map.retention['tax-records']).toMatchObject({ keep: { amount: 7, unit: 'y', text: '7y' }, after: 'created_at', then: 'anonymize', ground: 'legal-obligation', overridesErasure: true });
    expect(map.retention['inactive-account'].overridesErasure).toBe(false);
  });

  it('declares the marketing list for the marketing purpose and users as possibly children', () => {
    expect(map.tables['mailchimp.subscribers']).toMatchObject({ key: ['email'], identify: { email: 'email' }, purposes: ['marketing'], onErase: 'delete' });
    expect(map.tables['app.users'].child).toEqual({ column: 'birth_date', under: 13 });
  });

  it('has one record extract and one aggregate extract', () => {
    expect(map.extracts['signups-by-region']).toMatchObject({
      kind: 'record',
      from: { system: 'app', table: 'users' },
      excludeOptouts: 'sharing',
      identify: { email: 'email', phone: 'phone' },
      privacy: { k: 10, l: 2, maxSuppression: 0.05 },
      output: 'csv',
    });
    expect(map.extracts['signups-by-region'].columns.zip).toMatchObject({ role: 'quasi', generalize: ['prefix-3', 'prefix-2', 'prefix-1', '*'] });
    expect(map.extracts['users-by-plan-and-region']).toMatchObject({ kind: 'aggregate', groupBy: ['plan', 'zip'], links: [] });
    expect(map.extracts['users-by-plan-and-region'].subject).toBeUndefined(); // found when planned: the key of app.users
    expect(map.extracts['users-by-plan-and-region'].measures).toEqual([{ name: 'users', fn: 'count', loc: expect.anything() }]);
  });

  it('schedules a nightly sweep and a monthly extract that catches up', () => {
    const { jobs, timezone } = map;
    expect(timezone).toBe('UTC');
    expect(jobs['nightly-sweep']).toMatchObject({ run: 'sweep', cron: '0 3 * * *', catchUp: false });
    expect(jobs['partner-extract']).toMatchObject({ run: 'extract signups-by-region', cron: '0 5 1 * *', catchUp: true });
  });
});

describe('secrets', () => {
  const text = BASE + 'state:\n  url: env:DSAR_TEST_STATE_URL\nsecrets:\n  hmac_key: env:DSAR_TEST_HMAC_KEY\n';
  afterEach(() => {
    delete process.env.DSAR_TEST_STATE_URL;
    delete process.env.DSAR_TEST_HMAC_KEY;
  });

  it('stay unresolved until resolve(), which reads the environment at call time', () => {
    const map = load(text);
    expect(map.secrets.hmacKey?.ref).toBe('env:DSAR_TEST_HMAC_KEY');
    expect(map.secrets.hmacKey?.resolve()).toBeUndefined();
    process.env.DSAR_TEST_HMAC_KEY = 'k3y';
    expect(map.secrets.hmacKey?.resolve()).toBe('k3y');
    expect(map.state.url?.loc).toMatchObject({ line: 11, column: 8 });
  });

  it('show their reference, never their value, when printed or serialized', () => {
    process.env.DSAR_TEST_HMAC_KEY = 'k3y';
    const map = load(text);
    expect(JSON.stringify(map.secrets)).toBe('{"hmacKey":"env:DSAR_TEST_HMAC_KEY"}');
    expect(String(map.secrets.hmacKey)).toBe('env:DSAR_TEST_HMAC_KEY');
  });

  it('may be literals', () => {
    const map = load('version: 1\nsystems:\n  app: { kind: postgres, url: "postgres://dsar@db/app" }\n');
    expect(map.systems.app.url?.resolve()).toBe('postgres://dsar@db/app');
  });
});

describe('odd column names and composite keys', () => {
  const map = loadDataMap(path.join(fixtures, 'odd-names.yaml'));

  it('keeps a composite key of quoted names with parentheses intact', () => {
    expect(map.tables['crm.contacts'].key).toEqual(['app_customer_id (metadata)', 'region']);
  });

  it('keeps field names with spaces, quotes and digits intact', () => {
    // (A record keyed by column name: JavaScript lists integer-like keys such as `2020` first.)
    expect(Object.keys(map.tables['crm.contacts'].fields).sort()).toEqual(['2020', 'Address Line1', 'E-mail Address', 'He said "hi"']);
    expect(map.tables['crm.contacts'].identify).toEqual({ email: 'E-mail Address' });
    expect(map.tables['crm.contacts'].fields['Address Line1']).toMatchObject({ column: 'Address Line1', category: 'contact.address.street', identifying: true });
  });

  it('splits a reference on its first two dots, keeping the column whole', () => {
    expect(map.tables['shop.orders'].links[0]).toMatchObject({
      column: 'customer id',
      references: { system: 'crm', table: 'contacts', column: 'app_customer_id (metadata)' },
    });
  });

  it('resolves a files path against the fixture directory', () => {
    expect(map.systems.crm.path).toBe(path.join(fixtures, 'exports'));
  });
});

describe('fields', () => {
  const fields = (body: string) => load(BASE + body).tables['app.users'].fields;

  it('takes mask: null as the null mask and a one-key mapping as a mask with options', () => {
    const f = fields('      phone: { category: contact.phone, mask: null }\n      salary: { category: billing.transaction, mask: { generalize: { bucket: 10000 } } }\n');
    expect(f.phone).toMatchObject({ mask: 'null', maskOptions: {} });
    expect(f.salary).toMatchObject({ mask: 'generalize', maskOptions: { bucket: 10000 } });
  });

  it('redacts a field without a mask', () => {
    expect(fields('      notes: { category: support.notes }\n').notes.mask).toBe('redact');
  });

  it('takes identifying from the category unless the field says otherwise', () => {
    const f = fields('      ip: { category: online.ip, mask: generalize }\n      os: { category: online.device, mask: keep }\n      handle: { category: user-content.text, identifying: true }\n');
    expect([f.email.identifying, f.ip.identifying, f.os.identifying, f.handle.identifying]).toEqual([true, true, false, true]);
  });
});

it('reads YAML anchors and aliases, locating an alias where it is used', () => {
  const text = BASE.replace('email: { category', 'email: &pii { category') + '      backup_email: *pii\n';
  const fields = load(text).tables['app.users'].fields;
  expect(fields.backup_email).toMatchObject({ column: 'backup_email', category: 'contact.email', mask: 'hash', loc: { line: 10, column: 7 } });
});

describe('extracts', () => {
  const privacyOf = (privacy: string) =>
    load(BASE + yaml`
      extracts:
        p:
          from: app.users
          columns: { plan: sensitive }
          privacy: ${privacy}
    `).extracts.p.privacy;

  it.each([
    ['{ k: 5, l: 2 }', { k: 5, l: 2, diversity: 'distinct' }],
    ['{ k: 5, l: { distinct: 3 } }', { k: 5, l: 3, diversity: 'distinct' }],
    ['{ k: 5, l: { entropy: 1.5 } }', { k: 5, l: 1.5, diversity: 'entropy' }],
    ['{ k: 5, l: { recursive: { c: 3, l: 2 } } }', { k: 5, l: 2, c: 3, diversity: 'recursive' }],
    ['{ k: 5, t: 0.2 }', { k: 5, t: 0.2 }],
  ])('reads privacy %s', (privacy, expected) => {
    expect(privacyOf(privacy)).toEqual({ maxSuppression: 0.05, ...expected });
  });

  it.each([
    ['{ k: 5, l: { entropy: 2, distinct: 2 } }', 'datamap.yaml:14:25: extracts.p.privacy.l: l takes one diversity model: distinct, entropy or recursive'],
    ['{ k: 5, l: { entropi: 2 } }', 'datamap.yaml:14:27: extracts.p.privacy.l.entropi: unknown key `entropi` (did you mean `entropy`?)'],
    ['{ k: 5, l: { entropy: 0.5 } }', 'datamap.yaml:14:36: extracts.p.privacy.l.entropy: entropy l must be at least 1, found `0.5`'],
    ['{ k: 5, l: { recursive: { l: 2 } } }', 'datamap.yaml:14:27: extracts.p.privacy.l.recursive.c: `c` is required (c: 3)'],
    ['{ k: 5, t: 1.5 }', 'datamap.yaml:14:25: extracts.p.privacy.t: t must be between 0 and 1, found `1.5`'],
  ])('refuses privacy %s with a located message', (privacy, message) => {
    expect(() => privacyOf(privacy)).toThrow(message);
  });

  it('reads where as a map of column -> value, list, null or { op, value }', () => {
    const map = load(BASE + yaml`
      extracts:
        active:
          from: app.users
          where: { status: active, country: [DE, FR], deleted_at: null, age: { op: ">=", value: 18 } }
          columns: { plan: sensitive }
          privacy: { k: 5 }
    `);
    expect(map.extracts.active.where).toEqual([
      { column: 'status', op: '=', value: 'active' },
      { column: 'country', op: 'in', value: ['DE', 'FR'] },
      { column: 'deleted_at', op: 'is null' },
      { column: 'age', op: '>=', value: 18 },
    ]);
  });

  it('reads where as a list of { column, op, value }', () => {
    const map = load(BASE + yaml`
      extracts:
        recent:
          from: app.users
          where:
            - { column: created_at, op: ">=", value: "2024-01-01" }
            - { column: plan, value: pro }
          columns: { plan: sensitive }
          privacy: { k: 5 }
    `);
    expect(map.extracts.recent.where).toEqual([
      { column: 'created_at', op: '>=', value: '2024-01-01' },
      { column: 'plan', op: '=', value: 'pro' },
    ]);
  });

  it('reads measures in full and shorthand forms; an aggregate without measures counts', () => {
    const text = BASE.replace('systems:\n', 'systems:\n  billing: { kind: sqlite, path: b.db }\n') + yaml`
      extracts:
        revenue:
          from: billing.invoices
          subject: customer_ref
          group_by: [month]
          measures:
            invoices: count
            all: "count(*)"
            customers: "count_distinct(customer_ref)"
            total: { fn: sum, column: amount }
          privacy: { k: 5 }
          output: ndjson
        plans:
          from: app.users
          group_by: plan
          privacy: { k: 5 }
    `;
    const map = load(text);
    const strip = (ms: Array<{ loc: unknown }>) => ms.map(({ loc: _, ...m }) => m);
    expect(strip(map.extracts.revenue.measures)).toEqual([
      { name: 'invoices', fn: 'count' },
      { name: 'all', fn: 'count' },
      { name: 'customers', fn: 'count_distinct', column: 'customer_ref' },
      { name: 'total', fn: 'sum', column: 'amount' },
    ]);
    expect(map.extracts.revenue).toMatchObject({ kind: 'aggregate', subject: 'customer_ref', identify: {}, output: 'ndjson' });
    expect(map.extracts.plans).toMatchObject({ kind: 'aggregate', groupBy: ['plan'], identify: { email: 'email' } });
    expect(strip(map.extracts.plans.measures)).toEqual([{ name: 'count', fn: 'count' }]);
  });
});

describe('defaults', () => {
  it('finds subjects by email when no identities are declared, on UTC, erasing by delete', () => {
    const map = load(BASE);
    expect(map.identities).toEqual({ email: { name: 'email', normalize: 'lowercase-trim', loc: expect.anything() } });
    expect(map.timezone).toBe('UTC');
    expect(map.tables['app.users']).toMatchObject({ onErase: 'delete', links: [], purposes: [], key: ['id'] });
    expect(map.tables['app.users'].retention).toBeUndefined();
  });

  it('records the directory it was given for relative paths', () => {
    expect(load(BASE).systems.app.path).toBe(path.join(DIR, 'app.db'));
  });
});

describe('errors', () => {
  it('names file:line:column and the key path in the message a user sees', () => {
    const text = BASE.replace('    key: id\n', '    key: id\n    on_erse: delete\n');
    expect(() => load(text)).toThrow(DataMapError);
    expect(() => load(text)).toThrow('datamap.yaml:7:5: tables.app.users.on_erse: unknown key `on_erse` (did you mean `on_erase`?)');
  });

  it('says when the map file does not exist', () => {
    expect(() => loadDataMap(path.join(fixtures, 'missing.yaml'))).toThrow(UsageError);
    expect(() => loadDataMap(path.join(fixtures, 'missing.yaml'))).toThrow(/^data map not found: .*missing\.yaml \(pass --datamap FILE\)$/);
  });

  it('says when the map is empty', () => {
    expect(() => load('# nothing yet\n')).toThrow('datamap.yaml:1:1: the data map is empty; it starts with `version: 1`');
  });
});
