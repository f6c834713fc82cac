// `dsar datamap validate` without --live: every mistake is reported at its file:line:column, all at once.
import { describe, expect, it } from 'vitest';
import { BASE, load, problems, yaml } from './helpers.ts';

const fragment = (s: string) => expect.stringContaining(s);

describe('unknown keys', () => {
  it('suggests on_erase for on_erse', () => {
    expect(problems(BASE + '    on_erse: anonymize\n')).toEqual([
      { at: 'datamap.yaml:10:5', path: 'tables.app.users.on_erse', message: 'unknown key `on_erse` (did you mean `on_erase`?)' },
    ]);
  });

  it('reports an unknown top-level key with a suggestion', () => {
    expect(problems(BASE + 'retension:\n  x: { keep: 1y, after: a, then: delete }\n')).toEqual([
      { at: 'datamap.yaml:10:1', path: 'retension', message: 'unknown key `retension` (did you mean `retention`?)' },
    ]);
  });

  it('lists the expected keys when nothing is close', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db, colour: blue }
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:3:38', path: 'systems.app.colour', message: 'unknown key `colour`; expected one of: kind, url, path, format, replicas, max_lag' },
    ]);
  });

  it('reports unknown keys in fields, links, extracts and jobs', () => {
    // BASE (lines 1-9) with its field's category misspelt at line 9; then a table, an extract and a job (10-20).
    const text = BASE.replace('category:', 'categroy:') + yaml`
        app.orders:
          key: id
          links:
            - { column: user_id, refrences: app.users.id }
      extracts:
        x:
          from: app.users
          columns: { plan: { role: sensitive } }
          privacy: { k: 5, max_supression: 0.1 }
      jobs:
        nightly: { run: sweep, cron: "0 3 * * *", catchup: true }
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:9:16', path: 'tables.app.users.fields.email.categroy', message: 'unknown key `categroy` (did you mean `category`?)' },
      { at: 'datamap.yaml:13:28', path: 'tables.app.orders.links[0].refrences', message: 'unknown key `refrences` (did you mean `references`?)' },
      { at: 'datamap.yaml:18:22', path: 'extracts.x.privacy.max_supression', message: 'unknown key `max_supression` (did you mean `max_suppression`?)' },
      { at: 'datamap.yaml:20:45', path: 'jobs.nightly.catchup', message: 'unknown key `catchup` (did you mean `catch_up`?)' },
    ]);
  });
});

it('reports a duplicate key where it is repeated, naming the first', () => {
  const text = yaml`
    version: 1
    systems:
      app: { kind: sqlite, path: app.db }
      app: { kind: sqlite, path: other.db }
  `;
  expect(problems(text)).toEqual([
    { at: 'datamap.yaml:4:3', path: 'systems.app', message: 'duplicate key `app` (first at line 3)' },
  ]);
});

it('reports a value of the wrong shape', () => {
  const text = yaml`
    version: 1
    systems: [app, billing]
    tables:
      app.users:
        key: id
        links: { column: user_id }
  `;
  expect(problems(text)).toEqual([
    { at: 'datamap.yaml:2:10', path: 'systems', message: 'expected systems (a mapping), found a list' },
    { at: 'datamap.yaml:4:3', path: 'tables.app.users', message: 'unknown system `app` (none is declared)' },
    { at: 'datamap.yaml:6:12', path: 'tables.app.users.links', message: 'expected links (a list), found a mapping' },
  ]);
});

it('reports a YAML syntax error at its position', () => {
  const text = yaml`
    version: 1
    systems:
      app: { kind: sqlite, path: app.db
      billing: { kind: sqlite, path: billing.db }
  `;
  expect(problems(text)).toEqual([
    { at: 'datamap.yaml:4:3', path: '', message: 'YAML: Flow map in block collection must be sufficiently indented and end with a }' },
  ]);
});

it('rejects a version other than 1', () => {
  expect(problems(BASE.replace('version: 1', 'version: 2'))).toEqual([
    { at: 'datamap.yaml:1:10', path: 'version', message: 'unsupported version `2`; this dsar reads version 1' },
  ]);
});

it('requires the version', () => {
  expect(problems(BASE.replace('version: 1\n', ''))).toEqual([{ at: 'datamap.yaml:1:1', path: 'version', message: '`version` is required (version: 1)' }]);
});

it('rejects an unknown time zone', () => {
  expect(problems(BASE + 'timezone: Europe/Berlinn\n')).toEqual([
    { at: 'datamap.yaml:10:11', path: 'timezone', message: fragment('unknown time zone `Europe/Berlinn`') },
  ]);
});

describe('identities', () => {
  it('rejects an unknown normalizer with a suggestion', () => {
    const text = yaml`
      version: 1
      identities:
        email: { normalize: lowercase }
        phone: { normalize: digit }
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:3:23', path: 'identities.email.normalize', message: 'unknown normalizer `lowercase`; expected one of: lowercase-trim, digits, trim, none' },
      { at: 'datamap.yaml:4:23', path: 'identities.phone.normalize', message: 'unknown normalizer `digit` (did you mean `digits`?)' },
    ]);
  });

  it('rejects an identify on an undeclared identity type', () => {
    expect(problems(BASE.replace('identify: { email: email }', 'identify: { emial: email }'))).toEqual([
      { at: 'datamap.yaml:7:17', path: 'tables.app.users.identify.emial', message: 'unknown identity type `emial` (did you mean `email`?)' },
    ]);
  });
});

describe('systems', () => {
  it('rejects an unknown kind', () => {
    expect(problems(BASE.replace('kind: sqlite', 'kind: postgresql'))).toEqual([
      { at: 'datamap.yaml:3:16', path: 'systems.app.kind', message: 'unknown system kind `postgresql` (did you mean `postgres`?)' },
    ]);
  });

  it('requires a path for sqlite', () => {
    expect(problems(BASE.replace('{ kind: sqlite, path: app.db }', '{ kind: sqlite }'))).toEqual([
      { at: 'datamap.yaml:3:3', path: 'systems.app.path', message: '`path` is required (the database file)' },
    ]);
  });

  it('requires a url for postgres and mysql', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: postgres }
        billing:
          kind: mysql
          path: billing.db
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:3:3', path: 'systems.app.url', message: fragment('`url` is required') },
      { at: 'datamap.yaml:4:3', path: 'systems.billing.url', message: fragment('`url` is required') },
      { at: 'datamap.yaml:6:5', path: 'systems.billing.path', message: '`path` does not apply to a mysql system' },
    ]);
  });

  it('requires a valid format for files', () => {
    const text = yaml`
      version: 1
      systems:
        crm: { kind: files, path: exports/crm }
        mailchimp: { kind: files, path: exports/mailchimp, format: xlsx }
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:3:3', path: 'systems.crm.format', message: '`format` is required (csv, json, ndjson)' },
      { at: 'datamap.yaml:4:62', path: 'systems.mailchimp.format', message: 'unknown file format `xlsx`; expected one of: csv, json, ndjson' },
    ]);
  });

  it('rejects a malformed env: reference', () => {
    expect(problems('version: 1\nsystems:\n  app: { kind: postgres, url: "env:APP-URL" }\n')).toEqual([
      { at: 'datamap.yaml:3:31', path: 'systems.app.url', message: fragment('does not name an environment variable') },
    ]);
  });
});

describe('tables', () => {
  it('requires <declared system>.<name> as the table key', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      tables:
        users:
          key: id
        ap.orders:
          key: id
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:5:3', path: 'tables.users', message: 'a table is named `<system>.<table>` (the table part without dots), found `users`' },
      { at: 'datamap.yaml:7:3', path: 'tables.ap.orders', message: 'unknown system `ap` (did you mean `app`?)' },
    ]);
  });

  it('rejects an unknown retention rule', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      retention:
        inactive-account: { keep: 3y, after: last_seen_at, then: anonymize }
      tables:
        app.users:
          key: id
          retention: inactive-acount
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:9:16', path: 'tables.app.users.retention', message: 'unknown retention rule `inactive-acount` (did you mean `inactive-account`?)' },
    ]);
  });

  it('rejects a link to an undeclared table', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      tables:
        app.users: { key: id, identify: { email: email } }
        app.orders:
          key: id
          links:
            - { column: user_id, references: app.user.id }
    `;
    expect(problems(text)).toEqual([
      {
        at: 'datamap.yaml:9:40',
        path: 'tables.app.orders.links[0].references',
        message: 'unknown table `app.user` (did you mean `app.users`?): a link must reference a table declared under `tables:`',
      },
    ]);
  });

  it('accepts a link to a column that is not the key of the referenced table', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      tables:
        app.users: { key: id, identify: { email: email } }
        app.orders:
          key: id
          links:
            - { column: customer_email, references: app.users.email }
    `;
    expect(problems(text)).toEqual([]);
  });

  it('rejects a reference that is not <system>.<table>.<column>', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      tables:
        app.users: { key: id, identify: { email: email } }
        app.orders:
          key: id
          links: [{ column: user_id, references: users.id }]
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:8:44', path: 'tables.app.orders.links[0].references', message: 'expected `<system>.<table>.<column>`, found `users.id`' },
    ]);
  });

  it('rejects an on_erase that is not delete, anonymize or keep', () => {
    expect(problems(BASE + '    on_erase: scrub\n')).toEqual([
      { at: 'datamap.yaml:10:15', path: 'tables.app.users.on_erase', message: 'unknown `on_erase` action `scrub`; expected one of: delete, anonymize, keep' },
    ]);
  });

  it('rejects on_erase: anonymize with nothing to mask', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      tables:
        app.users: { key: id, on_erase: anonymize }
    `;
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:5:35', path: 'tables.app.users.on_erase', message: fragment('`on_erase: anonymize` needs `fields` to mask') },
    ]);
  });

  it('rejects a purpose it does not know', () => {
    expect(problems(BASE + '    purposes: [marketting]\n')).toEqual([
      { at: 'datamap.yaml:10:16', path: 'tables.app.users.purposes[0]', message: 'unknown purpose `marketting` (did you mean `marketing`?)' },
    ]);
  });

  it('requires a key', () => {
    expect(problems(BASE.replace('    key: id\n', ''))).toEqual([
      { at: 'datamap.yaml:5:3', path: 'tables.app.users.key', message: fragment('`key` is required') },
    ]);
  });
});

describe('fields', () => {
  it('rejects a category whose top-level name is not in the taxonomy', () => {
    expect(problems(BASE.replace('category: contact.email', 'category: contcat.email'))).toEqual([
      { at: 'datamap.yaml:9:26', path: 'tables.app.users.fields.email.category', message: 'unknown category `contcat.email` (did you mean `contact.email`?)' },
    ]);
    expect(problems(BASE.replace('category: contact.email', 'category: health.record'))).toEqual([
      { at: 'datamap.yaml:9:26', path: 'tables.app.users.fields.email.category', message: fragment('unknown category `health.record`; a category starts with one of: identity, contact,') },
    ]);
  });

  it('accepts deeper names under a known category', () => {
    expect(problems(BASE + '      zip: { category: contact.address.postal }\n')).toEqual([]);
  });

  it('rejects a sub-category the taxonomy lacks, suggesting the known one: billing.address is not a billing detail', () => {
    expect(problems(BASE + '      street: { category: billing.address }\n')).toEqual([
      {
        at: 'datamap.yaml:10:27',
        path: 'tables.app.users.fields.street.category',
        message:
          'unknown category `billing.address` (did you mean `contact.address`?); billing has billing.transaction, billing.processor-ref, billing.card; or declare it under `categories:` with `identifying: true` or `false`',
      },
    ]);
  });

  it('takes a sub-category the map declares, identifying as declared', () => {
    const text = BASE + '      street: { category: billing.address }\n      fax: { category: contact.fax.office }\ncategories:\n  billing.address: { identifying: true, title: Billing address }\n  contact.fax: { identifying: true }\n';
    expect(problems(text)).toEqual([]);
    const map = load(text);
    expect(map.tables['app.users'].fields.street.identifying).toBe(true);
    expect(map.tables['app.users'].fields.fax.identifying).toBe(true);
    expect(map.categories['billing.address']).toEqual({ name: 'billing.address', identifying: true, title: 'Billing address' });
  });

  it('requires a declared category to say whether it identifies, and to lie under a top-level name', () => {
    const text = BASE + 'categories:\n  billing.address: { title: Billing address }\n  health: { identifying: true }\n  contact.email: { identifying: false }\n';
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:11:3', path: 'categories.billing.address.identifying', message: '`identifying` is required (true when a value of it identifies a person, e.g. an address)' },
      { at: 'datamap.yaml:12:3', path: 'categories.health', message: fragment('a declared category is a sub-category of one of: identity, contact,') },
      { at: 'datamap.yaml:13:3', path: 'categories.contact.email', message: '`contact.email` is in the taxonomy already; declare only names it does not have' },
    ]);
  });

  it('rejects an unknown mask, in both forms', () => {
    const text = BASE + '      name: { category: identity.name, mask: scramble }\n      age: { category: identity.birthdate, mask: { generalise: { bucket: 10 } } }\n';
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:10:46', path: 'tables.app.users.fields.name.mask', message: 'unknown mask `scramble`; expected one of: null, redact, hash, fake, generalize, random, keep' },
      { at: 'datamap.yaml:11:52', path: 'tables.app.users.fields.age.mask.generalise', message: 'unknown mask `generalise` (did you mean `generalize`?)' },
    ]);
  });

  it('rejects mask options the mask does not take', () => {
    const text = BASE + '      zip: { category: contact.address.postal, mask: { generalize: { prefx: 3 } } }\n';
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:10:70', path: 'tables.app.users.fields.zip.mask.generalize.prefx', message: 'unknown key `prefx` (did you mean `prefix`?)' },
    ]);
  });

  it('rejects an empty mask (mask: null is the null mask)', () => {
    expect(problems(BASE + '      phone:\n        category: contact.phone\n        mask:\n')).toEqual([
      { at: 'datamap.yaml:12:9', path: 'tables.app.users.fields.phone.mask', message: fragment('empty `mask`; write `mask: null`') },
    ]);
  });
});

describe('retention', () => {
  it('rejects a bad duration', () => {
    const text = yaml`
      version: 1
      retention:
        a: { keep: 3 years, after: created_at, then: delete }
        b: { keep: 0d, after: created_at, then: delete }
        c: { keep: 18w, after: created_at, then: delete }
    `;
    const message = 'is not a period; write a positive whole number and y, m, d or h (3y, 18m, 90d, 12h)';
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:3:14', path: 'retention.a.keep', message: `\`3 years\` ${message}` },
      { at: 'datamap.yaml:4:14', path: 'retention.b.keep', message: `\`0d\` ${message}` },
      { at: 'datamap.yaml:5:14', path: 'retention.c.keep', message: `\`18w\` ${message}` },
    ]);
  });

  it('rejects a then that is not anonymize or delete', () => {
    expect(problems('version: 1\nretention:\n  a: { keep: 3y, after: created_at, then: keep }\n')).toEqual([
      { at: 'datamap.yaml:3:43', path: 'retention.a.then', message: 'unknown `then` action `keep`; expected one of: anonymize, delete' },
    ]);
  });

  it('takes a basis only from the closed set of legal grounds, with a note in parentheses', () => {
    const map = load(BASE + 'retention:\n  tax: { keep: 7y, after: created_at, then: anonymize, basis: "legal-obligation (tax records, HGB 257)" }\n  promo: { keep: 2y, after: created_at, then: delete, basis: consent }\n');
    expect(map.retention.tax).toMatchObject({ basis: 'legal-obligation (tax records, HGB 257)', ground: 'legal-obligation', overridesErasure: true });
    expect(map.retention.promo).toMatchObject({ ground: 'consent', overridesErasure: false });
  });

  it('rejects a free-text or misspelt basis with a suggestion: legal_obligation no longer validates and deletes tax records', () => {
    const text = BASE + 'retention:\n  a: { keep: 7y, after: created_at, then: anonymize, basis: legal_obligation }\n  b: { keep: 7y, after: created_at, then: anonymize, basis: "Legal obligation (tax)" }\n  c: { keep: 7y, after: created_at, then: anonymize, basis: because we must }\n';
    const grounds = 'a basis is one of: consent, contract, legal-obligation, vital-interests, public-interest, legitimate-interest, public-health, archiving, legal-claims, optionally followed by a note in parentheses';
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:11:61', path: 'retention.a.basis', message: `unknown basis \`legal_obligation\` (did you mean \`legal-obligation\`?); ${grounds}` },
      { at: 'datamap.yaml:12:61', path: 'retention.b.basis', message: `unknown basis \`Legal obligation\` (did you mean \`legal-obligation (tax)\`?); ${grounds}` },
      { at: 'datamap.yaml:13:61', path: 'retention.c.basis', message: `unknown basis \`because we must\`; ${grounds}` },
    ]);
  });

  it('does not check statically that the after column exists (validate --live does)', () => {
    const text = yaml`
      version: 1
      systems:
        app: { kind: sqlite, path: app.db }
      retention:
        r: { keep: 90d, after: column_nobody_mentions, then: delete }
      tables:
        app.logs: { key: id, retention: r, unlinked: aggregated access logs }
    `;
    expect(problems(text)).toEqual([]);
  });
});

describe('extracts', () => {
  const extract = (body: string) => BASE + 'extracts:\n  x:\n' + body;

  it('rejects an unknown column role and a bad generalization step', () => {
    const text = extract('    from: app.users\n    columns:\n      plan: { role: sensitiv }\n      zip: { role: quasi, generalize: [prefix-3, prefix, decade, "*"] }\n    privacy: { k: 5 }\n');
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:14:21', path: 'extracts.x.columns.plan.role', message: 'unknown role `sensitiv` (did you mean `sensitive`?)' },
      { at: 'datamap.yaml:15:50', path: 'extracts.x.columns.zip.generalize[1]', message: fragment('unknown generalization step `prefix`') },
      { at: 'datamap.yaml:15:58', path: 'extracts.x.columns.zip.generalize[2]', message: 'unknown generalization step `decade`; expected year, 5-years, 10-years, prefix-N, bucket-N or *' },
    ]);
  });

  it('rejects k below 1 and max_suppression outside [0, 1]', () => {
    const text = extract('    from: app.users\n    columns: { plan: sensitive }\n    privacy: { k: 0, max_suppression: 1.5 }\n');
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:14:19', path: 'extracts.x.privacy.k', message: 'expected k (a whole number of at least 1), found `0`' },
      { at: 'datamap.yaml:14:39', path: 'extracts.x.privacy.max_suppression', message: 'max_suppression must be between 0 and 1, found `1.5`' },
    ]);
  });

  it('rejects an unknown measure function, in both forms', () => {
    const text = extract('    from: app.users\n    group_by: plan\n    measures:\n      users: count_distinc(id)\n      spend: { fn: total, column: amount }\n    privacy: { k: 5 }\n');
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:15:14', path: 'extracts.x.measures.users', message: 'unknown measure function `count_distinc` (did you mean `count_distinct`?)' },
      { at: 'datamap.yaml:16:20', path: 'extracts.x.measures.spend.fn', message: 'unknown measure function `total`; expected one of: count, count_distinct, sum, avg, min, max' },
    ]);
  });

  it('rejects an extract from an undeclared system, but not from an undeclared table', () => {
    const ok = extract('    from: app.page_views\n    columns: { path: keep }\n    privacy: { k: 5 }\n');
    expect(problems(ok)).toEqual([]);
    const bad = extract('    from: warehouse.page_views\n    columns: { path: keep }\n    privacy: { k: 5 }\n');
    expect(problems(bad)).toEqual([
      { at: 'datamap.yaml:12:11', path: 'extracts.x.from', message: 'unknown system `warehouse`; expected one of: app' },
    ]);
  });

  it('rejects measures without group_by and an extract without privacy', () => {
    const text = extract('    from: app.users\n    columns: { plan: sensitive }\n    measures: { users: count }\n');
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:11:3', path: 'extracts.x.privacy', message: '`privacy` is required (privacy: { k: 10 })' },
      { at: 'datamap.yaml:14:5', path: 'extracts.x.measures', message: '`measures` need `group_by` (an aggregate extract)' },
    ]);
  });

  it('requires identify to exclude opt-outs from an undeclared table', () => {
    const text = extract('    from: app.page_views\n    exclude_optouts: sharing\n    columns: { path: keep }\n    privacy: { k: 5 }\n');
    expect(problems(text)).toEqual([
      { at: 'datamap.yaml:13:22', path: 'extracts.x.exclude_optouts', message: fragment('excluding opt-outs needs `identify`') },
    ]);
  });
});

describe('jobs', () => {
  const withJobs = (jobs: string) =>
    BASE + 'extracts:\n  signups:\n    from: app.users\n    columns: { plan: sensitive }\n    privacy: { k: 5 }\njobs:\n' + jobs;

  it('rejects a bad cron expression', () => {
    expect(problems(withJobs('  nightly: { run: sweep, cron: "0 25 * * *" }\n'))).toEqual([
      { at: 'datamap.yaml:16:32', path: 'jobs.nightly.cron', message: 'bad cron expression `0 25 * * *`: 25 is a invalid expression for hour' },
    ]);
  });

  it('rejects a run that is not a dsar command', () => {
    expect(problems(withJobs('  nightly: { run: sweeep, cron: "0 3 * * *" }\n  backup: { run: pg_dump, cron: "0 3 * * *" }\n'))).toEqual([
      { at: 'datamap.yaml:16:19', path: 'jobs.nightly.run', message: 'unknown command `sweeep` (did you mean `sweep`?)' },
      { at: 'datamap.yaml:17:18', path: 'jobs.backup.run', message: fragment('unknown command `pg_dump`; expected one of: sweep, extract,') },
    ]);
  });

  it('rejects an extract job naming an undeclared extract', () => {
    expect(problems(withJobs('  monthly: { run: "extract signup", cron: "0 5 1 * *" }\n  weekly: { run: extract signups, cron: "0 5 * * 1" }\n'))).toEqual([
      { at: 'datamap.yaml:16:19', path: 'jobs.monthly.run', message: 'unknown extract `signup` (did you mean `signups`?)' },
    ]);
  });
});

it('lists all five mistakes of a map, each at its own line and column', () => {
  // BASE (lines 1-9) with its mask misspelt at line 9; then app.users' retention and on_erase (10-11), and the rule
  // and the job (12-15).
  const text = BASE.replace('mask: hash', 'mask: hashed') + yaml`
        retention: stael
        on_erse: anonymize
    retention:
      stale: { keep: 3yrs, after: last_seen_at, then: anonymize }
    jobs:
      nightly: { run: sweep, cron: "0 3 * *" }
  `;
  expect(problems(text)).toEqual([
    { at: 'datamap.yaml:9:47', path: 'tables.app.users.fields.email.mask', message: 'unknown mask `hashed` (did you mean `hash`?)' },
    { at: 'datamap.yaml:10:16', path: 'tables.app.users.retention', message: 'unknown retention rule `stael` (did you mean `stale`?)' },
    { at: 'datamap.yaml:11:5', path: 'tables.app.users.on_erse', message: 'unknown key `on_erse` (did you mean `on_erase`?)' },
    { at: 'datamap.yaml:13:18', path: 'retention.stale.keep', message: fragment('`3yrs` is not a period') },
    { at: 'datamap.yaml:15:32', path: 'jobs.nightly.cron', message: fragment('bad cron expression `0 3 * *`') },
  ]);
});

describe('a table no identity reaches', () => {
  it('is an error naming the table: export would leave it out and erase skip it', () => {
    const text = BASE + '  app.page_views:\n    key: id\n    fields:\n      ip: { category: online.ip, mask: generalize }\n';
    expect(problems(text)).toEqual([
      {
        at: 'datamap.yaml:10:3',
        path: 'tables.app.page_views',
        message:
          'no identity reaches app.page_views: export would leave it out and erase skip it; give it `identify:` or a link to a table that is reached, e.g. `links: [{ column: user_id, references: app.users.id }]`, or say why no one\'s rows are there with `unlinked: "<reason>"`',
      },
    ]);
  });

  it('names the link that would reach it when a reached table references it without owns', () => {
    const text = BASE + '    links: [{ column: address_id, references: app.addresses.id }]\n  app.addresses:\n    key: id\n    fields: { street: { category: contact.address } }\n';
    expect(problems(text)).toEqual([
      {
        at: 'datamap.yaml:11:3',
        path: 'tables.app.addresses',
        message:
          'no identity reaches app.addresses: export would leave it out and erase skip it; tables.app.users.links[0] references it from a reached table: with `owns: true` the traversal follows it (when its rows belong to the referencing row\'s subject)',
      },
    ]);
  });

  it('is accepted when the map says why no one is there (`unlinked`), and when a link reaches it', () => {
    expect(problems(BASE + '  app.access_log: { key: id, unlinked: "aggregated per hour, no user id" }\n')).toEqual([]);
    expect(problems(BASE + '    links: [{ column: address_id, references: app.addresses.id, owns: true }]\n  app.addresses: { key: id }\n')).toEqual([]);
  });
});

describe('warnings: legal, but a promise is likely broken (validate lists them and exits 0)', () => {
  const warnings = (text: string) => load(text).warnings.map((w) => ({ at: `${w.file}:${w.line}:${w.column}`, path: w.path, message: w.message }));

  it('an identifying field masked keep', () => {
    expect(warnings(BASE + '      city: { category: contact.address, mask: keep }\n      plan: { category: account.settings, mask: keep }\n')).toEqual([
      {
        at: 'datamap.yaml:10:7',
        path: 'tables.app.users.fields.city',
        message: 'an identifying field (contact.address) masked `keep` stays as it is after erasure and sweeps, and verification finds it; choose another mask, or say `identifying: false`',
      },
    ]);
  });

  it('a link between two tables that both identify a person: a support rep is not part of the customer’s subject', () => {
    const text = BASE + '    links: [{ column: rep_id, references: app.reps.id }]\n  app.reps:\n    key: id\n    identify: { email: work_email }\n';
    expect(warnings(text)).toEqual([
      {
        at: 'datamap.yaml:10:13',
        path: 'tables.app.users.links[0]',
        message:
          'links two tables that both identify a person (app.users and app.reps): the traversal makes them one subject, so one person\'s request reaches the other\'s rows (a support rep is not part of the customer\'s subject); remove the link, or drop `identify` on the side that does not belong to the subject',
      },
    ]);
  });

  const REPS = '  app.reps:\n    key: id\n    identify: { email: work_email }\n';

  it('a ticket table that owns the rep who answered it: the rep would be erased with the customer', () => {
    const text = BASE + REPS + '  app.tickets:\n    key: id\n    links:\n      - { column: customer_id, references: app.users.id }\n      - { column: rep_id, references: app.reps.id, owns: true }\n';
    expect(warnings(text)).toEqual([
      {
        at: 'datamap.yaml:17:9',
        path: 'tables.app.tickets.links[1]',
        message:
          "`owns: true` towards app.reps, a table that identifies a person: whoever reaches a app.tickets row would take that person's row with it (a support rep is not part of the customer's subject); link it with `references`, or not at all",
      },
    ]);
  });

  it('a ticket table that references both its customer and its rep: erasing the rep would take the customer’s tickets', () => {
    const text = BASE + REPS + '  app.tickets:\n    key: id\n    links:\n      - { column: customer_id, references: app.users.id }\n      - { column: rep_id, references: app.reps.id }\n';
    expect(warnings(text)).toEqual([
      {
        at: 'datamap.yaml:17:9',
        path: 'tables.app.tickets.links[1]',
        message:
          "app.tickets belongs to people of two tables (app.users and app.reps): erasing either one deletes or anonymizes the row, the other's part of it too (a ticket is the customer's, not the rep's who answered it); keep only the link to the person the row belongs to, and declare the other column as a field",
      },
    ]);
  });

  it('none for a message between two users of one table, or for a shared address owned by its users', () => {
    const messages = '  app.messages:\n    key: id\n    links:\n      - { column: sender_id, references: app.users.id }\n      - { column: recipient_id, references: app.users.id }\n';
    expect(warnings(BASE + messages)).toEqual([]);
    expect(warnings(BASE + '    links: [{ column: address_id, references: app.addresses.id, owns: true }]\n  app.addresses: { key: id }\n')).toEqual([]);
  });

  it('none for the smallest map', () => {
    expect(warnings(BASE)).toEqual([]);
  });
});
