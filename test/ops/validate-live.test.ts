// `dsar datamap validate --live` against real PostgreSQL and MariaDB schemas: every mismatch named with
// system.table.column and the data map's line:column.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from '../helpers/databases.ts';

let pgDb: TestDatabase;
let myDb: TestDatabase;
let dir: string;

// The map under test: test/fixtures/datamaps/validate-live.yaml. The @line:column below are its lines (9 app.users,
// 14-16 its fields, 17 app.ghosts, 24 app.events' created_on, 28 and 30 billing.invoices' link and field).
const MAP = datamapFixture('validate-live');

/** `dsar datamap validate --live --json` of the map in `mapDir` (the suite's map by default). */
async function validateLive(mapDir = dir): Promise<{ code: number; doc: any; stdout: string }> {
  let stdout = '';
  const code = await main(['--datamap', path.join(mapDir, 'datamap.yaml'), '--json', '--log-level', 'silent', 'datamap', 'validate', '--live'], {
    stdout: (s) => (stdout += s),
    stderr: () => {},
  });
  return { code, doc: JSON.parse(stdout), stdout };
}

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createPostgresDatabase('live'), createMysqlDatabase('live')]);
  await execPostgres(
    pgDb.url,
    `CREATE TABLE users (id int PRIMARY KEY, email varchar(60) NOT NULL UNIQUE, phone varchar(20) NOT NULL, last_seen text);
     CREATE TABLE events (id int, created_on date, user_id int, PRIMARY KEY (id, created_on)) PARTITION BY RANGE (created_on);
     CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`,
  );
  await execMysql(myDb.url, `CREATE TABLE invoices (id int PRIMARY KEY, issued_on date, customer_email varchar(10));`);
  dir = mkdtempSync(path.join(tmpdir(), 'dsar-live-'));
  writeFileSync(path.join(dir, 'datamap.yaml'), MAP);
  process.env.LIVE_APP_URL = pgDb.url;
  process.env.LIVE_BILLING_URL = myDb.url;
});

afterAll(async () => {
  await Promise.all([pgDb?.drop(), myDb?.drop()]);
});

describe('dsar datamap validate --live', () => {
  it('reports every mismatch with system.table.column and the map line, and exits 2', async () => {
    const { code, doc } = await validateLive();
    expect(code).toBe(2);
    const errors = doc.errors.map((e: any) => `${e.system}.${e.table}${e.column ? '.' + e.column : ''} @${e.line}:${e.col} ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^app\.users\.email @14:\d+ mask 'redact' cannot fit: .*unique/i),
        expect.stringMatching(/^app\.users\.phone @15:\d+ mask 'null' cannot fit: .*NOT NULL/i),
        expect.stringMatching(/^app\.users\.nickname @16:\d+ field column "nickname" does not exist/),
        expect.stringMatching(/^app\.users\.last_seen @9:\d+ retention 'inactive' after column "last_seen" is text, not a date/),
        expect.stringMatching(/^app\.ghosts @17:\d+ table app\.ghosts does not exist/),
        expect.stringMatching(/^app\.events\.created_on @24:\d+ mask 'generalize' cannot fit: .*is UNIQUE/),
        expect.stringMatching(/^app\.events\.created_on @24:\d+ mask 'generalize' would rewrite the partition key/),
        expect.stringMatching(/^billing\.invoices\.issued_on @28:\d+ link types cannot match: date vs integer/),
        expect.stringMatching(/^billing\.invoices\.customer_email @30:\d+ mask 'hash' cannot fit: mask hash needs 31 characters but column customer_email \(varchar\(10\)\) holds 10/),
      ]),
    );
    expect(errors).toHaveLength(9);
  });

  it('warns about an identity column without an index', async () => {
    const { doc } = await validateLive();
    expect(doc.warnings.map((w: any) => `${w.system}.${w.table}.${w.column}`)).toEqual(['app.users.phone']);
  });

  it('names an unreachable system, still checks the others, and exits 1 when nothing else is wrong', async () => {
    const okDir = mkdtempSync(path.join(tmpdir(), 'dsar-live-ok-'));
    // Its systems: app, and gone at a closed port with a password in its URL.
    writeFileSync(path.join(okDir, 'datamap.yaml'), datamapFixture('validate-live-unreachable'));
    const { code, doc, stdout } = await validateLive(okDir);
    expect(code).toBe(1);
    expect(doc.unreachable.map((u: any) => u.system)).toEqual(['gone']);
    expect(stdout).not.toContain('s3cret');
    expect(doc.errors).toEqual([]);
  });
});

describe('keys and link targets that are not unique', () => {
  it('a link to a column without a unique constraint, a key without one, and a CSV key that repeats in the data are errors', async () => {
    await execPostgres(
      pgDb.url,
      `CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, address_id int);
       CREATE TABLE tickets (ticket_no int, person_address int, body text);`,
    );
    const liveDir = mkdtempSync(path.join(tmpdir(), 'dsar-live-uniq-'));
    mkdirSync(path.join(liveDir, 'crm'));
    writeFileSync(path.join(liveDir, 'crm', 'list.csv'), 'email,name\nann@example.org,Ann\nann@example.org,Ann Again\nben@example.org,Ben\n');
    // app.people keyed by id, app.tickets keyed by ticket_no and linked to app.people.address_id, crm.list keyed by email.
    writeFileSync(path.join(liveDir, 'datamap.yaml'), datamapFixture('validate-live-not-unique'));
    const { code, doc, stdout } = await validateLive(liveDir);
    expect(code).toBe(2);
    expect(doc.errors.map((e: any) => `${e.system}.${e.table}: ${e.message}`).sort()).toEqual([
      'app.tickets: key (ticket_no) has no primary key or unique constraint in app.tickets: rows sharing it would be exported, erased and swept as one',
      'app.tickets: link target app.people.address_id is not unique (no primary key or unique constraint on it alone): one value would join the rows of several people',
      "crm.list: key (email) is not unique in the data: 2 rows share a value, so one person's request would reach another's rows",
    ]);
    expect(stdout).not.toContain('ann@');
    rmSync(liveDir, { recursive: true, force: true });
  });
});
