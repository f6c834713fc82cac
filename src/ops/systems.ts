// Opens the data map's systems. An unreachable system is reported by name and the others go on.
import { createConnector } from '../../connectors/index.ts';
import type { Connector } from '../../connectors/connector.ts';
import type { DataMap } from '../datamap/types.ts';
import { SystemError, UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface OpenSystems {
  connectors: Map<string, Connector>;
  /** Systems that could not be opened, with the (password-free) reason. */
  unreachable: SystemError[];
  closeAll(): Promise<void>;
}

/** Builds a connector for one system; a missing `env:` URL is bad configuration (exit 2). */
export function connectorFor(map: DataMap, name: string): Connector {
  const sys = map.systems[name];
  if (!sys) throw new UsageError(`unknown system '${name}' (declared: ${Object.keys(map.systems).join(', ')})`);
  let url: string | undefined;
  if (sys.url) {
    url = sys.url.resolve();
    if (!url) throw new UsageError(`systems.${name}.url: ${sys.url.ref} is not set (${sys.loc.file}:${sys.url.loc.line}:${sys.url.loc.column})`);
  }
  return createConnector({ system: name, kind: sys.kind, url, path: sys.path, format: sys.format });
}

/**
 * Connects to the named systems (default: all) in parallel. Configuration problems throw before anything is opened;
 * connection failures are collected in `unreachable` so the caller can go on with the others and exit 1.
 */
export async function openSystems(map: DataMap, log: Logger, names: string[] = Object.keys(map.systems)): Promise<OpenSystems> {
  const built = names.map((n) => [n, connectorFor(map, n)] as const);
  const connectors = new Map<string, Connector>();
  const unreachable: SystemError[] = [];
  await Promise.all(
    built.map(async ([name, c]) => {
      try {
        await c.connect();
        connectors.set(name, c);
      } catch (err) {
        const e = err instanceof SystemError ? err : new SystemError(name, undefined, err instanceof Error ? err.message : String(err), err);
        log.error({ system: name, err: e.message }, 'system unreachable');
        unreachable.push(e);
        await c.close().catch(() => {});
      }
    }),
  );
  return {
    connectors,
    unreachable,
    async closeAll() {
      await Promise.all([...connectors.values()].map((c) => c.close().catch(() => {})));
    },
  };
}
