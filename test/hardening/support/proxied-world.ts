// A world's two SQL systems behind TCP proxies (test/hardening/tcp-proxy.ts) that a test can cut or refuse: for
// runs that lose their database in the middle, or never reach it.
import { runDsar, type DsarRun, type SpawnOptions } from './dsar-process.ts';
import type { Snapshot, World } from './four-systems.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../tcp-proxy.ts';

export interface Proxies {
  app: TcpProxy;
  billing: TcpProxy;
  /** The proxy in front of `system`. */
  of(system: string): TcpProxy;
  /** The world's environment with both SQL systems reached through the proxies, plus `extra`. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /**
   * On a fresh copy (snapshot `before`), runs dsar with `args` through the proxies while the proxy of `system`
   * accepts and hangs up at once: a port with no database behind it.
   */
  runWithSystemDown(system: string, args: string[]): Promise<{ dir: string; before: Snapshot; proxy: TcpProxy; run: DsarRun }>;
  close(): Promise<void>;
}

/** The SQL systems a proxy stands in front of, as `[engine, system]` for test.each. */
export const PROXIED_SYSTEMS = [
  ['PostgreSQL', 'app'],
  ['MariaDB', 'billing'],
] as const;

export async function startProxies(world: World): Promise<Proxies> {
  const [app, billing] = await Promise.all([startTcpProxy(targetOf(world.app.url)), startTcpProxy(targetOf(world.billing.url))]);
  const proxies: Proxies = {
    app,
    billing,
    of: (system) => (system === 'app' ? app : billing),
    env: (extra = {}) => ({ ...world.env({ app: app.url(world.app.url), billing: billing.url(world.billing.url) }), ...extra }),
    async runWithSystemDown(system, args) {
      const dir = await world.freshCopy();
      const before = await world.snapshot(dir);
      const proxy = proxies.of(system);
      proxy.refuseNew(true);
      try {
        return { dir, before, proxy, run: await runDsar(args, { cwd: dir, env: proxies.env() }) };
      } finally {
        proxy.refuseNew(false);
      }
    },
    close: async () => void (await Promise.all([app.close(), billing.close()])),
  };
  return proxies;
}

/**
 * Runs dsar; once `armWhen()` first holds, `proxy` cuts every connection after the next `packets` packets the tool
 * sends, and with `down` refuses new ones for the rest of the run. The proxy accepts connections again after.
 */
export async function runWithCut(args: string[], o: SpawnOptions & { proxy: TcpProxy; armWhen: () => boolean; packets: number; down: boolean }): Promise<DsarRun> {
  const { proxy, armWhen, packets, down, ...spawn } = o;
  let armed = false;
  const run = await runDsar(args, {
    ...spawn,
    killWhen: () => {
      if (!armed && armWhen()) {
        armed = true;
        proxy.dropAfterClientPackets(packets, { refuseNew: down });
      }
      return false;
    },
  });
  proxy.refuseNew(false);
  return run;
}
