// The schema of issue 4's tests, built fresh for one test file: PostgreSQL `app`, MariaDB `billing` and a CSV
// directory `mailchimp`, with its data map (test/fixtures/datamaps/subject-schema.yaml) written into a temp dir
// (its URLs come from process.env).
//
// Mary (mary.smith@example.org, customer 1) is the subject. Around her:
// - address 1 is shared by Mary, Bob (customer 2) and the employee Eve: `owns` must not lead from it to them;
// - payment 500 is Mary's (customer_ref '1', a string, cross-system to app.customers.id integer) but points at Bob's
//   order 12 through an undeclared column: Bob's order must not come along;
// - notes form a thread (self-reference): Mary's note 100 <- reply 101 <- reply 102; note 103 and its reply are Bob's;
// - invoice_lines has a composite key (invoice_no, line_no), linked to orders across systems;
// - customer 3 is a namesake with a similar email (mary.smith@example.org.uk), customer 4 is mary.smith@example.com;
// - the CSV has Mary's email mixed-case and padded, twice, and a ticket whose customer_id is the text "1".
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { datamapFixture } from '../fixtures/datamap-fixture.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from '../helpers/databases.ts';

export interface SubjectSchema {
  dir: string;
  datamap: string;
  app: TestDatabase;
  billing: TestDatabase;
  /** The environment variables that hold the URLs (set in process.env). */
  env: { app: string; billing: string; key: string };
  /** Rewrites the data map (e.g. to point a system elsewhere); returns its path. */
  writeDatamap(text: string): string;
  dispose(): Promise<void>;
}

export const MARY = 'mary.smith@example.org';

const APP_SQL = `
CREATE TABLE addresses (id integer PRIMARY KEY, line1 text NOT NULL, city text, zip text);
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, full_name text, phone text,
  address_id integer REFERENCES addresses(id), referred_by integer REFERENCES customers(id), signed_up_at timestamptz);
CREATE TABLE employees (id integer PRIMARY KEY, name text, address_id integer REFERENCES addresses(id));
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), total numeric(10,2), placed_at timestamptz);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE TABLE notes (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), parent_id integer REFERENCES notes(id), body text);
INSERT INTO addresses VALUES (1, '1 Shared Street', 'Fresno', '93704'), (2, '2 Other Road', 'Leeds', 'LS1'), (3, '3 Elm', 'Oslo', '0150');
INSERT INTO customers VALUES
  (1, 'Mary.Smith@example.org', 'Mary Smith', '+1 (555) 010-0001', 1, NULL, '2021-03-04T05:06:07Z'),
  (2, 'bob@example.org', 'Bob Jones', '+1 555 010 0002', 1, 1, '2022-01-01T00:00:00Z'),
  (3, 'mary.smith@example.org.uk', 'Mary Smith', '+44 20 0000 0003', 2, NULL, '2020-01-01T00:00:00Z'),
  (4, 'mary.smith@example.com', 'Mary Smith', NULL, 3, NULL, '2020-01-01T00:00:00Z');
INSERT INTO employees VALUES (1, 'Eve Employee', 1);
INSERT INTO orders VALUES (10, 1, 19.99, '2023-05-01T10:00:00Z'), (11, 1, 5.00, '2023-06-01T10:00:00Z'),
  (12, 2, 42.00, '2023-07-01T10:00:00Z'), (13, 3, 7.50, '2023-08-01T10:00:00Z');
INSERT INTO notes VALUES (100, 1, NULL, 'Where is my parcel?'), (101, NULL, 100, 'On its way.'), (102, NULL, 101, '=HYPERLINK("http://x")'),
  (103, 2, NULL, 'Bob asks'), (104, NULL, 103, 'Bob answered');
`;

const BILLING_SQL = `
CREATE TABLE payments (id int PRIMARY KEY, customer_ref varchar(20) NOT NULL, order_id int, amount decimal(10,2), paid_at datetime, processor_ref varchar(40), receipt blob);
CREATE INDEX payments_customer ON payments (customer_ref);
CREATE TABLE invoice_lines (invoice_no varchar(20) NOT NULL, line_no int NOT NULL, order_ref int NOT NULL, description text, PRIMARY KEY (invoice_no, line_no));
INSERT INTO payments VALUES (500, '1', 12, 19.99, '2023-05-01 10:01:00', 'ch_mary', X'00FF10'), (501, '2', 12, 42.00, '2023-07-01 10:01:00', 'ch_bob', NULL),
  (502, '3', 13, 7.50, '2023-08-01 10:01:00', 'ch_namesake', NULL);
INSERT INTO invoice_lines VALUES ('INV-1', 1, 10, 'Widget'), ('INV-1', 2, 11, 'Gadget'), ('INV-2', 1, 12, 'Bob widget'), ('INV-3', 1, 13, 'Namesake');
`;

const MEMBERS_CSV = [
  'member_id,email,first_name,list',
  'm1,"  MARY.Smith@Example.ORG ",Mary,newsletter',
  'm2,mary.smith@example.org.uk,Mary,newsletter',
  'm3,Bob@Example.org,Bob,newsletter',
  'm4,Mary.Smith@example.org,Mary,"offers, weekly"',
  'm5,marysmith@example.org,Mary,newsletter',
].join('\r\n') + '\r\n';

const TICKETS_CSV = ['ticket_id,customer_id,subject', 'T1,1,Refund please', 'T2,2,Bob ticket', 'T3,3,Namesake ticket'].join('\n') + '\n';

/** secrets.hmac_key of the schema's map (the state store's subject key is sealed under it). */
export const SUBJECT_SCHEMA_KEY = 'subject-schema-test-key';

export function subjectDatamap(env: { app: string; billing: string; key: string }): string {
  return datamapFixture('subject-schema', env);
}

export async function createSubjectSchema(prefix: string): Promise<SubjectSchema> {
  const [app, billing] = await Promise.all([createPostgresDatabase(prefix), createMysqlDatabase(prefix)]);
  await Promise.all([execPostgres(app.url, APP_SQL), execMysql(billing.url, BILLING_SQL)]);
  const dir = mkdtempSync(path.join(tmpdir(), `dsar-${prefix}-`));
  mkdirSync(path.join(dir, 'mailchimp'));
  writeFileSync(path.join(dir, 'mailchimp', 'members.csv'), MEMBERS_CSV);
  writeFileSync(path.join(dir, 'mailchimp', 'tickets.csv'), TICKETS_CSV);
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const env = { app: `DSAR_T_APP_${tag}`, billing: `DSAR_T_BILLING_${tag}`, key: `DSAR_T_KEY_${tag}` };
  process.env[env.app] = app.url;
  process.env[env.billing] = billing.url;
  process.env[env.key] = SUBJECT_SCHEMA_KEY;
  const writeDatamap = (text: string) => {
    const file = path.join(dir, 'datamap.yaml');
    writeFileSync(file, text);
    return file;
  };
  const datamap = writeDatamap(subjectDatamap(env));
  return {
    dir,
    datamap,
    app,
    billing,
    env,
    writeDatamap,
    async dispose() {
      delete process.env[env.app];
      delete process.env[env.billing];
      delete process.env[env.key];
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([app.drop(), billing.drop()]);
    },
  };
}
