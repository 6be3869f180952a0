import { AbortedError, ApiCallError, apiCallErrorFromResponse } from '@ballast/core';

/** How a {@link BallastClient} reaches the server: where, with which `fetch`, with which headers. */
export interface BallastClientOptions {
  /**
   * Origin and mount path of the Ballast handlers, e.g. `https://ops.example.com/ballast`.
   * Default `''`: the page's own origin (what a Next.js app that mounts the handlers wants).
   */
  baseUrl?: string;
  /** The `fetch` to use (tests, proxies, auth wrappers). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Extra headers on every request (an `Authorization` bearer for keyed servers), or a getter. */
  headers?: Record<string, string> | (() => Record<string, string>);
}

/** One request of {@link BallastClient.request}. */
export interface BallastRequest {
  method?: 'GET' | 'POST' | 'PUT';
  /** JSON-encoded as the body. */
  body?: unknown;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/** A small HTTP client over the Ballast handlers, shared by every hook. */
export interface BallastClient {
  readonly baseUrl: string;
  /** Sends a request and parses the JSON answer; failures become typed errors. */
  request<T>(path: string, request?: BallastRequest): Promise<T>;
  /** Sends a request and returns the raw successful `Response` (for streams). */
  send(path: string, request?: BallastRequest): Promise<Response>;
}

const provider = 'ballast-server';

/**
 * Creates the HTTP client the hooks use. Every failure is an `@ballast/core` error: an HTTP error
 * status or an unreachable server is an `ApiCallError` (with `statusCode`, a normalized `code`
 * and `isRetryable`), a cancelled request an `AbortedError`.
 *
 * @example
 * ```ts
 * const client = createBallastClient({ baseUrl: 'https://ops.example.com', headers: { authorization: `Bearer ${key}` } });
 * const report = await client.request('/api/monitoring/performance', { query: { hours: 24 } });
 * ```
 */
export function createBallastClient(options: BallastClientOptions = {}): BallastClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const send = async (path: string, request: BallastRequest = {}): Promise<Response> => {
    const url = baseUrl + path + queryString(request.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(typeof options.headers === 'function' ? options.headers() : options.headers),
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    // Resolved per call, so a test or polyfill that replaces the global later is honoured.
    const fetchImpl = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw toRequestError(error, url, request.signal);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw apiCallErrorFromResponse({
        provider,
        statusCode: response.status,
        headers: response.headers,
        body: text,
        url,
      });
    }
    return response;
  };
  return {
    baseUrl,
    send,
    async request<T>(path: string, request: BallastRequest = {}): Promise<T> {
      const response = await send(path, request);
      try {
        return (await response.json()) as T;
      } catch (error) {
        if (request.signal?.aborted) throw new AbortedError({ cause: error });
        throw new ApiCallError({
          message: `${path} answered with a body that is not JSON`,
          code: 'invalid_response',
          provider,
          statusCode: response.status,
          url: baseUrl + path,
          isRetryable: true,
        });
      }
    },
  };
}

function queryString(query: BallastRequest['query']): string {
  if (!query) return '';
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) parameters.set(key, String(value));
  const text = parameters.toString();
  return text ? `?${text}` : '';
}

function toRequestError(error: unknown, url: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError'))
    return new AbortedError({ cause: error });
  return apiCallErrorFromResponse({
    provider,
    url,
    message: error instanceof Error ? error.message : 'the server could not be reached',
    cause: error,
  });
}
