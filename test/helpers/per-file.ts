// Setup that lasts as long as the tests around it (a file, or the describe it is called in): made before them,
// removed after them, in the reverse order (vitest runs after-hooks as a stack).
import { afterAll, beforeAll } from 'vitest';
import type { Connector } from '../../connectors/connector.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from './databases.ts';

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * A fresh, uniquely named PostgreSQL or MariaDB database with `setupSql` run in it, made before the tests and
 * dropped after them. Its url and name are there once the tests run.
 */
export function freshDatabase(engine: 'postgres' | 'mysql', prefix: string, setupSql?: string): Pick<TestDatabase, 'url' | 'name'> {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await (engine === 'postgres' ? createPostgresDatabase : createMysqlDatabase)(prefix);
    if (setupSql) await (engine === 'postgres' ? execPostgres : execMysql)(db.url, setupSql);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const made = (): TestDatabase => db ?? fail(`the ${engine} database '${prefix}' is made before the tests, not while they are defined`);
  return {
    get url() {
      return made().url;
    },
    get name() {
      return made().name;
    },
  };
}

/** The connector `make` gives, connected before the tests and closed after them. */
export function connectedDuring<C extends Connector>(make: () => C): C {
  let c: C | undefined;
  beforeAll(async () => {
    c = make();
    await c.connect();
  });
  afterAll(async () => {
    await c?.close();
  });
  return new Proxy({} as C, {
    get(_, name) {
      const connected = c ?? fail('the connector is connected before the tests, not while they are defined');
      const value = Reflect.get(connected, name, connected);
      return typeof value === 'function' ? value.bind(connected) : value;
    },
  });
}

function fail(message: string): never {
  throw new Error(message);
}
