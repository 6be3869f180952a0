import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/** How a {@link TcpFaultProxy} treats traffic right now. */
export type TcpProxyMode = 'forward' | 'refuse' | 'blackhole';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (Redis, PostgreSQL), with switchable faults.
 * It lets a test break one client's connection for real without stopping the server that other
 * test files share.
 *
 * @example
 * ```ts
 * const proxy = await startTcpFaultProxy({ targetPort: 6379 });
 * const state = createRedisSharedState({ url: `redis://127.0.0.1:${proxy.port}` });
 * proxy.setMode('refuse'); // cut: open connections drop, new ones are reset
 * proxy.setMode('forward'); // back
 * await proxy.close();
 * ```
 */
export interface TcpFaultProxy {
  readonly port: number;
  /** Connections accepted since start (reconnects show up here). */
  readonly accepted: number;
  /**
   * `forward` pipes both ways; `refuse` destroys every open connection and resets new ones (a
   * server that went away); `blackhole` keeps connections open but drops every byte both ways (a
   * half-open network path, the case only a command timeout can detect).
   */
  setMode(mode: TcpProxyMode): void;
  /** Resolves once at least `count` connections have been accepted in `forward` mode in total. */
  whenAccepted(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a {@link TcpFaultProxy} to `targetHost:targetPort` (default host 127.0.0.1).
 *
 * @example
 * ```ts
 * const proxy = await startTcpFaultProxy({ targetPort: 6379 });
 * ```
 */
export async function startTcpFaultProxy(options: {
  targetPort: number;
  targetHost?: string;
}): Promise<TcpFaultProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  let mode: TcpProxyMode = 'forward';
  let accepted = 0;
  let forwarded = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const server = createServer((client) => {
    accepted++;
    client.on('error', () => {});
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole') {
      client.on('data', () => {});
      return;
    }
    const upstream = connect({ host: targetHost, port: options.targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    forwarded++;
    for (const waiter of [...waiters])
      if (forwarded >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    setMode(next) {
      mode = next;
      if (next === 'refuse')
        for (const pair of [...pairs]) {
          pair.client.resetAndDestroy();
          pair.upstream?.destroy();
        }
    },
    whenAccepted(count) {
      if (forwarded >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
