import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorResponse } from './http-error';
import type { FetchHandler } from './router';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Bodies above this are refused with 413 before the handler runs. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Origin used to build `request.url` when the request has no Host header. */
  origin?: string;
  /** Called with anything the handler or the response stream throws (never with secrets of ours). */
  onError?: (error: unknown) => void;
  /**
   * Serves some requests straight on `node:http`, before any Fetch `Request` is built (the
   * gateway's `nodeHandler`: its `/v1/chat/completions` fast path). It still gets
   * the graceful shutdown and the client-disconnect signal; it returns `false` for requests the
   * Fetch handler should serve.
   */
  nodeHandler?: NodeRequestHandler;
}

/**
 * A request handler on `node:http` objects that may take a request before the Fetch handler.
 * `signal` aborts when the client disconnects or the server's shutdown gives up waiting;
 * `fallback(body)` hands a request whose body it has already read to the Fetch handler.
 * Returns `false` (synchronously, having touched nothing) to let the Fetch handler serve it.
 */
export type NodeRequestHandler = (
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  signal: AbortSignal,
  fallback: (body: Buffer) => Promise<void>,
) => boolean;

/** Options of {@link serveNode}. */
export interface ServeNodeOptions extends NodeListenerOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default `127.0.0.1`. Use `0.0.0.0` to listen on every interface. */
  host?: string;
  /** How long {@link NodeServer.close} waits for in-flight requests and streams. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * How long a client has to send a whole request (headers and body), in ms; a request still
   * arriving then is answered 408 and its connection closed. Default 30 000 (Node's own is
   * 300 000: a client that declares a longer body than it sends would hold a connection for five
   * minutes). Headers alone get at most 60 000 of it. Responses, streams included, are not limited.
   */
  requestTimeoutMs?: number;
}

/** A running `node:http` server from {@link serveNode}. */
export interface NodeServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Requests whose response has not ended yet (streams included). */
  inFlight(): number;
  /**
   * Graceful shutdown: stop accepting, answer new requests on open connections with 503, let
   * in-flight requests and streams finish for up to `timeoutMs`, then cancel what is left
   * (which aborts their upstream calls) and close every connection.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

interface Tracker {
  inFlight: Set<AbortController>;
  draining: boolean;
  idle: Array<() => void>;
}

/**
 * Adapts a Fetch handler to a `node:http` listener (`(req, res) => void`), which is also what
 * Express and Fastify (`reply.hijack()`) accept. It streams response bodies with back-pressure and
 * turns a client disconnect into an abort of `request.signal`, so the handler can cancel its
 * upstream call.
 *
 * @example
 * ```ts
 * // Express
 * app.all(['/v1/*splat', '/api/*splat', '/healthz', '/metrics'], toNodeListener(gateway.fetch));
 * ```
 */
export function toNodeListener(
  handler: FetchHandler,
  options: NodeListenerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  return createListener(handler, options, { inFlight: new Set(), draining: false, idle: [] });
}

function createListener(handler: FetchHandler, options: NodeListenerOptions, tracker: Tracker) {
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1_048_576;
  const onError = options.onError ?? (() => {});
  return (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    if (tracker.draining) {
      outgoing.shouldKeepAlive = false;
      void writeResponse(
        errorResponse(503, 'shutting_down', 'The server is shutting down', { connection: 'close' }),
        outgoing,
        undefined,
        onError,
      );
      return;
    }
    const controller = new AbortController();
    tracker.inFlight.add(controller);
    const done = () => {
      tracker.inFlight.delete(controller);
      if (tracker.inFlight.size === 0) for (const resolve of tracker.idle.splice(0)) resolve();
    };
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) controller.abort(new Error('client disconnected'));
      done();
    });
    if (
      options.nodeHandler?.(incoming, outgoing, controller.signal, (body) =>
        handle(handler, incoming, outgoing, controller, maxBodyBytes, options.origin, onError, body),
      )
    )
      return;
    void handle(handler, incoming, outgoing, controller, maxBodyBytes, options.origin, onError);
  };
}

async function handle(
  handler: FetchHandler,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  controller: AbortController,
  maxBodyBytes: number,
  origin: string | undefined,
  onError: (error: unknown) => void,
  body?: Buffer,
): Promise<void> {
  let response: Response;
  try {
    const request = await toRequest(incoming, controller.signal, maxBodyBytes, origin, body);
    if (request instanceof Response) response = request;
    else response = await handler(request);
  } catch (error) {
    if (controller.signal.aborted) return;
    onError(error);
    response = errorResponse(500, 'internal_error', 'Internal server error');
  }
  await writeResponse(response, outgoing, controller.signal, onError);
}

const forbiddenMethods = new Set(['CONNECT', 'TRACE', 'TRACK']);

async function toRequest(
  incoming: IncomingMessage,
  signal: AbortSignal,
  maxBodyBytes: number,
  origin: string | undefined,
  read?: Buffer,
): Promise<Request | Response> {
  const method = incoming.method ?? 'GET';
  // The Fetch API throws on these methods (`new Request` is a TypeError): answer, don't 500.
  if (forbiddenMethods.has(method.toUpperCase())) {
    incoming.resume();
    return errorResponse(405, 'method_not_allowed', `The ${method} method is not supported`);
  }
  const raw = incoming.rawHeaders;
  const headers = new Headers();
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!;
    // HTTP/2 pseudo-headers and hop-by-hop fields are not Fetch headers.
    if (name.charCodeAt(0) === 58) continue;
    headers.append(name, raw[index + 1]!);
  }
  const host = incoming.headers.host;
  const path = (incoming as IncomingMessage & { originalUrl?: string }).originalUrl ?? incoming.url ?? '/';
  const base = host ? `http://${host}` : (origin ?? 'http://localhost');
  let url: string;
  try {
    url = new URL(path, base).href;
  } catch {
    return errorResponse(400, 'bad_request', 'Malformed request URL');
  }
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers, signal });
  // A body a node handler has already read (and size-checked against its own limit).
  if (read)
    return new Request(url, {
      method,
      headers,
      signal,
      body: read.length === 0 ? null : (read as Uint8Array<ArrayBuffer>),
    });
  const declared = Number(incoming.headers['content-length']);
  if (declared > maxBodyBytes) {
    incoming.resume();
    return errorResponse(413, 'payload_too_large', `The request body is larger than ${maxBodyBytes} bytes`, {
      connection: 'close',
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      tooLarge = true;
      break;
    }
    chunks.push(chunk);
  }
  if (tooLarge)
    return errorResponse(413, 'payload_too_large', `The request body is larger than ${maxBodyBytes} bytes`, {
      connection: 'close',
    });
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  return new Request(url, {
    method,
    headers,
    signal,
    body: size === 0 ? null : (body as Uint8Array<ArrayBuffer>),
  });
}

async function writeResponse(
  response: Response,
  outgoing: ServerResponse,
  signal: AbortSignal | undefined,
  onError: (error: unknown) => void,
): Promise<void> {
  if (outgoing.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  outgoing.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== 'set-cookie') outgoing.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) outgoing.setHeader('set-cookie', cookies);
  if (!response.body || outgoing.req?.method === 'HEAD') {
    await response.body?.cancel().catch(() => {});
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) outgoing.flushHeaders();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) {
        cancel();
        return;
      }
      if (!outgoing.write(value)) {
        await new Promise<void>((resolve) => {
          const resume = () => {
            outgoing.off('drain', resume);
            outgoing.off('close', resume);
            resolve();
          };
          outgoing.on('drain', resume);
          outgoing.on('close', resume);
        });
      }
    }
    outgoing.end();
  } catch (error) {
    if (!signal?.aborted) onError(error);
    outgoing.destroy();
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/**
 * A request `node:http` could not parse (an unknown method such as TRACK, a malformed header,
 * headers over the limit, a request that took too long to arrive) gets the same JSON error body
 * as every other error, instead of Node's bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive']
        : [400, 'Bad Request', 'The request is not valid HTTP (method, URL or headers)'];
  const body = JSON.stringify({ error: { code: 'bad_request', message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The longest delay `setTimeout` takes: Node's request deadlines are timers. */
const maxTimerMs = 2_147_483_647;

/**
 * `node:http`'s request deadlines for a `requestTimeoutMs`. Node checks them every
 * `connectionsCheckingInterval` (30 s by default), which would let a short deadline run up to
 * 30 s late: the check runs four times per deadline, at most every 30 s.
 */
function requestDeadlines(requestTimeoutMs = 30_000) {
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1 || requestTimeoutMs > maxTimerMs)
    throw new RangeError(
      `requestTimeoutMs must be a whole number of milliseconds from 1 to ${maxTimerMs}, got ${requestTimeoutMs}`,
    );
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.max(1, Math.min(30_000, Math.floor(requestTimeoutMs / 4))),
  };
}

/**
 * Serves a Fetch handler on `node:http`, with streaming, client-disconnect cancellation and a
 * graceful, draining shutdown. Port 0 picks a free port (read it from `port` / `url`).
 *
 * @example
 * ```ts
 * const server = await serveNode(gateway.fetch, { port: 8080, host: '0.0.0.0' });
 * console.log(`listening on ${server.url}`);
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function serveNode(handler: FetchHandler, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const tracker: Tracker = { inFlight: new Set(), draining: false, idle: [] };
  const server = createServer(
    { keepAliveTimeout: 5_000, ...requestDeadlines(options.requestTimeoutMs) },
    createListener(handler, options, tracker),
  );
  server.on('clientError', answerClientError);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${shownHost}:${port}`,
    port,
    host,
    inFlight: () => tracker.inFlight.size,
    close(closeOptions = {}) {
      closing ??= (async () => {
        tracker.draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (tracker.inFlight.size > 0) {
          const timeoutMs = closeOptions.timeoutMs ?? options.shutdownTimeoutMs ?? 10_000;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => tracker.idle.push(resolve)),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, timeoutMs);
            }),
          ]);
          clearTimeout(timer);
          for (const controller of tracker.inFlight) controller.abort(new Error('server shutting down'));
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
