import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The loopback port clients connect to (the same before and after a cut). */
  readonly port: number;
  /** `host:port` of the proxy, for a broker list or a URL. */
  readonly address: string;
  /** An outage as the clients see it: open connections are reset and new ones refused, until restore(). */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  readonly isCut: boolean;
  /** Connections accepted so far (a client that never came through the proxy shows 0). */
  readonly accepted: number;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** The port to listen on; default: a free one. */
  readonly port?: number;
}

/**
 * A TCP forwarder on 127.0.0.1 in front of a real dependency (PostgreSQL, Redis, the registry, a
 * broker whose advertised address is this proxy). Cutting it is a real outage from the client's
 * point of view: resets, then refused connections, then the dependency answering again.
 */
export async function startTcpProxy(target: { readonly host: string; readonly port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = options.port ?? 0;
  let accepted = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        accepted += 1;
        const upstream = createConnection({ host: target.host, port: target.port });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          // Either side failing ends both: the client sees what a dead dependency does.
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = undefined;
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      if (!current) {
        resolve();
        return;
      }
      current.close(() => resolve());
    });

  await listen();
  return {
    get port() {
      return port;
    },
    get address() {
      return `127.0.0.1:${port}`;
    },
    get isCut() {
      return server === undefined;
    },
    get accepted() {
      return accepted;
    },
    cut: stopListening,
    async restore() {
      if (server) return;
      await listen();
    },
    close: stopListening,
  };
}
