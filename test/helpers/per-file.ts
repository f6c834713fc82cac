// Setup that lasts as long as the tests around it (a file, or the describe it is called in): made before them,
// removed after them, in the reverse order (vitest runs after-hooks as a stack).
import { afterAll, beforeAll } from 'vitest';
import type { Connector } from '../../connectors/connector.ts';
import { SERVERS, type TestDatabase } from './databases.ts';

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
    db = await SERVERS[engine].create(prefix);
    if (setupSql) await SERVERS[engine].exec(db.url, setupSql);
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
  return madeDuring('the connector', async () => {
    const c = make();
    await c.connect();
    return c;
  }, (c) => c.close());
}

/**
 * What `make` gives, made before the tests and disposed of after them. The stand-in returned forwards to it, so a
 * file can hold it in a const; touching it while the tests are being defined is an error that says so.
 */
export function madeDuring<T extends object>(what: string, make: () => T | Promise<T>, dispose: (made: T) => unknown): T {
  let made: T | undefined;
  beforeAll(async () => {
    made = await make();
  });
  afterAll(async () => {
    if (made) await dispose(made);
  });
  return new Proxy({} as T, {
    get(_, name) {
      const target = made ?? fail(`${what} is made before the tests, not while they are defined`);
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function fail(message: string): never {
  throw new Error(message);
}
