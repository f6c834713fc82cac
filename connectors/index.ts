// The one place that turns a system's kind into its connector.
import type { Connector, ConnectorConfig } from './connector.ts';
import { FilesConnector } from './files/connector.ts';
import { MysqlConnector } from './mysql/engine.ts';
import { PostgresConnector } from './postgres/engine.ts';
import type { SqlConnectorOptions } from './sql-base.ts';
import { SqliteConnector } from './sqlite/engine.ts';

export type { SqlConnectorOptions };

/** The connector for a declared system (not yet connected: call connect()). */
export function createConnector(config: ConnectorConfig, options?: SqlConnectorOptions): Connector {
  switch (config.kind) {
    case 'postgres':
      return new PostgresConnector(config, options);
    case 'mysql':
      return new MysqlConnector(config, options);
    case 'sqlite':
      return new SqliteConnector(config, options);
    case 'files':
      return new FilesConnector(config);
    default:
      throw new Error(`unknown system kind ${JSON.stringify((config as { kind: unknown }).kind)}`);
  }
}
