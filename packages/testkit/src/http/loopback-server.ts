import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type TrafficCounters, TrafficGauge } from './traffic-gauge';

/** A started fake's address and its shutdown. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Live counters: requests in flight, their high-water mark, connections closed by the client. */
  readonly traffic: TrafficCounters & {
    resetMaxInFlight(): void;
    /** Resolves when no request is in flight. */
    whenIdle(): Promise<void>;
  };
  /** Stops listening and destroys every open connection, hung ones included. */
  close(): Promise<void>;
}

/** How a fake server answers and what happens when its handler throws. */
export interface LoopbackServerOptions {
  /** Port to listen on; default 0 (a free port). Always bound to 127.0.0.1. */
  port?: number | undefined;
  handle(incoming: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Answers a request whose handler threw before sending headers (in the fake's wire format). */
  onHandlerError(response: ServerResponse, error: unknown): void;
  /** Runs first on close, e.g. to cancel the fake's own timers. */
  beforeClose?(): void;
}

/**
 * Starts an HTTP server on 127.0.0.1 for one of the testkit's fakes. It tracks every socket so
 * `close()` also ends connections a `hang` fault keeps open, and never listens beyond loopback.
 *
 * @example
 * ```ts
 * const server = await listenOnLoopback({
 *   handle: async (incoming, response) => response.end('ok'),
 *   onHandlerError: (response) => response.writeHead(500).end(),
 * });
 * await server.close();
 * ```
 */
export async function listenOnLoopback(options: LoopbackServerOptions): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const traffic = new TrafficGauge();
  const server = createServer((incoming, response) => {
    traffic.track(incoming, response);
    options.handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) options.onHandlerError(response, error);
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    traffic,
    close: async () => {
      traffic.stop();
      options.beforeClose?.();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads a request body as UTF-8 text. */
export function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

/** Parses a JSON body; `undefined` when it is empty or not JSON (a fake records what it got). */
export function parseJsonBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
