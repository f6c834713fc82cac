// Expired and young rows in four systems, for retention sweeps run in many small batches: PostgreSQL `app` (events
// anonymized in process by hash, with a BEFORE UPDATE trigger counting updates, so an update done twice shows;
// sessions deleted), MariaDB `billing` (invoices anonymized by hash and redact; logins deleted), SQLite `crm`
// (tickets deleted, notes anonymized) and a CSV `mailchimp/members.csv` (lapsed members anonymized: hash, fake).
// Every date is fixed and sweeps run `--as-of AS_OF`, so two copies swept apart end byte for byte the same.
// In each table young rows sit between expired ones in key order (every third row), as in a live table.
//
// `reset(dir)` writes a fresh copy: the SQL databases are recreated in place, the SQLite file, CSV and data map go
// into `dir` (whose `.dsar/` is the run's own state store).
import { datamapFixture } from '../../fixtures/datamap-fixture.ts';
import { createWorld, type World } from './four-systems.ts';

export const AS_OF = '2025-06-01';
export const HMAC_KEY = 'sweep-crash-hmac-key-0123456789abcdef';
/** Rows per table (a third of them young). */
export const ROWS = 1200;

/** Row `g` (1-based) is young when g % 3 === 0: dated after AS_OF minus any keep below; else years before. */
const APP_SQL = `
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS sessions;
DROP FUNCTION IF EXISTS bump_revision;
CREATE TABLE events (id integer PRIMARY KEY, email varchar(120), note text, created_at timestamptz NOT NULL,
  revision integer NOT NULL DEFAULT 0);
CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.revision := OLD.revision + 1; RETURN NEW; END $$;
CREATE TRIGGER events_revision BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION bump_revision();
INSERT INTO events (id, email, note, created_at)
  SELECT g * 2, 'user' || g || '@example.org', 'note ' || g,
    CASE WHEN g % 3 = 0 THEN timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute'
         ELSE timestamptz '2018-01-01 00:00:00+00' + g * interval '1 hour' END
  FROM generate_series(1, ${ROWS}) g;
CREATE TABLE sessions (id integer PRIMARY KEY, user_agent text, ip varchar(45), started_at timestamp NOT NULL);
INSERT INTO sessions SELECT g, 'Agent/' || g, '10.0.' || (g % 250) || '.' || (g % 200),
    CASE WHEN g % 3 = 0 THEN timestamp '2025-05-01' ELSE timestamp '2023-01-01' + g * interval '1 hour' END
  FROM generate_series(1, ${ROWS}) g;
`;

function billingSql(): string {
  const invoices: string[] = [];
  const logins: string[] = [];
  for (let g = 1; g <= ROWS; g++) {
    const young = g % 3 === 0;
    invoices.push(`(${g}, 'Holder ${g}', 'ch_${g}', '${young ? '2024-02-02 10:00:00' : '2015-03-03 10:00:00'}')`);
    logins.push(`(${g}, '192.168.${g % 250}.${g % 200}', '${young ? '2025-05-20 08:00:00' : '2022-01-01 08:00:00'}')`);
  }
  return `
DROP TABLE IF EXISTS invoices;
DROP TABLE IF EXISTS logins;
CREATE TABLE invoices (id int PRIMARY KEY, card_holder varchar(64), processor_ref varchar(80) UNIQUE, issued_at datetime NOT NULL);
CREATE TABLE logins (id int PRIMARY KEY, ip varchar(45), at datetime NOT NULL);
INSERT INTO invoices VALUES ${invoices.join(', ')};
INSERT INTO logins VALUES ${logins.join(', ')};
`;
}

function crmSql(): string {
  const tickets: string[] = [];
  const notes: string[] = [];
  for (let g = 1; g <= ROWS; g++) {
    const young = g % 3 === 0;
    tickets.push(`(${g}, 'user${g}@example.org', 'Ticket body ${g}', '${young ? '2025-04-01' : '2020-04-01'}')`);
    notes.push(`(${g}, 'Note ${g} about someone', '${young ? '2025-03-01T10:00:00Z' : '2019-03-01T10:00:00Z'}')`);
  }
  return `
CREATE TABLE tickets (id INTEGER PRIMARY KEY, email TEXT, body TEXT, closed_at TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT, written_at TEXT);
INSERT INTO tickets VALUES ${tickets.join(', ')};
INSERT INTO notes VALUES ${notes.join(', ')};
`;
}

export const MEMBERS_CSV =
  [
    'member_id,email,first_name,lapsed_at',
    ...Array.from({ length: ROWS }, (_, i) => {
      const g = i + 1;
      return `m${g},member${g}@example.net,${g % 7 === 0 ? '"Name, with comma"' : `Name${g}`},${g % 3 === 0 ? '2025-05-05' : '2021-05-05'}`;
    }),
  ].join('\r\n') + '\r\n';

export { membersFile, uninterruptedRun, type Snapshot } from './four-systems.ts';
export type SweepWorld = World;

/** The world, its data map test/fixtures/datamaps/crash-sweep.yaml. */
export function createSweepWorld(prefix: string): Promise<SweepWorld> {
  const tables = { app: ['events', 'sessions'], billing: ['invoices', 'logins'], crm: ['tickets', 'notes'] };
  return createWorld(prefix, { appSql: APP_SQL, billingSql, crmSql, membersCsv: MEMBERS_CSV, tables, datamap: datamapFixture('crash-sweep'), envPrefix: 'SWEEP', hmacKey: HMAC_KEY });
}
