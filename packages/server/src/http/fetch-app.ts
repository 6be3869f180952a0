import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type ApiKeyRecord, type Caller, createApiKeyVerifier } from './api-keys';
import { type CorsOptions, createCors } from './cors';
import { errorResponse, HttpError, responseOfError } from './http-error';
import { createRateLimiter, type RateLimiter } from './rate-limiter';
import { createRouter, type FetchHandler, type Route, type RouteInfo } from './router';

/** Options of {@link createFetchApp}. */
export interface FetchAppOptions {
  routes: readonly Route[];
  logger: Logger;
  /** Hashed keys; none means every endpoint is open (a warning is logged). */
  apiKeys?: readonly ApiKeyRecord[];
  /** Default per-key limit (a key's own `requestsPerMinute` wins). */
  requestsPerMinute?: number;
  rateLimiter?: RateLimiter;
  cors?: CorsOptions;
  /** Path prefix to strip before routing (`/ballast` when mounted under it). */
  basePath?: string;
  /** Values scrubbed from every error message (provider keys…). */
  knownSecrets?: ReadonlyArray<string | undefined>;
  /** Called once per request with its route pattern, status and duration. */
  onResponse?: (event: { route: string; method: string; status: number; seconds: number }) => void;
  /** Called when a request starts and ends (in-flight gauges). */
  onInFlight?: (delta: 1 | -1) => void;
  /** While true, every route but public ones answers 503 (graceful shutdown). */
  isDraining?: () => boolean;
}

/** A Fetch handler with its route table. */
export interface FetchApp {
  fetch: FetchHandler;
  routes: RouteInfo[];
}

const safeRequestId = /^[\w.:-]{1,128}$/;

/**
 * Builds one Fetch handler from routes: request ids, CORS, API keys (401/403), per-key rate limits
 * (429 + Retry-After), JSON errors that never carry a stack or a secret, one structured log line
 * and one metrics observation per request.
 *
 * @example
 * ```ts
 * const app = createFetchApp({ routes, logger: createLogger(), apiKeys: [{ id: 'ci', hash: hashApiKey(key) }] });
 * const response = await app.fetch(new Request('http://localhost/healthz'));
 * ```
 */
export function createFetchApp(options: FetchAppOptions): FetchApp {
  const router = createRouter(options.routes);
  const keys = createApiKeyVerifier(options.apiKeys ?? []);
  const limiter = options.rateLimiter ?? createRateLimiter();
  const cors = createCors(options.cors);
  const base = options.basePath?.replace(/\/+$/, '') ?? '';
  const secrets = options.knownSecrets ?? [];
  const { logger } = options;
  if (!keys.enabled) logger.warn('no API keys configured: every endpoint is open');

  const fetch: FetchHandler = async (request) => {
    const startedAt = performance.now();
    const given = request.headers.get('x-request-id');
    const requestId = given !== null && safeRequestId.test(given) ? given : randomUUID();
    const url = new URL(request.url);
    let pathname = url.pathname;
    if (base && pathname.startsWith(base)) pathname = pathname.slice(base.length) || '/';
    let routeName = 'unmatched';
    let response: Response;
    options.onInFlight?.(1);
    try {
      const preflight = cors.preflight(request);
      if (preflight) response = preflight;
      else {
        const found = router.match(request.method, pathname);
        if (found.kind === 'not-found')
          response = errorResponse(404, 'not_found', `No route for ${pathname}`);
        else if (found.kind === 'malformed-path')
          response = errorResponse(
            400,
            'bad_request',
            'A path parameter has malformed percent-encoding (a % not followed by two hex digits)',
          );
        else if (found.kind === 'method-not-allowed')
          response = errorResponse(
            405,
            'method_not_allowed',
            `Use ${found.allow.join(' or ')} for ${pathname}`,
            {
              allow: found.allow.join(', '),
            },
          );
        else {
          routeName = found.route.path;
          const access = found.route.access ?? 'key';
          if (access !== 'public' && options.isDraining?.())
            throw new HttpError(503, 'shutting_down', 'The server is shutting down', {
              headers: { 'retry-after': '1', connection: 'close' },
            });
          let caller: Caller = { keyId: 'anonymous', admin: !keys.enabled, requestsPerMinute: undefined };
          if (access !== 'public') {
            caller = keys.authenticate(request);
            if (access === 'admin' && !caller.admin)
              throw new HttpError(403, 'forbidden', 'This endpoint needs an admin API key');
            // A promise only when the count is shared across replicas (one Redis round trip).
            const counting = limiter.take(
              caller.keyId,
              caller.requestsPerMinute ?? options.requestsPerMinute,
            );
            if (counting) await counting;
          }
          let child: Logger | undefined;
          response = await found.route.handler(request, {
            params: found.params,
            url,
            requestId,
            caller,
            // Built on first use: most requests never log through it.
            get logger() {
              child ??= logger.child({ requestId });
              return child;
            },
          });
        }
      }
    } catch (error) {
      response = responseOfError(error, secrets);
      if (response.status >= 500)
        logger.error({ requestId, route: routeName, err: describeError(error, secrets) }, 'request failed');
    }
    options.onInFlight?.(-1);
    const headers = response.headers;
    try {
      headers.set('x-request-id', requestId);
      cors.apply(request, headers);
    } catch {
      // Immutable headers (a Response from fetch()): copy it.
      const copy = new Response(response.body, response);
      copy.headers.set('x-request-id', requestId);
      cors.apply(request, copy.headers);
      response = copy;
    }
    const seconds = (performance.now() - startedAt) / 1000;
    options.onResponse?.({ route: routeName, method: request.method, status: response.status, seconds });
    if (logger.isLevelEnabled('info'))
      logger.info(
        {
          requestId,
          method: request.method,
          route: routeName,
          status: response.status,
          durationMs: Math.round(seconds * 1e5) / 100,
        },
        'request',
      );
    return response;
  };

  return { fetch, routes: router.routes };
}

/** What a log line may say about an error: name, code, a scrubbed message; never a stack. */
export function describeError(
  error: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
): { name: string; code?: string; message: string } {
  const scrub = (text: string) => {
    let out = text;
    for (const secret of secrets)
      if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
    return out;
  };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: scrub(error.message).slice(0, 500),
    };
  }
  return { name: typeof error, message: 'non-error thrown' };
}
