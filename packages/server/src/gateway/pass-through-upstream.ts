import { type Dispatcher, Pool } from 'undici';

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
export type UpstreamAnswer = Dispatcher.ResponseData;

/** A keep-alive connection pool to one pass-through upstream. */
export interface PassThroughClient {
  /** Sends one Chat Completions body; `signal` aborts the request and its body. */
  send(body: Buffer, signal: AbortSignal): Promise<UpstreamAnswer>;
  /** The URL called (for error reports; it never holds the key). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * An undici `Pool` to one upstream (keep-alive, no pipelining), with the headers built once.
 * undici's `request` skips the Fetch `Request`/`Response` and web-stream objects the SDK path
 * creates for every call, which is most of what a pass-through hop would otherwise cost.
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
  const pool = new Pool(base.origin, {
    connections: upstream.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const headers: Record<string, string> = {
    ...upstream.headers,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {}),
  };
  return {
    url: `${base.origin}${path}`,
    send: (body, signal) => pool.request({ method: 'POST', path, headers, body, signal }),
    close: () => pool.close(),
  };
}
