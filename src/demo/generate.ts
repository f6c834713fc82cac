// The demo's systems: SQLite "app" and "billing" databases and a Mailchimp CSV export, filled by faker with a fixed
// seed. Shapes follow datamap.yaml; on purpose it also holds one undeclared personal column (app.users.personal_email)
// and one card number (in billing.invoices.memo) for `dsar scan` to find.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Faker, en } from '@faker-js/faker';
import { stringify } from 'csv-stringify/sync';

export interface DemoSubjects {
  /** Exported: has orders, tickets, an invoice and a Mailchimp row written in mixed case with padding. */
  exportEmail: string;
  /** Erased: shares a home address with `sharedWith`. */
  eraseEmail: string;
  sharedWith: string;
  /** Held under a legal hold. */
  heldEmail: string;
  /** Under 13: erased in full. */
  childEmail: string;
}

export interface DemoData {
  users: number;
  subjects: DemoSubjects;
  cardLast4: string;
}

const DAY = 86_400_000;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Creates `<dir>/app.db`, `<dir>/billing.db` and `<dir>/exports/mailchimp/subscribers.csv` afresh. */
export function generateDemoData(dir: string, users = 3000, now = new Date()): DemoData {
  const faker = new Faker({ locale: [en] });
  faker.seed(20261125);
  for (const f of ['app.db', 'billing.db', 'exports']) rmSync(path.join(dir, f), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'exports', 'mailchimp'), { recursive: true });

  const app = new Database(path.join(dir, 'app.db'));
  app.pragma('journal_mode = WAL');
  app.exec(`
    CREATE TABLE addresses (id INTEGER PRIMARY KEY, line1 TEXT NOT NULL, city TEXT, zip TEXT);
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, phone TEXT, birth_date DATE,
      last_ip TEXT, zip TEXT, plan TEXT, last_seen_at DATETIME, address_id INTEGER REFERENCES addresses(id),
      personal_email TEXT);
    CREATE INDEX users_phone ON users (phone);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
      shipping_address_id INTEGER REFERENCES addresses(id), shipping_name TEXT, created_at DATETIME NOT NULL);
    CREATE INDEX orders_user ON orders (user_id);
    CREATE TABLE support_tickets (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
      body TEXT, closed_at DATETIME);
    CREATE INDEX tickets_user ON support_tickets (user_id);
  `);
  const billing = new Database(path.join(dir, 'billing.db'));
  billing.pragma('journal_mode = WAL');
  billing.exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_ref TEXT NOT NULL, amount NUMERIC NOT NULL,
    created_at DATETIME NOT NULL, memo TEXT); CREATE INDEX invoices_customer ON invoices (customer_ref);`);

  const subjects: DemoSubjects = {
    exportEmail: 'mary.smith@example.org',
    eraseEmail: 'john.doe@example.org',
    sharedWith: 'jane.doe@example.org',
    heldEmail: 'lou.held@example.org',
    childEmail: 'timmy.young@example.org',
  };
  const special = [subjects.exportEmail, subjects.eraseEmail, subjects.sharedWith, subjects.heldEmail, subjects.childEmail];
  const addressCount = Math.round(users * 0.8); // some addresses are shared by several people
  const insAddr = app.prepare('INSERT INTO addresses VALUES (?, ?, ?, ?)');
  const insUser = app.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insOrder = app.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
  const insTicket = app.prepare('INSERT INTO support_tickets VALUES (?, ?, ?, ?)');
  const insInvoice = billing.prepare('INSERT INTO invoices VALUES (?, ?, ?, ?, ?)');
  const subscribers: string[][] = [['email', 'full_name', 'status', 'subscribed_at']];
  let orderId = 0;
  let ticketId = 0;
  let invoiceId = 0;
  const cardRow = Math.floor(users / 2);

  app.transaction(() => {
    for (let a = 1; a <= addressCount; a++) insAddr.run(a, faker.location.streetAddress(), faker.location.city(), faker.location.zipCode('#####'));
    for (let id = 1; id <= users; id++) {
      const name = id <= special.length ? ['Mary Smith', 'John Doe', 'Jane Doe', 'Lou Held', 'Timmy Young'][id - 1] : faker.person.fullName();
      const email = id <= special.length ? special[id - 1] : `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${id}@example.com`;
      const addressId = id === 2 || id === 3 ? 1 : 1 + (id % addressCount);
      const birth = id === 5 ? new Date(now.getTime() - 8 * 365 * DAY) : faker.date.birthdate({ min: 18, max: 85, mode: 'age' });
      const lastSeen = new Date(now.getTime() - faker.number.int({ min: 1, max: 5 * 365 }) * DAY);
      insUser.run(id, email, name, faker.phone.number({ style: 'international' }), isoDay(birth), faker.internet.ipv4(),
        faker.location.zipCode('#####'), faker.helpers.arrayElement(['free', 'pro', 'team']), lastSeen.toISOString(),
        addressId, id % 7 === 0 ? faker.internet.email({ provider: 'mail.example.net' }) : null);
      for (let o = 0; o < (id <= special.length ? 3 : faker.number.int({ min: 0, max: 3 })); o++) {
        const created = new Date(now.getTime() - faker.number.int({ min: 1, max: 9 * 365 }) * DAY);
        insOrder.run(++orderId, id, o === 0 ? addressId : 1 + faker.number.int({ min: 0, max: addressCount - 1 }), name, created.toISOString());
        insInvoice.run(++invoiceId, String(id), faker.number.int({ min: 5, max: 500 }), created.toISOString(),
          id === cardRow && o === 0 ? 'paid by phone, card 4111 1111 1111 1111 noted by agent' : null);
      }
      if (id % 3 === 0 || id <= special.length) {
        const closed = new Date(now.getTime() - faker.number.int({ min: 1, max: 4 * 365 }) * DAY);
        insTicket.run(++ticketId, id, faker.lorem.sentence(), closed.toISOString());
      }
      if (id % 2 === 1 || id <= special.length) {
        // Exports from marketing tools are messy: mixed case and stray spaces.
        const shown = id === 1 ? '  Mary.Smith@Example.org ' : email;
        subscribers.push([shown, name, 'subscribed', isoDay(new Date(now.getTime() - faker.number.int({ min: 1, max: 2000 }) * DAY))]);
      }
    }
  })();
  app.close();
  billing.close();
  // Mailchimp writes CRLF line endings and a UTF-8 BOM.
  writeFileSync(path.join(dir, 'exports', 'mailchimp', 'subscribers.csv'), '\ufeff' + stringify(subscribers, { record_delimiter: '\r\n' }));
  return { users, subjects, cardLast4: '1111' };
}
