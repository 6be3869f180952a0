import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { CancellationSignal } from './attempt-cancellation';

/**
 * How to reach a target's OpenAI-compatible Chat Completions endpoint directly (OpenAI, Groq's
 * `/openai/v1`, vLLM, LM Studio, xAI…). A target that has one is served by the gateway's
 * pass-through fast path: the client's body is forwarded (model name rewritten) and the upstream's
 * bytes are relayed as they arrive, without the SDK and without re-encoding every chunk.
 *
 * @example
 * ```ts
 * const target: GatewayTarget = {
 *   model: createOpenAI({ apiKey }).chatModel('gpt-4o-mini'),
 *   passThrough: { baseURL: 'https://api.openai.com/v1', apiKey },
 * };
 * ```
 */
export interface PassThroughUpstream {
  /** The base URL the SDK would use: `${baseURL}/chat/completions` is called. */
  baseURL: string;
  /** Sent as `Authorization: Bearer …`; never logged. */
  apiKey?: string;
  /** Extra headers on every upstream call (organization, project…). */
  headers?: Record<string, string>;
  /** Connections kept open to the upstream. Default 256. */
  connections?: number;
}

/** One upstream answer: the status and headers, then the body as it arrives. */
export interface UpstreamAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Keep-alive connections to one pass-through upstream. */
export interface PassThroughClient {
  /**
   * Sends one Chat Completions body; `signal` (an `AbortSignal`, or the attempt's lighter
   * cancellation) aborts the request and its body.
   */
  send(body: Buffer, signal: CancellationSignal): Promise<UpstreamAnswer>;
  /** The URL called (for error reports; it never holds the key). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A keep-alive `node:http(s)` agent to one upstream, with the headers built once. It skips the
 * Fetch `Request`/`Response` and web-stream objects the SDK path creates for every call, which
 * is most of what a pass-through hop would otherwise cost. (undici's `Pool` was tried first: it
 * yields one event-loop turn before reusing an idle socket, a safety check that costs a sequential
 * request more than the agent's whole client side on loopback.)
 *
 * @example
 * ```ts
 * const client = createPassThroughClient({ baseURL: `${fake.url}/v1`, apiKey });
 * const answer = await client.send(Buffer.from(JSON.stringify(body)), AbortSignal.timeout(5_000));
 * ```
 */
export function createPassThroughClient(upstream: PassThroughUpstream): PassThroughClient {
  const base = new URL(upstream.baseURL);
  const path = `${base.pathname.replace(/\/+$/, '')}/chat/completions`;
  const secure = base.protocol === 'https:';
  const agentOptions = {
    keepAlive: true,
    maxSockets: upstream.connections ?? 256,
    maxFreeSockets: 64,
    scheduling: 'lifo' as const,
  };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const send = secure ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {
    ...upstream.headers,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}),
  };
  const options = {
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port || (secure ? 443 : 80),
    method: 'POST',
    path,
    agent,
  };
  return {
    url: `${base.origin}${path}`,
    send: (body, signal) =>
      new Promise<UpstreamAnswer>((resolve, reject) => {
        const request = send(
          { ...options, headers: { ...headers, 'content-length': String(body.length) } },
          (incoming) => {
            signal.removeEventListener('abort', onAbort);
            // From here on an abort ends the body: the relay sees its error or close.
            const abortBody = () => incoming.destroy(signal.reason as Error);
            signal.addEventListener('abort', abortBody, { once: true });
            incoming.once('close', () => signal.removeEventListener('abort', abortBody));
            resolve({ statusCode: incoming.statusCode ?? 502, headers: incoming.headers, body: incoming });
          },
        );
        const onAbort = () => {
          request.destroy(signal.reason as Error);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        request.once('error', (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        });
        request.end(body);
      }),
    close: async () => agent.destroy(),
  };
}
