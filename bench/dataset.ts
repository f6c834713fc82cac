// The benchmark data set, generated inside the database (generate_series / MariaDB's SEQUENCE engine), so that
// building 2,000,000 rows takes seconds and nothing streams through Node.
import pg from 'pg';
import mysql from 'mysql2/promise';

export interface DatasetSize {
  users: number;
  events: number;
}

export const FULL: DatasetSize = { users: 200_000, events: 2_000_000 };

/** created_at runs uniformly over 4 years ending at `end`, in id order: half the events are older than 2 years. */
export const DATASET_END = new Date('2026-11-01T00:00:00Z');
const FOUR_YEARS_S = 4 * 365 * 86400;

export async function buildPostgres(url: string, size: DatasetSize = FULL): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const endS = DATASET_END.getTime() / 1000;
    await c.query(`
      DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS users;
      CREATE TABLE users (id bigint PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, full_name varchar(80),
        zip varchar(10), birth_date date, plan varchar(12), created_at timestamptz NOT NULL);
      CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, email varchar(120), ip varchar(45),
        user_agent varchar(200), created_at timestamptz NOT NULL, payload text);
    `);
    await c.query(
      `INSERT INTO users SELECT g, 'user' || g || '@example.com', 'User ' || g, lpad(((g * 7919) % 99999)::text, 5, '0'),
         date '1950-01-01' + ((g * 37) % 20000), (ARRAY['free','pro','team'])[1 + g % 3],
         to_timestamp(${endS} - ${FOUR_YEARS_S} + g * ${FOUR_YEARS_S / size.users})
       FROM generate_series(1, ${size.users}) g`,
    );
    await c.query(
      `INSERT INTO events SELECT g, 1 + (g * 7) % ${size.users}, 'user' || (1 + (g * 7) % ${size.users}) || '@example.com',
         '10.' || (g % 250) || '.' || ((g / 250) % 250) || '.' || (g % 200),
         'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 bench/' || (g % 1000),
         to_timestamp(${endS} - ${FOUR_YEARS_S} + g * ${FOUR_YEARS_S / size.events}),
         repeat('{"k":' || g || ',"v":"lorem ipsum dolor sit amet"}', 4)
       FROM generate_series(1, ${size.events}) g`,
    );
    await c.query(`CREATE INDEX events_user_id ON events (user_id); CREATE INDEX events_created_at ON events (created_at); ANALYZE users; ANALYZE events;`);
  } finally {
    await c.end();
  }
}

export async function buildMysql(url: string, size: DatasetSize = FULL): Promise<void> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    const endS = DATASET_END.getTime() / 1000;
    await c.query(`
      DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS users;
      CREATE TABLE users (id bigint PRIMARY KEY, email varchar(120) NOT NULL UNIQUE, full_name varchar(80),
        zip varchar(10), birth_date date, plan varchar(12), created_at datetime(3) NOT NULL) ENGINE=InnoDB;
      CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, email varchar(120), ip varchar(45),
        user_agent varchar(200), created_at datetime(3) NOT NULL, payload text) ENGINE=InnoDB;
    `);
    // MariaDB's SEQUENCE engine (seq_1_to_N) generates the rows server-side.
    await c.query(
      `INSERT INTO users SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('User ', seq), LPAD((seq * 7919) % 99999, 5, '0'),
         DATE_ADD('1950-01-01', INTERVAL (seq * 37) % 20000 DAY), ELT(1 + seq % 3, 'free', 'pro', 'team'),
         FROM_UNIXTIME(${endS} - ${FOUR_YEARS_S} + seq * ${FOUR_YEARS_S / size.users})
       FROM seq_1_to_${size.users}`,
    );
    await c.query(
      `INSERT INTO events SELECT seq, 1 + (seq * 7) % ${size.users}, CONCAT('user', 1 + (seq * 7) % ${size.users}, '@example.com'),
         CONCAT('10.', seq % 250, '.', FLOOR(seq / 250) % 250, '.', seq % 200),
         CONCAT('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 bench/', seq % 1000),
         FROM_UNIXTIME(${endS} - ${FOUR_YEARS_S} + seq * ${FOUR_YEARS_S / size.events}),
         REPEAT(CONCAT('{"k":', seq, ',"v":"lorem ipsum dolor sit amet"}'), 4)
       FROM seq_1_to_${size.events}`,
    );
    await c.query(`CREATE INDEX events_user_id ON events (user_id); CREATE INDEX events_created_at ON events (created_at); ANALYZE TABLE users, events;`);
  } finally {
    await c.end();
  }
}
