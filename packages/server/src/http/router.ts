import type { Logger } from 'pino';
import type { Caller } from './api-keys';

/** HTTP methods the router dispatches. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler receives besides the request. */
export interface RouteContext {
  /** Path parameters (`/api/autoscaling/recommendations/:cluster` → `{ cluster }`), decoded. */
  params: Record<string, string>;
  url: URL;
  /** The request id (from `x-request-id` when safe, else generated); echoed in the response. */
  requestId: string;
  /** The authenticated caller (`anonymous` when the gateway has no keys). */
  caller: Caller;
  /** A child logger bound to the request id. */
  logger: Logger;
}

/** A Web-standard handler: one Fetch API request in, one response out. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** One endpoint of a route table. */
export interface Route {
  method: HttpMethod;
  /** A path pattern: literal segments and `:name` parameters. */
  path: string;
  /** One line for the route table, docs and logs. */
  summary: string;
  /** Who may call it: `public` (no key), `key` (any valid key, rate limited), `admin`. Default `key`. */
  access?: 'public' | 'key' | 'admin';
  handler: (request: Request, context: RouteContext) => Promise<Response> | Response;
}

/** A route as listed in a route table (without its handler). */
export interface RouteInfo {
  method: HttpMethod;
  path: string;
  summary: string;
  access: 'public' | 'key' | 'admin';
}

interface CompiledRoute {
  route: Route;
  segments: Array<{ literal: string } | { param: string }>;
}

/** A matched route, or why none matched. */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'malformed-path' }
  | { kind: 'not-found' };

/**
 * A tiny Fetch-native router: a list of `(method, pattern)` routes with `:param` segments, no
 * dependencies and no global state, so the same table runs in Next.js route handlers, Hono,
 * Express, Fastify or `node:http`. Routes are matched by segment count first, so lookups stay
 * cheap with a few dozen routes (a radix tree would pay off only for hundreds).
 *
 * @example
 * ```ts
 * const router = createRouter([{ method: 'GET', path: '/healthz', summary: 'health', handler: () => json({ ok: true }) }]);
 * router.match('GET', '/healthz'); // { kind: 'found', route, params: {} }
 * ```
 */
export function createRouter(routes: readonly Route[]) {
  const bySize = new Map<number, CompiledRoute[]>();
  for (const route of routes) {
    const segments = splitPath(route.path).map((segment) =>
      segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment },
    );
    const list = bySize.get(segments.length) ?? [];
    list.push({ route, segments });
    bySize.set(segments.length, list);
  }

  function match(method: string, pathname: string): RouteMatch {
    const parts = splitPath(pathname);
    const candidates = bySize.get(parts.length);
    if (!candidates) return { kind: 'not-found' };
    const allow: HttpMethod[] = [];
    let malformed = false;
    for (const compiled of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      let undecodable = false;
      for (let index = 0; index < parts.length; index++) {
        const segment = compiled.segments[index]!;
        const part = parts[index]!;
        if ('literal' in segment) {
          if (segment.literal !== part) {
            ok = false;
            break;
          }
        } else {
          try {
            params[segment.param] = decodeURIComponent(part);
          } catch {
            // `%ZZ`: cannot be decoded. Malformed if the rest of the route matches.
            undecodable = true;
          }
        }
      }
      if (!ok) continue;
      if (undecodable) {
        malformed = true;
        continue;
      }
      if (compiled.route.method === method || (method === 'HEAD' && compiled.route.method === 'GET'))
        return { kind: 'found', route: compiled.route, params };
      allow.push(compiled.route.method);
    }
    if (allow.length) return { kind: 'method-not-allowed', allow };
    return malformed ? { kind: 'malformed-path' } : { kind: 'not-found' };
  }

  return {
    match,
    routes: routes.map(
      ({ method, path, summary, access }): RouteInfo => ({ method, path, summary, access: access ?? 'key' }),
    ),
  };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}
