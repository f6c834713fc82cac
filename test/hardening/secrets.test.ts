// Secrets and personal values: every command, at --log-level trace, against the demo's systems plus a PostgreSQL
// system reached with a password. Nothing it prints (stdout, stderr, pino logs), nothing in the state database and
// nothing in any file it writes (the export package aside: that is the subject's own data) holds an identity, a
// personal value of the fixture, the hmac key or the database password.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redactUrls } from '../../src/errors.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { createPostgresDatabase, execPostgres, queryPostgres, type TestDatabase } from '../helpers/databases.ts';
import { demoFixture, filesUnder, removeDir, runCli, runCliProcess, tempDir, type CliRun, type DemoFixture } from './helpers.ts';

const tag = randomBytes(4).toString('hex');
const ROLE = `dsar_secret_${tag}`;
/** URL-reserved characters on purpose: the password appears percent-encoded in the URL and decoded to the driver. */
const PASSWORD = `Pa55:w@rd/${tag}-Zq9`;
const HMAC_KEY = `hmac-key-${tag}-do-not-print`;
const CARD = '4111 1111 1111 1111';

let fx: DemoFixture;
let db: TestDatabase;
let crmUrl: string;
const savedEnv = { ...process.env };
/** Everything the runs printed, by command, and the personal values and secrets none of it may hold. */
const printed: Array<{ argv: string[]; run: CliRun }> = [];
let personal: string[] = [];
let secrets: string[] = [];

function withPassword(url: string): string {
  const u = new URL(url);
  u.username = ROLE;
  u.password = encodeURIComponent(PASSWORD);
  return u.toString();
}

/** The example map, plus a PostgreSQL CRM (URL from the environment) and an archive whose URL is written in the map. */
function extend(text: string, crm: string): string {
  return text
    .replace(
      /(  mailchimp: .*\n)/,
      `$1  crm:       { kind: postgres, url: env:CRM_DATABASE_URL }\n  archive:   { kind: postgres, url: ${JSON.stringify(crm)} }\n`,
    )
    .replace(/^tables:\n/m, datamapFixture('secrets-crm-tables').replace(/^#.*\n/, ''));
}

beforeAll(async () => {
  db = await createPostgresDatabase('secrets');
  const admin = new URL(db.url);
  admin.pathname = '/postgres';
  await execPostgres(admin.toString(), `CREATE ROLE "${ROLE}" LOGIN PASSWORD '${PASSWORD}'; GRANT ALL ON DATABASE "${db.name}" TO "${ROLE}"`);
  crmUrl = withPassword(db.url);

  const dir = tempDir('secrets');
  fx = demoFixture(dir, 60, (text) => extend(text, crmUrl));
  const app = new Database(path.join(dir, 'app.db'), { readonly: true });
  const users = app.prepare('SELECT id, email, full_name, phone, last_ip, personal_email FROM users ORDER BY id').all() as Array<Record<string, string | number | null>>;
  const lines = app.prepare('SELECT line1 FROM addresses').pluck().all() as string[];
  app.close();
  const subscribers = parse(readFileSync(path.join(dir, 'exports', 'mailchimp', 'subscribers.csv')), { bom: true, columns: true }) as Array<Record<string, string>>;

  // The CRM holds some of the same people (with their phones), a few of them long inactive for the sweep.
  await execPostgres(
    db.url,
    `CREATE TABLE contacts (id integer PRIMARY KEY, email text NOT NULL, full_name text, phone text, last_seen_at timestamptz);
     CREATE INDEX ON contacts (email); CREATE INDEX ON contacts (phone);
     CREATE TABLE archived_contacts (id integer PRIMARY KEY, email text NOT NULL, full_name text);
     GRANT ALL ON ALL TABLES IN SCHEMA public TO "${ROLE}";`,
  );
  const crm = users.slice(0, 20);
  await queryPostgres(
    db.url,
    `INSERT INTO contacts SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
    [crm.map((u) => u.id), crm.map((u) => u.email), crm.map((u) => u.full_name), crm.map((u) => u.phone), crm.map((_, i) => new Date(Date.now() - (i % 4 === 0 ? 4 : 1) * 365 * 86_400_000))],
  );
  await queryPostgres(db.url, `INSERT INTO archived_contacts SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`, [crm.map((u) => u.id), crm.map((u) => u.email), crm.map((u) => u.full_name)]);

  personal = [
    ...users.flatMap((u) => [u.email, u.full_name, u.phone, u.last_ip, u.personal_email]),
    ...users.map((u) => String(u.phone ?? '').replace(/\D/g, '')),
    ...lines,
    ...subscribers.flatMap((s) => [s.email.trim(), s.full_name]),
    CARD,
    CARD.replaceAll(' ', ''),
  ].filter((v): v is string => typeof v === 'string' && v.length >= 6);
  personal = [...new Set([...personal, ...personal.map((v) => v.toLowerCase())])];
  secrets = [PASSWORD, encodeURIComponent(PASSWORD), HMAC_KEY];

  process.env.CRM_DATABASE_URL = crmUrl;
  process.env.DSAR_HMAC_KEY = HMAC_KEY;
  delete process.env.DSAR_STATE_DIR;
  delete process.env.DSAR_STATE_URL;
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await db?.drop();
  if (db) {
    const admin = new URL(db.url);
    admin.pathname = '/postgres';
    await execPostgres(admin.toString(), `DROP ROLE IF EXISTS "${ROLE}"`);
  }
  removeDir(fx?.dir);
});

async function dsar(...argv: string[]): Promise<CliRun> {
  const full = ['--datamap', fx.map, '--log-level', 'trace', ...argv];
  const run = await runCli(full);
  printed.push({ argv: full, run });
  return run;
}

/** The values of `haystack` found in `text`, by kind. */
function leaks(text: string): { personal: string[]; secrets: string[] } {
  return { personal: personal.filter((v) => text.includes(v)), secrets: secrets.filter((v) => text.includes(v)) };
}

const NONE = { personal: [], secrets: [] };
const s = () => fx.data.subjects;

describe('every command at --log-level trace', () => {
  // Each entry: the command line and the exit codes that are part of the story.
  const commands: Array<[string, () => string[], number[]]> = [
    ['datamap validate', () => ['datamap', 'validate'], [0]],
    ['datamap validate --live', () => ['datamap', 'validate', '--live'], [0]],
    ['export --dry-run', () => ['export', s().exportEmail, '--ticket', 'SEC-0', '--dry-run'], [0]],
    ['export', () => ['export', s().exportEmail, '--ticket', 'SEC-1', '--out', path.join(fx.dir, 'packages')], [0]],
    ['export --json', () => ['--json', 'export', s().sharedWith, '--ticket', 'SEC-2', '--out', path.join(fx.dir, 'packages')], [0]],
    ['export --by phone', () => ['export', '--by', 'phone', phoneOf(6), '--ticket', 'SEC-3', '--out', path.join(fx.dir, 'packages')], [0]],
    ['hold add', () => ['hold', 'add', s().heldEmail, '--reason', 'litigation 2026-114'], [0]],
    ['hold list', () => ['hold', 'list'], [0]],
    ['hold list <identity>', () => ['--json', 'hold', 'list', s().heldEmail], [0]],
    ['erase --dry-run', () => ['erase', s().eraseEmail, '--ticket', 'SEC-4', '--dry-run'], [0]],
    ['erase', () => ['erase', s().eraseEmail, '--ticket', 'SEC-4'], [0]],
    ['erase --json of a held subject (refused)', () => ['--json', 'erase', s().heldEmail, '--ticket', 'SEC-5'], [1]],
    ['erase --child', () => ['erase', s().childEmail, '--ticket', 'SEC-6', '--child'], [0]],
    ['optout marketing', () => ['optout', s().sharedWith, '--scope', 'marketing'], [0]],
    ['optout sharing', () => ['--json', 'optout', s().exportEmail, '--scope', 'sharing'], [0]],
    ['requests', () => ['requests'], [0]],
    ['requests --open --json', () => ['--json', 'requests', '--open'], [0]],
    ['requests verify', () => ['requests', 'verify'], [0]],
    ['hold remove', () => ['hold', 'remove', s().heldEmail, '--reason', 'settled'], [0]],
    ['sweep --dry-run', () => ['sweep', '--dry-run'], [0]],
    ['sweep', () => ['--json', 'sweep'], [0]],
    ['extract (records)', () => ['extract', 'signups-by-region', '--out', path.join(fx.dir, 'out', 'signups.csv')], [0]],
    ['extract (aggregate)', () => ['--json', 'extract', 'users-by-plan-and-region', '--out', path.join(fx.dir, 'out', 'by-plan.csv')], [0]],
    ['scan', () => ['scan', '--sarif', path.join(fx.dir, 'out', 'scan.sarif')], [1]],
    ['scan --json', () => ['--json', 'scan'], [1]],
    ['datamap docs', () => ['datamap', 'docs', '--out', path.join(fx.dir, 'out', 'docs')], [0]],
    ['jobs list', () => ['jobs', 'list'], [0]],
    ['jobs history', () => ['--json', 'jobs', 'history'], [0]],
  ];

  test.each(commands)('%s: no identity, personal value or secret in stdout or stderr', async (_name, argv, codes) => {
    const r = await dsar(...argv());
    expect(codes, `exit ${r.code}\n${r.stderr.slice(-3000)}`).toContain(r.code);
    expect(leaks(r.stdout + r.stderr)).toEqual(NONE);
  });

  test('run-job (a real process running the sweep job in a child): neither prints any of them', async () => {
    const r = await runCliProcess(['--datamap', fx.map, '--log-level', 'trace', 'run-job', 'nightly-sweep']);
    printed.push({ argv: ['run-job'], run: r });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/sweep as of/);
    expect(leaks(r.stdout + r.stderr)).toEqual(NONE);
  });

  test('the runs above did log, down to debug level (the tool logs nothing at trace), so the checks saw the logs', () => {
    const logs = printed.map((p) => p.run.stderr).join('\n');
    expect(logs).toMatch(/"level":20/);
    expect(logs).toMatch(/"level":30/);
    expect(logs).toMatch(/"subject":"[0-9a-f]{64}"/);
  });

  test('the state database (every file under .dsar/, WAL included) holds none of them', () => {
    const files = filesUnder(path.join(fx.dir, '.dsar'));
    expect(files.map((f) => path.basename(f))).toContain('state.db');
    for (const f of files) expect(leaks(readFileSync(f).toString('latin1')), f).toEqual(NONE);
  });

  test('no file the commands wrote, docs, extracts, risk reports and SARIF included, holds any of them', () => {
    const systems = new Set(['app.db', 'billing.db', 'subscribers.csv', 'datamap.yaml'].map((f) => f));
    const written = filesUnder(fx.dir).filter((f) => {
      const rel = path.relative(fx.dir, f);
      return !rel.startsWith('packages' + path.sep) && !rel.startsWith('.dsar' + path.sep) && !systems.has(path.basename(f)) && !/\.db-(wal|shm)$/.test(f);
    });
    expect(written.length).toBeGreaterThan(4);
    for (const f of written) expect(leaks(readFileSync(f).toString('latin1')), path.relative(fx.dir, f)).toEqual(NONE);
  });

  test('the export packages do hold the subject’s values (the check above can see them)', () => {
    const pkg = filesUnder(path.join(fx.dir, 'packages', 'SEC-1')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(pkg).toContain('Mary Smith');
    expect(leaks(pkg).secrets).toEqual([]);
  });
});

function phoneOf(id: number): string {
  const app = new Database(path.join(fx.dir, 'app.db'), { readonly: true });
  try {
    return app.prepare('SELECT phone FROM users WHERE id = ?').pluck().get(id) as string;
  } finally {
    app.close();
  }
}

describe('a system that cannot be reached, with a password in its URL', () => {
  let broken: string;
  beforeAll(() => {
    broken = path.join(fx.dir, 'broken.yaml');
    const closed = withPassword('postgres://x@127.0.0.1:1/nowhere');
    writeFileSync(
      broken,
      readFileSync(fx.map, 'utf8').replace(JSON.stringify(crmUrl), JSON.stringify(closed)).replace('env:CRM_DATABASE_URL', JSON.stringify(withPassword('postgres://x@no-such-host.invalid:5432/db'))),
    );
  });

  test.each([
    ['validate --live', ['datamap', 'validate', '--live']],
    ['export', ['export', 'mary.smith@example.org', '--ticket', 'SEC-DOWN', '--out', 'packages-down']],
    ['export --json', ['--json', 'export', 'mary.smith@example.org', '--ticket', 'SEC-DOWN2', '--out', 'packages-down']],
    ['erase', ['erase', 'jane.doe@example.org', '--ticket', 'SEC-DOWN3']],
    ['scan', ['scan']],
  ])('%s: exit 1 naming the systems, no password anywhere', async (_name, argv) => {
    const out = argv.includes('--out') ? argv.map((a) => (a === 'packages-down' ? path.join(fx.dir, a) : a)) : argv;
    const r = await runCli(['--datamap', broken, '--log-level', 'trace', ...out]);
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/archive/);
    expect(text).toMatch(/crm/);
    expect(leaks(text).secrets).toEqual([]);
    expect(text).not.toMatch(/:\/\/[^\s:@/]*:(?!\*\*\*@)[^\s@]+@/); // a URL that still carries a password
    expect(text).not.toMatch(/^\s+at /m);
  });

  test('the message names the host, port and database, never the password', async () => {
    const r = await runCli(['--datamap', broken, '--json', 'datamap', 'validate', '--live']);
    const doc = JSON.parse(r.stdout);
    const messages = JSON.stringify(doc.unreachable);
    expect(messages).toContain('127.0.0.1:1/nowhere');
    expect(leaks(messages).secrets).toEqual([]);
  });

  test('URLs the drivers cannot parse (a raw @ in the password, a port out of range) are not echoed either', async () => {
    const odd = path.join(fx.dir, 'odd-urls.yaml');
    const raw = (scheme: string, rest: string) => JSON.stringify(`${scheme}://${ROLE}:${PASSWORD}@${rest}`);
    writeFileSync(
      odd,
      [
        'version: 1',
        'systems:',
        `  rawpg:   { kind: postgres, url: ${raw('postgres', '127.0.0.1:5432/db')} }`,
        `  rawmy:   { kind: mysql, url: ${raw('mysql', '127.0.0.1:3306/db')} }`,
        `  badport: { kind: postgres, url: ${JSON.stringify(withPassword('postgres://x@127.0.0.1:5432/db').replace(':5432', ':99999'))} }`,
        `  notaurl: { kind: mysql, url: ${JSON.stringify(`${PASSWORD} is not a url`)} }`,
        '',
      ].join('\n'),
    );
    const r = await runCli(['--datamap', odd, '--log-level', 'trace', 'datamap', 'validate', '--live']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/unreachable rawpg/);
    expect(leaks(r.stdout + r.stderr).secrets).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD.split('/')[0]);
  });
});

describe('URLs in messages', () => {
  test.each([
    ['postgres://app:s3cret@db.internal:5432/app failed', 'postgres://app:***@db.internal:5432/app failed'],
    ['mysql://root:p%40ss%2Fw@127.0.0.1/x', 'mysql://root:***@127.0.0.1/x'],
    ['a raw @ and / in it: postgres://u:p@ss/w@rd@h/db', 'a raw @ and / in it: postgres://u:***@h/db'],
    ['two: postgres://a:one@h1/d and mysql://b:two@h2/e', 'two: postgres://a:***@h1/d and mysql://b:***@h2/e'],
    ['{"url":"postgres://u:pw@h/db","who":"a@b"}', '{"url":"postgres://u:***@h/db","who":"a@b"}'],
    ['no password: postgres://u@h/db and https://example.org/a@b', 'no password: postgres://u@h/db and https://example.org/a@b'],
    ['one slash: postgres:/app:s3cret@db/app failed', 'one slash: postgres:/app:***@db/app failed'],
    ['no scheme: app:s3cret@db.internal:5432/app', 'no scheme: app:***@db.internal:5432/app'],
    ['{"url":"app:pw@h/db"}', '{"url":"app:***@h/db"}'],
    ['a location stays: datamap.yaml:12:7: tables.app.users: ann@example.org', 'a location stays: datamap.yaml:12:7: tables.app.users: ann@example.org'],
  ])('%s', (text, shown) => {
    expect(redactUrls(text)).toBe(shown);
  });

  test.each(['postgres:/app:s3cretpw@127.0.0.1:1/db', 'app:s3cretpw@127.0.0.1:1/db'])('a system URL pasted as %s never shows its password, in text or --json', async (url) => {
    const dir = tempDir('odd-url');
    const map = path.join(dir, 'datamap.yaml');
    writeFileSync(map, 'version: 1\nsystems:\n  app: { kind: postgres, url: env:ODD_URL }\ntables:\n  app.users: { key: id, identify: { email: email } }\n');
    const env = { ...process.env };
    try {
      process.env.ODD_URL = url;
      for (const json of [[], ['--json']]) {
        const r = await runCli(['--datamap', map, '--log-level', 'trace', ...json, 'datamap', 'validate', '--live']);
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).not.toContain('s3cretpw');
      }
    } finally {
      process.env = env;
    }
  });

  test('an error of the state store names its URL without the password', async () => {
    const env = { ...process.env };
    try {
      process.env.DSAR_STATE_URL = withPassword('postgres://x@127.0.0.1:1/state');
      const r = await runCli(['--datamap', fx.map, '--log-level', 'trace', 'requests']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`dsar: state: cannot open the state store at postgres://${ROLE}:***@127.0.0.1:1/state: connect ECONNREFUSED`);
      expect(leaks(r.stdout + r.stderr).secrets).toEqual([]);
      expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    } finally {
      process.env = env;
    }
  });
});

describe('dsar demo at --log-level trace', () => {
  test('its logs, state and written files hold no personal value of its data and not its key', async () => {
    const dir = tempDir('demo-secrets');
    const env = { ...process.env };
    try {
      const r = await runCli(['--log-level', 'trace', 'demo', '--dir', path.join(dir, 'demo'), '--users', '40']);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const demo = path.join(dir, 'demo');
      const app = new Database(path.join(demo, 'app.db'), { readonly: true });
      const values = (app.prepare('SELECT full_name, phone, last_ip FROM users WHERE id > 5').raw().all() as string[][]).flat().filter((v) => v && v.length >= 6);
      app.close();
      const key = process.env.DSAR_HMAC_KEY!;
      // The demo's story on stdout names its five fake subjects on purpose; its logs must not.
      const demoLeaks = (text: string) => [...values.filter((v) => text.includes(v)), ...(text.includes(key) ? ['the hmac key'] : [])];
      expect(demoLeaks(r.stdout + r.stderr)).toEqual([]);
      for (const f of filesUnder(demo)) {
        const rel = path.relative(demo, f);
        if (rel.startsWith('packages') || /^(app|billing)\.db|^exports|^datamap\.yaml$/.test(rel)) continue;
        expect(demoLeaks(readFileSync(f).toString('latin1')), rel).toEqual([]);
      }
      expect(existsSync(path.join(demo, '.dsar', 'state.db'))).toBe(true);
      expect(statSync(path.join(demo, '.dsar')).isDirectory()).toBe(true);
    } finally {
      process.env = env;
      removeDir(dir);
    }
  });
});
