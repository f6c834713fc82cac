// A real database for the tests of one describe block (or file): created and filled by `setupSql` before them,
// with a connector to it; closed and dropped after them.
import { afterAll, beforeAll } from 'vitest';
import { MysqlConnector } from '../../connectors/mysql/engine.ts';
import { PostgresConnector } from '../../connectors/postgres/engine.ts';
import { createMysqlDatabase, createPostgresDatabase, execMysql, execPostgres, type TestDatabase } from './databases.ts';

const ENGINES = {
  postgres: { create: createPostgresDatabase, exec: execPostgres, connector: (system: string, url: string) => new PostgresConnector({ system, kind: 'postgres', url }) },
  mysql: { create: createMysqlDatabase, exec: execMysql, connector: (system: string, url: string) => new MysqlConnector({ system, kind: 'mysql', url }) },
};

type Connectors = { postgres: PostgresConnector; mysql: MysqlConnector };

export interface ConnectedEngine<E extends keyof Connectors> {
  /** Set once the database is ready (in beforeAll). */
  db: TestDatabase;
  connector: Connectors[E];
}

export function connectedEngine<E extends keyof Connectors>(engine: E, options: { prefix: string; system: string; setupSql: string }): ConnectedEngine<E> {
  const connected = {} as ConnectedEngine<E>;
  beforeAll(async () => {
    const { create, exec, connector } = ENGINES[engine];
    connected.db = await create(options.prefix);
    await exec(connected.db.url, options.setupSql);
    connected.connector = connector(options.system, connected.db.url) as Connectors[E];
    await connected.connector.connect();
  });
  afterAll(async () => {
    await connected.connector?.close();
    await connected.db?.drop();
  });
  return connected;
}
