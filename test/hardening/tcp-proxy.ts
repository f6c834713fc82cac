// A TCP proxy on 127.0.0.1 between dsar and a real database, that the test can break: drop every connection at
// once (a failover, a network cut), drop them once the client has sent its n-th packet after arming (so the cut
// lands in the middle of a batch's statements, the commit's included), refuse new connections (a system down).
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  /** Destroys every open connection, both sides, now. */
  dropAll(): void;
  /**
   * Arms a cut: the `n`-th packet any client sends from now on is passed to the server, then every connection is
   * destroyed before the answer can come back (whether the statement ran is the server's secret).
   */
  dropAfterClientPackets(n: number, then?: { refuseNew?: boolean }): void;
  /** While true, new connections are accepted and closed at once, as by a server that is not there. */
  refuseNew(on: boolean): void;
  /** Connections dropped so far by dropAll / an armed cut. */
  readonly dropped: number;
  /** Stops listening: the port then has nothing behind it. */
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let armed: number | undefined;
  let refuseAfterCut = false;
  let refusing = false;
  let dropped = 0;

  const dropAll = () => {
    for (const p of pairs) {
      p.client.destroy();
      p.server.destroy();
      dropped++;
    }
    pairs.clear();
  };

  const listener = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const server = net.connect(target);
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end);
    server.on('error', end);
    client.on('close', end);
    server.on('close', end);
    server.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk) => {
      server.write(chunk);
      if (armed !== undefined && --armed <= 0) {
        armed = undefined;
        if (refuseAfterCut) refusing = true;
        // Let the packet reach the server, then cut before its answer is read.
        if (server.writableLength === 0) setImmediate(dropAll);
        else server.once('drain', dropAll);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (listener.address() as net.AddressInfo).port;

  return {
    port,
    url(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    dropAll,
    dropAfterClientPackets(n, then = {}) {
      armed = n;
      refuseAfterCut = then.refuseNew ?? false;
    },
    refuseNew(on) {
      refusing = on;
    },
    get dropped() {
      return dropped;
    },
    close() {
      dropAll();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Host and port of a database URL. */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}
