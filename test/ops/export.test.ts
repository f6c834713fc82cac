import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { addDays, utcDate } from '../../src/state/statutory.ts';
import { browserAvailable, launchBrowser } from '../helpers/browser.ts';
import { execPostgres } from '../helpers/databases.ts';
import { createSubjectSchema, MARY, type SubjectSchema } from '../plan/subject-schema.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

let schema: SubjectSchema;
let out: string;

beforeAll(async () => {
  schema = await createSubjectSchema('exp');
  await execPostgres(schema.app.url, `UPDATE notes SET body = '<img src=x onerror=alert(1)> & "quotes"' WHERE id = 101`);
  out = mkdtempSync(path.join(tmpdir(), 'dsar-exports-'));
});

afterAll(async () => {
  if (out) rmSync(out, { recursive: true, force: true });
  await schema?.dispose();
});

async function dsar(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--datamap', schema.datamap, '--log-level', 'silent', ...argv], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
  });
  return { code, stdout, stderr };
}

const read = (ticket: string, file: string) => readFileSync(path.join(out, ticket, file), 'utf8');
const json = (ticket: string, file: string) => JSON.parse(read(ticket, file));

/** Every file under `dir`, as package paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('a complete export', () => {
  let result: { code: number; stdout: string };
  beforeAll(async () => {
    const umask = process.umask(0); // the modes must not depend on the umask
    try {
      result = await dsar('export', '  Mary.Smith@EXAMPLE.org ', '--ticket', 'REQ-1', '--out', out, '--received', addDays(utcDate(new Date()), -3));
    } finally {
      process.umask(umask);
    }
  });

  test('exits 0 and says where the package is', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`package: ${path.join(out, 'REQ-1')}`);
    expect(result.stdout).toContain('13 rows from 8 table(s)');
  });

  test('holds exactly the subject’s rows, one JSON and one CSV file per table', () => {
    const ids = (file: string, key = 'id') => json('REQ-1', file).map((r: Record<string, unknown>) => r[key]);

    expect(filesUnder(path.join(out, 'REQ-1', 'data')).sort()).toEqual(
      ['app/addresses', 'app/customers', 'app/notes', 'app/orders', 'billing/invoice_lines', 'billing/payments', 'mailchimp/members', 'mailchimp/tickets']
        .flatMap((t) => [`${t}.csv`, `${t}.json`])
        .sort(),
    );
    expect(ids('data/app/customers.json')).toEqual([1]);
    expect(ids('data/app/addresses.json')).toEqual([1]);
    expect(ids('data/app/orders.json')).toEqual([10, 11]);
    expect(ids('data/app/notes.json')).toEqual([100, 101, 102]);
    expect(ids('data/billing/payments.json')).toEqual([500]);
    expect(json('REQ-1', 'data/billing/invoice_lines.json').map((r: Record<string, unknown>) => [r.invoice_no, r.line_no])).toEqual([
      ['INV-1', 1],
      ['INV-1', 2],
    ]);
    expect(ids('data/mailchimp/members.json', 'member_id')).toEqual(['m1', 'm4']);
    expect(ids('data/mailchimp/tickets.json', 'ticket_id')).toEqual(['T1']);
  });

  test('JSON keeps numbers as numbers, dates as ISO 8601 UTC, and binary as base64 with its length', () => {
    expect(json('REQ-1', 'data/billing/payments.json')).toEqual([
      { id: 500, customer_ref: '1', order_id: 12, amount: 19.99, paid_at: '2023-05-01T10:01:00.000Z', processor_ref: 'ch_mary', receipt: { base64: 'AP8Q', bytes: 3 } },
    ]);
    expect(json('REQ-1', 'data/app/orders.json')[1]).toEqual({ id: 11, customer_id: 1, total: 5, placed_at: '2023-06-01T10:00:00.000Z' });
  });

  test('CSV opens in a spreadsheet without running formulas', () => {
    const csv = read('REQ-1', 'data/app/notes.csv');

    expect(csv).toBe(
      '\uFEFFid,customer_id,parent_id,body\r\n' +
        '100,1,,Where is my parcel?\r\n' +
        '101,,100,"<img src=x onerror=alert(1)> & ""quotes"""\r\n' +
        `102,,101,"'=HYPERLINK(""http://x"")"\r\n`,
    );
  });

  test('the directories are 0700 and the files 0600, even with a umask of 0', () => {
    const walk = (p: string): string[] => [p, ...(statSync(p).isDirectory() ? readdirSync(p).flatMap((n) => walk(path.join(p, n))) : [])];
    const modes = walk(path.join(out, 'REQ-1')).map((p) => [statSync(p).isDirectory() ? 'dir' : 'file', (statSync(p).mode & 0o777).toString(8)]);

    expect(new Set(modes.map(([kind, mode]) => `${kind} ${mode}`))).toEqual(new Set(['dir 700', 'file 600']));
  });

  test('the manifest lists every other file with a SHA-256 that matches it', () => {
    const manifest = json('REQ-1', 'manifest.json');
    const listed = manifest.files.map((f: { path: string }) => f.path).sort();
    const onDisk = filesUnder(path.join(out, 'REQ-1')).filter((f) => f !== 'manifest.json').sort();

    expect(listed).toEqual(onDisk);
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(out, 'REQ-1', f.path));
      expect({ path: f.path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }).toEqual(f);
    }
  });

  test('the manifest names the ticket, tool version, data map hash, due date, systems and row counts per table', () => {
    const m = json('REQ-1', 'manifest.json');
    const received = addDays(utcDate(new Date()), -3);

    expect(m.ticket).toBe('REQ-1');
    expect(m.tool).toEqual({ name: 'dsar', version: VERSION });
    expect(m.datamap.sha256).toBe(createHash('sha256').update(readFileSync(schema.datamap)).digest('hex'));
    expect(m.request).toEqual({ kind: 'export', receivedOn: received, law: 'gdpr', dueOn: addDays(received, 30) });
    expect(m.complete).toBe(true);
    expect(m.systems.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['app', 'read'],
      ['mailchimp', 'read'],
      ['billing', 'read'],
    ]);
    expect(Object.fromEntries(m.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]))).toEqual({
      'app.customers': 1,
      'mailchimp.members': 2,
      'app.addresses': 1,
      'app.orders': 2,
      'app.notes': 3,
      'billing.payments': 1,
      'mailchimp.tickets': 1,
      'billing.invoice_lines': 2,
    });
    expect(m.tables.find((t: { table: string }) => t.table === 'app.customers').categories).toEqual(['contact.email', 'contact.phone', 'identity.name']);
    expect(JSON.stringify(m).toLowerCase()).not.toContain('mary');
  });

  test('report.html is self-contained and escapes every value', () => {
    const html = read('REQ-1', 'report.html');

    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/<script|<link|@import|url\(|src="?https?:|href="?https?:/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<img');
  });

  test('report.html groups the data by the policy’s categories, with its wording, purposes and retention', () => {
    const html = read('REQ-1', 'report.html');

    expect(html).toContain('<h2>Contact details</h2><blockquote>mailing and physical address and zip code, email address, phone number</blockquote>');
    expect(html).toContain('<h3>Email address <small><code>contact.email</code></small></h3>');
    expect(html).toContain('<code>app.customers.email</code></td><td><div class="v">Mary.Smith@example.org</div>');
    expect(html).toContain('Kept for 7 years after placed_at, then anonymized. Basis: legal-obligation (tax records).');
    expect(html).toContain('communicate (by email, text message, telephone, or mail) about promotions, upcoming events, and other news');
  });

  test.skipIf(!browserAvailable('report.html in a browser'))('report.html renders in a browser that has no network, and asks for nothing', async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const url = 'file://' + path.join(out, 'REQ-1', 'report.html');
      await page.goto(url);

      expect(requests).toEqual([url]);
      expect(await page.locator('h1').textContent()).toBe('Your personal data');
      expect(await page.locator('h2').allTextContents()).toContain('Contact details');
      expect(await page.locator('img, script, link, iframe').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  test('the ledger shows the request with its due date', async () => {
    const r = await dsar('requests', '--json');
    const req = JSON.parse(r.stdout).requests.find((x: { ticket: string }) => x.ticket === 'REQ-1');
    const received = addDays(utcDate(new Date()), -3);

    expect(r.code).toBe(0);
    expect(req).toMatchObject({ ticket: 'REQ-1', kind: 'export', receivedOn: received, law: 'gdpr', dueOn: addDays(received, 30), daysLeft: 27, status: 'ok', open: false });
  });
});

describe('refusals', () => {
  test('a second export to the same ticket is refused with exit 2 and leaves the first package as it was', async () => {
    const first = await dsar('export', MARY, '--ticket', 'REQ-2', '--out', out);
    const manifest = read('REQ-2', 'manifest.json');
    const second = await dsar('export', MARY, '--ticket', 'REQ-2', '--out', out);

    expect(first.code).toBe(0);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`dsar: ${path.join(out, 'REQ-2')} already exists: an export for this ticket was written before (use --force to replace it)\n`);
    expect(read('REQ-2', 'manifest.json')).toBe(manifest);
  });

  test('--force replaces the package, leaving no temporary directory behind', async () => {
    await dsar('export', MARY, '--ticket', 'REQ-3', '--out', out);
    const before = json('REQ-3', 'manifest.json').createdAt;
    const again = await dsar('export', MARY, '--ticket', 'REQ-3', '--out', out, '--force');

    expect(again.code).toBe(0);
    expect(json('REQ-3', 'manifest.json').createdAt).not.toBe(before);
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('an export that finds no row of the subject says so, exit 0, in text and --json', async () => {
    const text = await dsar('export', 'nobody@example.org', '--ticket', 'REQ-NOBODY', '--out', out);
    const json = await dsar('--json', 'export', 'nobody@example.org', '--ticket', 'REQ-NOBODY-2', '--out', out);

    expect([text.code, json.code]).toEqual([0, 0]);
    expect(text.stdout).toContain('\nno rows found for the email given: check the identity and its type (--by)\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 0, noRows: 'no rows found for the email given: check the identity and its type (--by)' });
  });

  test('--force never puts another subject under a ticket: exit 2, the package and the ledger as they were', async () => {
    await dsar('export', MARY, '--ticket', 'REQ-ONE', '--out', out);
    const manifest = read('REQ-ONE', 'manifest.json');
    const ledger = async () => JSON.parse((await dsar('requests', '--json')).stdout).requests.filter((x: { ticket: string }) => x.ticket === 'REQ-ONE');
    const before = await ledger();
    const r = await dsar('export', 'bob@example.org', '--ticket', 'REQ-ONE', '--out', out, '--force');

    expect(r.code).toBe(2);
    expect(r.stderr).toBe('dsar: --ticket REQ-ONE is the request of another subject; use a new ticket. Nothing was done\n');
    expect(read('REQ-ONE', 'manifest.json')).toBe(manifest);
    expect(await ledger()).toEqual(before);
  });

  test.each(['../escape', 'a/b', '..', '.hidden', 'x..y', 'bell\u0007', '', 'x'.repeat(129)])('the ticket %j is refused with exit 2 and nothing written', async (ticket) => {
    const before = readdirSync(out).sort();
    const r = await dsar('export', MARY, '--ticket', ticket, '--out', out);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dsar: --ticket: '.*' is not a safe request reference/);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(existsSync(path.join(out, '..', 'escape'))).toBe(false);
  });

  /** Runs `fn` with the environment variable `name` unset. */
  async function withoutEnv<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const saved = process.env[name];
    delete process.env[name];
    try {
      return await fn();
    } finally {
      process.env[name] = saved;
    }
  }

  const tickets = async (): Promise<string[]> =>
    JSON.parse((await dsar('requests', '--json')).stdout).requests.map((x: { ticket: string }) => x.ticket);

  test('a system URL missing from the environment is bad configuration: exit 2, no package, nothing in the ledger', async () => {
    const r = await withoutEnv(schema.env.billing, () => dsar('export', MARY, '--ticket', 'REQ-NOENV', '--out', out));

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^dsar: systems\\.billing\\.url: env:${schema.env.billing} is not set`));
    expect(existsSync(path.join(out, 'REQ-NOENV'))).toBe(false);
    expect(await tickets()).not.toContain('REQ-NOENV');
  });

  test('without secrets.hmac_key the subject cannot be named: exit 2, no package, nothing in the ledger', async () => {
    const r = await withoutEnv(schema.env.key, () => dsar('export', MARY, '--ticket', 'REQ-NOKEY', '--out', out));

    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'dsar: secrets.hmac_key is not set (env:DSAR_HMAC_KEY): the state store keeps its subject key sealed under it, so every command that names a subject needs it\n',
    );
    expect(existsSync(path.join(out, 'REQ-NOKEY'))).toBe(false);
    expect(await tickets()).not.toContain('REQ-NOKEY');
  });

  test.each([
    [['--received', '2024-02-30'], "dsar: --received: '2024-02-30' is not a date (YYYY-MM-DD)\n"],
    [['--by', 'passport'], "dsar: --by: unknown identity type 'passport' (declared: email, phone)\n"],
    [['--law', 'hipaa'], 'dsar: Invalid values: Argument: law, Given: "hipaa", Choices: "gdpr", "ccpa"\n'],
  ])('%j is refused with exit 2', async (flags, message) => {
    const r = await dsar('export', MARY, '--ticket', 'REQ-BAD', '--out', out, ...flags);

    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(existsSync(path.join(out, 'REQ-BAD'))).toBe(false);
  });
});

describe('other ways in', () => {
  test('--dry-run prints the traversal plan and reads and writes nothing', async () => {
    const r = await dsar('export', MARY, '--ticket', 'REQ-DRY', '--out', out, '--dry-run', '--json');
    const doc = JSON.parse(r.stdout);

    expect(r.code).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(doc.plan.identities).toEqual([{ type: 'email' }]);
    expect(doc.plan.order).toEqual(['app.customers', 'mailchimp.members', 'app.addresses', 'app.orders', 'app.notes', 'billing.payments', 'mailchimp.tickets', 'billing.invoice_lines']);
    expect(doc.plan.steps[2]).toEqual({ table: 'app.addresses', via: 'owns', column: 'id', from: 'app.customers.address_id' });
    expect(r.stdout.toLowerCase()).not.toContain('mary');
    expect(existsSync(path.join(out, 'REQ-DRY'))).toBe(false);
    const requests = JSON.parse((await dsar('requests', '--json')).stdout).requests;
    expect(requests.map((x: { ticket: string }) => x.ticket)).not.toContain('REQ-DRY');
  });

  test('--by phone finds the subject by a differently formatted number', async () => {
    const r = await dsar('export', '1.555.010.0001', '--by', 'phone', '--ticket', 'REQ-PHONE', '--out', out, '--law', 'ccpa');

    expect(r.code).toBe(0);
    expect(json('REQ-PHONE', 'data/app/customers.json').map((c: { id: number }) => c.id)).toEqual([1]);
    // the phone is not an email: the CSV members (found by email only) are not part of this export
    expect(existsSync(path.join(out, 'REQ-PHONE', 'data', 'mailchimp', 'members.json'))).toBe(false);
    expect(json('REQ-PHONE', 'manifest.json').request.law).toBe('ccpa');
  });

  test('an unreachable system: what is reachable is exported, the system is named, exit 1, the request stays open', async () => {
    const saved = process.env[schema.env.billing];
    process.env[schema.env.billing] = 'mysql://root:s3cret-pw@127.0.0.1:1/nowhere';
    let r;
    try {
      r = await dsar('export', MARY, '--ticket', 'REQ-DOWN', '--out', out);
    } finally {
      process.env[schema.env.billing] = saved;
    }
    const m = json('REQ-DOWN', 'manifest.json');

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^unreachable: billing: cannot connect/m);
    expect(r.stdout).not.toContain('s3cret-pw');
    expect(m.complete).toBe(false);
    expect(m.systems.find((s: { name: string }) => s.name === 'billing').status).toBe('unreachable');
    expect(m.tables.filter((t: { rows: number | null }) => t.rows === null).map((t: { table: string }) => t.table)).toEqual(['billing.payments', 'billing.invoice_lines']);
    expect(json('REQ-DOWN', 'data/app/orders.json').map((o: { id: number }) => o.id)).toEqual([10, 11]);
    expect(read('REQ-DOWN', 'report.html')).toContain('<b>Incomplete:</b> these systems could not be read when this export was made, so their data is missing: billing.');
    const open = JSON.parse((await dsar('requests', '--open', '--json')).stdout).requests;
    expect(open.map((x: { ticket: string; status: string }) => [x.ticket, x.status])).toEqual([['REQ-DOWN', 'partial']]);
  });

  test('the installed bin runs the export as its own process, and its logs never carry the identity', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'dsar.js'), '--datamap', schema.datamap, 'export', MARY, '--ticket', 'REQ-BIN', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env },
      cwd: schema.dir,
    });

    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`package: ${path.join(out, 'REQ-BIN')}`);
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(logs.map((l) => l.msg)).toEqual(['export started', 'export completed']);
    expect(logs[1]).toMatchObject({ ticket: 'REQ-BIN', rows: 13, tables: 8, subject: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(r.stderr.toLowerCase()).not.toContain('mary');
  });
});
