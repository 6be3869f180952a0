import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendBounded } from '../http/bounded-log';
import { listenOnLoopback, parseJsonBody, readBody } from '../http/loopback-server';
import { dropConnection } from '../http/traffic-gauge';
import type { WireDialect } from './dialect';
import type { ReceivedRequest, Responder, ScriptedReply, ScriptedUsage } from './scripted-reply';

/** Options shared by every fake LLM server. */
export interface FakeLlmServerOptions {
  /** When set, requests without this key get the provider's 401. */
  apiKey?: string;
  /** Answers used when the queue is empty. Default: `{ text: 'OK' }`. */
  responder?: Responder;
  /** Port to listen on; default 0 (a free port). Always bound to 127.0.0.1. */
  port?: number;
  /** Requests kept in `requests` (the newest; older ones are dropped). Default 1000. */
  requestLogSize?: number;
}

/**
 * A fake LLM provider on 127.0.0.1 speaking one real wire format. Script answers with
 * `enqueue`, inspect what the client sent in `requests`, and `close()` when done.
 */
export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /**
   * The newest requests received (at most `requestLogSize`, default 1000), oldest first. Clearing
   * it (`requests.length = 0`) is fine; `requestsReceived` keeps counting.
   */
  readonly requests: ReceivedRequest[];
  /** Requests received since start, including those the log no longer holds. */
  readonly requestsReceived: number;
  /** Requests whose response has not finished yet (hung, delayed and streaming ones included). */
  readonly inFlight: number;
  /** Highest `inFlight` since start or the last `resetMaxInFlight()`. */
  readonly maxInFlight: number;
  /** Requests whose connection the client closed before the response finished (aborts, timeouts). */
  readonly closedByClient: number;
  /** Starts a new `maxInFlight` high-water mark from the current `inFlight`. */
  resetMaxInFlight(): void;
  /** Resolves when `inFlight` is 0 (at once if it is). */
  whenIdle(): Promise<void>;
  /** Adds replies answered in order, one per chat request. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Replaces the responder used when the queue is empty. */
  setResponder(responder: Responder): void;
  /** Number of queued replies not yet used. */
  pending(): number;
  /** Stops listening and destroys every open connection (including hung ones). */
  close(): Promise<void>;
}

/** Starts a fake server for one dialect. Used by `startFakeOpenAI`, `startFakeAnthropic`, `startFakeOllama`. */
export async function startFakeLlmServer(
  dialect: WireDialect,
  options: FakeLlmServerOptions = {},
): Promise<FakeLlmServer> {
  const queue: ScriptedReply[] = [];
  const requests: ReceivedRequest[] = [];
  const requestLogSize = options.requestLogSize ?? 1000;
  const timers = new Set<NodeJS.Timeout>();
  let responder: Responder = options.responder ?? (() => ({ text: 'OK' }));
  let closing = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(incoming);
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    const request: ReceivedRequest = {
      method: incoming.method ?? 'GET',
      path,
      headers: incoming.headers,
      body: parseJsonBody(raw),
      receivedAt: Date.now(),
    };
    appendBounded(requests, request, requestLogSize);

    if (!dialect.isChatPath(request.method, path)) {
      const other = dialect.answerOther?.(request.method, path, request.body);
      if (other === undefined)
        return sendJson(response, 404, dialect.renderError(404, `No route ${path}`, undefined).body);
      return sendJson(response, 200, other);
    }
    if (!dialect.isAuthorized(request.headers, options.apiKey)) {
      const error = dialect.renderError(401, 'Invalid API key provided', 'invalid_api_key');
      return sendJson(response, 401, error.body, error.headers);
    }

    const reply = queue.shift() ?? responder(request);
    const fault = reply.fault;
    const usage = reply.usage ?? estimateUsage(request, reply);

    if (fault?.type === 'delay') await wait(fault.ms);
    if (fault?.type === 'hold') await fault.until.catch(() => {});
    if (closing) return;
    if (fault?.type === 'hang') return; // keep the socket open; close() destroys it
    if (fault?.type === 'reset') {
      dropConnection(incoming);
      return;
    }
    if (fault?.type === 'status') {
      const rendered = dialect.renderError(fault.status, fault.message, fault.code);
      const headers = {
        ...rendered.headers,
        ...fault.headers,
        ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
      };
      return sendJson(response, fault.status, fault.body ?? rendered.body, headers);
    }

    if (dialect.wantsStream(request.body)) {
      const { contentType, frames } = dialect.renderStream(reply, request, usage);
      const limit =
        fault?.type === 'cut-stream' || fault?.type === 'end-stream-early'
          ? Math.min(fault.afterChunks, frames.length)
          : frames.length;
      response.writeHead(200, {
        'content-type': contentType,
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      if (fault?.type === 'malformed-json') {
        response.write(frames[0] ?? '');
        response.end(dialect.malformedFrame);
        return;
      }
      for (let index = 0; index < limit; index++) {
        if (closing || response.destroyed) return;
        response.write(frames[index]);
        if (reply.chunkDelayMs) await wait(reply.chunkDelayMs);
      }
      if (fault?.type === 'cut-stream') {
        // Let the written frames reach the client before the connection drops.
        await wait(5);
        dropConnection(incoming);
        return;
      }
      response.end();
      return;
    }

    const body = JSON.stringify(dialect.renderResponse(reply, request, usage));
    if (fault?.type === 'malformed-json')
      return sendRaw(response, 200, `${body.slice(0, Math.floor(body.length / 2))}`);
    if (fault?.type === 'cut-stream' || fault?.type === 'end-stream-early') {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      response.write(body.slice(0, Math.floor(body.length / 2)));
      await wait(5);
      dropConnection(incoming);
      return;
    }
    sendRaw(response, 200, body);
  };

  const server = await listenOnLoopback({
    port: options.port,
    handle,
    onHandlerError: (response, error) => sendJson(response, 500, { error: { message: String(error) } }),
    beforeClose: () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  });
  const { port, traffic } = server;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get requestsReceived() {
      return traffic.received;
    },
    get inFlight() {
      return traffic.inFlight;
    },
    get maxInFlight() {
      return traffic.maxInFlight;
    },
    get closedByClient() {
      return traffic.closedByClient;
    },
    resetMaxInFlight: () => traffic.resetMaxInFlight(),
    whenIdle: () => traffic.whenIdle(),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setResponder: (next) => {
      responder = next;
    },
    pending: () => queue.length,
    close: () => server.close(),
  };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  sendRaw(response, status, JSON.stringify(body), headers);
}

function sendRaw(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

/** A plausible token count: about four characters per token, as providers' tokenizers average. */
function estimateUsage(request: ReceivedRequest, reply: ScriptedReply): ScriptedUsage {
  const input = JSON.stringify((request.body as { messages?: unknown } | undefined)?.messages ?? '').length;
  const output = (reply.text ?? '').length + JSON.stringify(reply.toolCalls ?? []).length;
  return { inputTokens: Math.max(1, Math.ceil(input / 4)), outputTokens: Math.max(1, Math.ceil(output / 4)) };
}
