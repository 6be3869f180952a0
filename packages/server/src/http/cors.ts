/** CORS settings of the gateway. Off unless `origins` is set. */
export interface CorsOptions {
  /** Allowed origins, or `*` for any (credentials are then never allowed). */
  origins: '*' | string[];
  /** Default `GET, POST, PUT, OPTIONS`. */
  methods?: string[];
  /** Default `authorization, content-type, x-request-id`. */
  allowHeaders?: string[];
  /** Preflight cache in seconds. Default 600. */
  maxAgeSeconds?: number;
}

const exposeHeaders = 'x-request-id, retry-after, x-ballast-provider, x-ballast-model';

/**
 * CORS for a Fetch handler: answers preflights and adds the allow headers to responses.
 *
 * @example
 * ```ts
 * const cors = createCors({ origins: ['https://dashboard.example.com'] });
 * const preflight = cors.preflight(request); // a 204 Response, or undefined
 * ```
 */
export function createCors(options: CorsOptions | undefined) {
  const methods = (options?.methods ?? ['GET', 'POST', 'PUT', 'OPTIONS']).join(', ');
  const allowHeaders = (options?.allowHeaders ?? ['authorization', 'content-type', 'x-request-id']).join(
    ', ',
  );
  const maxAge = String(options?.maxAgeSeconds ?? 600);
  const allowed = (origin: string | null): string | undefined => {
    if (!options || origin === null) return undefined;
    if (options.origins === '*') return '*';
    return options.origins.includes(origin) ? origin : undefined;
  };
  return {
    preflight(request: Request): Response | undefined {
      if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method'))
        return undefined;
      const origin = allowed(request.headers.get('origin'));
      if (!origin) return new Response(null, { status: 403 });
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': methods,
          'access-control-allow-headers': allowHeaders,
          'access-control-max-age': maxAge,
          vary: 'origin',
        },
      });
    },
    apply(request: Request, headers: Headers): void {
      const origin = allowed(request.headers.get('origin'));
      if (!origin) return;
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', exposeHeaders);
      headers.append('vary', 'origin');
    },
    /** The headers {@link apply} would add, for a response written straight on `node:http`. */
    headersFor(origin: string | undefined): Record<string, string> | undefined {
      const allow = allowed(origin ?? null);
      if (!allow) return undefined;
      return {
        'access-control-allow-origin': allow,
        'access-control-expose-headers': exposeHeaders,
        vary: 'origin',
      };
    },
  };
}
