// Values leave as they are stored: an export's dates and times are the same whatever the host's TZ, and the same
// from every engine (a `timestamp without time zone` once moved by 8 hours under TZ=America/Los_Angeles).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFourEngines, type FourEngines } from '../helpers/four-engines.ts';
import { runDsar } from '../hardening/support/dsar-process.ts';

const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata'];
const EXPECTED = [{ id: 1, email: 'ann@example.org', seen_at: '2023-05-01T10:00:00.000Z', born_on: '1990-01-31T00:00:00.000Z' }];

let world: FourEngines;

beforeAll(async () => {
  world = await createFourEngines('tz', {
    create: {
      pg: 'CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, seen_at timestamp without time zone, born_on date)',
      my: 'CREATE TABLE people (id int PRIMARY KEY, email varchar(80) NOT NULL, seen_at datetime, born_on date)',
      lite: 'CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL, seen_at datetime, born_on date)',
    },
    values: `(1, 'ann@example.org', '2023-05-01 10:00:00', '1990-01-31')`,
    csv: 'id,email,seen_at,born_on\n1,ann@example.org,2023-05-01 10:00:00,1990-01-31\n',
    table: `    key: id
    identify: { email: email }
    fields:
      email: { category: contact.email, mask: hash }
      seen_at: { category: account.activity, mask: keep }
      born_on: { category: identity.birthdate, mask: generalize }
`,
  });
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

let runs = 0;

async function exportUnder(tz: string): Promise<Record<string, unknown>> {
  const ticket = `TZ-${++runs}`;
  const dir = world.dir;
  const run = await runDsar(['--datamap', world.map, '--log-level', 'silent', 'export', 'ann@example.org', '--ticket', ticket, '--out', path.join(dir, 'out')], {
    cwd: dir,
    env: { ...process.env, TZ: tz, ...world.env, DSAR_STATE_DIR: dir },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const read = (system: string) => JSON.parse(readFileSync(path.join(dir, 'out', ticket, 'data', system, 'people.json'), 'utf8'));
  return { pg: read('pg'), my: read('my'), lite: read('lite'), crm: read('crm') };
}

describe('an export under different host time zones', () => {
  test.each(ZONES)('TZ=%s: PostgreSQL and MariaDB give the stored wall time, as UTC, alike', async (tz) => {
    const data = await exportUnder(tz);
    expect(data.pg).toEqual(EXPECTED);
    expect(data.my).toEqual(EXPECTED);
  });

  test('SQLite and CSV text dates leave as written, under every zone', async () => {
    const [utc, la] = [await exportUnder('UTC'), await exportUnder('America/Los_Angeles')];
    expect(utc.lite).toEqual([{ id: 1, email: 'ann@example.org', seen_at: '2023-05-01 10:00:00', born_on: '1990-01-31' }]);
    expect(utc.crm).toEqual([{ id: '1', email: 'ann@example.org', seen_at: '2023-05-01 10:00:00', born_on: '1990-01-31' }]);
    expect([la.lite, la.crm]).toEqual([utc.lite, utc.crm]);
  });
});
