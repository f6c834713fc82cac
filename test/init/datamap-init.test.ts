// `dsar datamap init` on a real schema in each SQL engine (plus a CSV export beside it): the map it writes
// validates against the live systems, finds a subject's rows exactly as a hand-written map does, is the same file
// twice, and `--merge` adds to a map without changing a byte of what the user wrote.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseDataMap } from '../../src/datamap/load.ts';
import type { DataMap } from '../../src/datamap/types.ts';
import { createShop, handWrittenTables, type Engine, type Shop } from './shop-fixture.ts';

async function dsar(shop: Shop, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  Object.assign(process.env, shop.env, { DSAR_STATE_DIR: shop.dir });
  try {
    const code = await main(['--log-level', 'error', ...argv], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  }
}

/** Every data file of an export package: `system/table` -> its rows, sorted. */
function exported(dir: string): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const data = path.join(dir, 'data');
  for (const system of readdirSync(data)) {
    for (const file of readdirSync(path.join(data, system)).filter((f) => f.endsWith('.json'))) {
      const rows = JSON.parse(readFileSync(path.join(data, system, file), 'utf8')) as unknown[];
      out[`${system}/${file.replace(/\.json$/, '')}`] = (Array.isArray(rows) ? rows : ((rows as { rows?: unknown[] }).rows ?? [])).map((r) => JSON.stringify(r)).sort();
    }
  }
  return out;
}

describe.each<Engine>(['postgres', 'mysql', 'sqlite'])('datamap init on %s', (engine) => {
  const prefix = `init_${engine.slice(0, 2)}`;
  let shop: Shop;
  let mapFile: string;
  let text: string;
  let map: DataMap;
  let stdout: string;

  beforeAll(async () => {
    shop = await createShop(engine, prefix);
    mapFile = path.join(shop.dir, 'datamap.yaml');
    const r = await dsar(shop, ['--datamap', mapFile, 'datamap', 'init', ...shop.systems.flatMap((s) => ['--system', s])]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
    text = readFileSync(mapFile, 'utf8');
    map = parseDataMap(text.replace('hmac_key: env:DSAR_HMAC_KEY', `hmac_key: env:${prefix.toUpperCase()}_KEY`), mapFile);
    writeFileSync(mapFile, text.replace('hmac_key: env:DSAR_HMAC_KEY', `hmac_key: env:${prefix.toUpperCase()}_KEY`));
  });
  afterAll(async () => shop?.dispose());

  test('the map it writes validates against the live systems with no error', async () => {
    const r = await dsar(shop, ['--datamap', mapFile, '--json', 'datamap', 'validate', '--live']);
    const doc = JSON.parse(r.stdout);
    expect(doc.errors).toEqual([]);
    expect(doc.unreachable).toEqual([]);
    expect(r.code).toBe(0);
  });

  test('keys: primary keys, the composite one as a list, a file keyed by its unique column', () => {
    expect(map.tables['app.users'].key).toEqual(['id']);
    expect(map.tables['app.order_lines'].key).toEqual(['order_id', 'line_no']);
    expect(map.tables['app.events'].key).toEqual(['id', 'at']);
    expect(map.tables['crm.notes'].key).toEqual(['id']);
    expect(map.tables['crm.newsletter'].key).toEqual(['email']);
  });

  test('people are found by their unique email: customers, agents and the newsletter list', () => {
    expect(Object.entries(map.tables).filter(([, t]) => Object.keys(t.identify).length).map(([id, t]) => [id, t.identify])).toEqual([
      ['app.agents', { email: 'email' }],
      ['app.users', { email: 'email', phone: 'phone' }],
      ['crm.newsletter', { email: 'email' }],
    ]);
    expect(Object.keys(map.identities)).toEqual(['email', 'phone']);
  });

  test('links: a customer owns the shared address; rows reference their customer; the agent is left as a suggestion', () => {
    const links = (id: string) => map.tables[id].links.map((l) => `${l.column} -> ${l.references.system}.${l.references.table}.${l.references.column}${l.owns ? ' (owns)' : ''}`);
    expect(links('app.users')).toEqual(['address_id -> app.addresses.id (owns)']);
    expect(links('app.tickets')).toEqual(['user_id -> app.users.id']);
    expect(links('app.order_lines')).toEqual(['user_id -> app.users.id']);
    expect(links('app.events')).toEqual(['user_id -> app.users.id']);
    expect(links('crm.notes')).toEqual(['user_id -> app.users.id']);
    expect(text).toMatch(/# - \{ column: agent_id, references: app\.agents\.id \}  # not linked: app\.tickets rows belong to one person \(app\.users\)/);
  });

  test('a weak match by value (small numbers, a name that only says "customer") is a suggestion, and its table unlinked', () => {
    expect(map.tables['crm.referrals'].links).toEqual([]);
    expect(map.tables['crm.referrals'].unlinked).toMatch(/^dsar datamap init found no identity or link to a person: review/);
    expect(text).toMatch(/# - \{ column: customer_ref, references: app\.users\.id \}  # not linked: a value match this weak may be chance/);
  });

  test('a table without any key is not declared, and the file says why', () => {
    expect(map.tables['app.audit_log']).toBeUndefined();
    expect(text).toContain('# app.audit_log:  # not declared: no primary key or unique constraint');
    expect(stdout).toContain('app.audit_log: not declared: no primary key or unique constraint');
  });

  test.runIf(engine === 'postgres')('a table outside the default schema is not declared, and the file says why', () => {
    expect(map.tables['app.sales.leads']).toBeUndefined();
    expect(text).toContain('# app.sales.leads:  # not declared: outside the default schema');
  });

  test('the partitions fold into their parent', () => {
    expect(Object.keys(map.tables).filter((id) => id.includes('events'))).toEqual(['app.events']);
    expect(text).not.toMatch(/events_20|p2025/);
  });

  test('fields get masks that fit, identifying ones never kept, each guess with its confidence', () => {
    const fields = (id: string) => Object.fromEntries(Object.values(map.tables[id].fields).map((f) => [f.column, `${f.category} ${f.mask}`]));
    expect(fields('app.users')).toEqual({ email: 'contact.email hash', full_name: 'identity.name fake', phone: 'contact.phone null' });
    expect(fields('app.addresses')).toEqual({ line1: 'contact.address redact', city: 'contact.address.city redact', zip: 'contact.address.postal generalize' });
    expect(Object.values(map.tables).flatMap((t) => Object.values(t.fields)).filter((f) => f.identifying && f.mask === 'keep')).toEqual([]);
    expect(text).toMatch(/^ {6}email: \{ category: contact\.email, mask: hash \}  # high: /m);
    expect(text).toMatch(/^ {4}key: id  # high: primary key$/m);
  });

  test('a subject export with it returns exactly the rows a hand-written map returns', async () => {
    const hand = path.join(shop.dir, 'hand.yaml');
    writeFileSync(hand, `version: 1\nsecrets: { hmac_key: env:${prefix.toUpperCase()}_KEY }\nsystems:\n${shop.systemsYaml}${handWrittenTables()}`);
    const a = await dsar(shop, ['--datamap', mapFile, 'export', 'u1@example.com', '--ticket', 'INIT-1', '--out', path.join(shop.dir, 'from-init')]);
    const b = await dsar(shop, ['--datamap', hand, 'export', 'u1@example.com', '--ticket', 'INIT-2', '--out', path.join(shop.dir, 'by-hand')]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const fromInit = exported(path.join(shop.dir, 'from-init', 'INIT-1'));
    expect(fromInit).toEqual(exported(path.join(shop.dir, 'by-hand', 'INIT-2')));
    expect(Object.fromEntries(Object.entries(fromInit).map(([t, rows]) => [t, rows.length]))).toEqual({
      'app/addresses': 1,
      'app/events': 2,
      'app/order_lines': 2,
      'app/tickets': 2,
      'app/users': 1,
      'crm/newsletter': 1,
      'crm/notes': 2,
    });
  });

  test('the same systems give the same file', async () => {
    const again = path.join(shop.dir, 'again.yaml');
    const r = await dsar(shop, ['--datamap', mapFile, 'datamap', 'init', '--out', again]);
    expect(r.code).toBe(0);
    // Written from the map's systems, the new file keeps its references (here the test's hmac_key).
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(mapFile, 'utf8'));
  });

  test('--merge adds the undeclared tables and fields and keeps every byte the user wrote', async () => {
    const own = path.join(shop.dir, 'own.yaml');
    const mine = `# Acme's data map (owner: privacy team)   <- kept as written
version: 1
secrets: { hmac_key: env:${prefix.toUpperCase()}_KEY }
systems:
${shop.systemsYaml}
tables:
  app.users:                      # customers
    key: id
    identify: { email: email }
    links:
      - { column: address_id, references: app.addresses.id, owns: true }   # home address
    fields:
      email:     { category: contact.email, mask: hash }
      # full_name: reviewed later
  app.addresses:
    key: id
    on_erase: delete   # anonymized while another user still points at it
`;
    writeFileSync(own, mine);
    const r = await dsar(shop, ['--datamap', own, '--json', 'datamap', 'init', '--merge']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const merged = readFileSync(own, 'utf8');
    const want = mine.split('\n');
    let i = 0;
    for (const line of merged.split('\n')) if (i < want.length && line === want[i]) i++;
    expect(i).toBe(want.length);
    const doc = JSON.parse(r.stdout);
    expect(doc.fieldsAdded).toEqual(['app.addresses.line1', 'app.addresses.city', 'app.addresses.zip', 'app.users.full_name', 'app.users.phone']);
    expect(doc.tables.map((t: { table: string }) => t.table)).toEqual(['app.agents', 'app.events', 'app.order_lines', 'app.tickets', 'crm.newsletter', 'crm.notes', 'crm.referrals']);
    const live = await dsar(shop, ['--datamap', own, '--json', 'datamap', 'validate', '--live']);
    expect(JSON.parse(live.stdout).errors.map((e: { where: string; message: string }) => `${e.where}: ${e.message}`)).toEqual([]);
    const a = await dsar(shop, ['--datamap', own, 'export', 'u1@example.com', '--ticket', 'INIT-3', '--out', path.join(shop.dir, 'merged')]);
    expect(a.code).toBe(0);
    expect(Object.keys(exported(path.join(shop.dir, 'merged', 'INIT-3'))).sort()).toEqual(['app/addresses', 'app/events', 'app/order_lines', 'app/tickets', 'app/users', 'crm/newsletter', 'crm/notes']);
  });

  test('an existing file is never overwritten without --merge', async () => {
    const before = readFileSync(mapFile, 'utf8');
    const r = await dsar(shop, ['--datamap', mapFile, 'datamap', 'init', ...shop.systems.flatMap((s) => ['--system', s])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists: add to it with --merge, or write another file with --out');
    expect(readFileSync(mapFile, 'utf8')).toBe(before);
    expect(existsSync(mapFile)).toBe(true);
  });
});

describe('datamap init refuses what it cannot do, and writes nothing', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await createShop('sqlite', 'init_edge');
  });
  afterAll(async () => shop?.dispose());

  test('an unreachable system: exit 2, named, no file', async () => {
    const out = path.join(shop.dir, 'never.yaml');
    shop.env.INIT_EDGE_DOWN_URL = 'postgres://dsar:secret-pw@127.0.0.1:1/app';
    const r = await dsar(shop, ['--datamap', out, 'datamap', 'init', '--system', 'down=postgres:INIT_EDGE_DOWN_URL', '--system', shop.systems[0]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: down: .*: nothing written\n$/);
    expect(r.stderr).not.toContain('secret-pw');
    expect(existsSync(out)).toBe(false);
  });

  test('an environment variable that is not set: exit 2, named', async () => {
    const r = await dsar(shop, ['--datamap', path.join(shop.dir, 'never.yaml'), 'datamap', 'init', '--system', 'app=mysql:INIT_EDGE_UNSET']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('systems.app.url: env:INIT_EDGE_UNSET is not set');
  });

  test('--out=- prints a map that loads, and writes no file', async () => {
    const r = await dsar(shop, ['--datamap', path.join(shop.dir, 'never.yaml'), 'datamap', 'init', '--out=-', ...shop.systems.flatMap((s) => ['--system', s])]);
    expect(r.code).toBe(0);
    expect(Object.keys(parseDataMap(r.stdout, path.join(shop.dir, 'printed.yaml')).tables)).toContain('app.users');
    expect(existsSync(path.join(shop.dir, 'never.yaml'))).toBe(false);
  });
});
