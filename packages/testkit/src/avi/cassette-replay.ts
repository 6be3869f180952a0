import type { IncomingHttpHeaders } from 'node:http';
import { listenOnLoopback, readBody } from '../http/loopback-server';

/** One recorded exchange of a VCR cassette (the format of the alb-sdk's recorded traffic). */
export interface AviCassetteInteraction {
  request: { method: string; uri: string; body: string | null; headers: Record<string, string[]> };
  response: {
    status: { code: number; message: string };
    headers: Record<string, string[]>;
    body: { string: string };
  };
}

/** A VCR cassette: `{ version, interactions }`. */
export interface AviCassette {
  version?: number;
  interactions: AviCassetteInteraction[];
}

/** Options of {@link startAviCassetteReplay}. */
export interface AviCassetteReplayOptions {
  /** Served for a `POST /login` the cassette did not record at that point (many start logged in). */
  fallbackLogin?: AviCassetteInteraction;
  port?: number;
}

/** A running replay of one cassette. */
export interface AviCassetteReplay {
  readonly url: string;
  /** Why requests did not match the recording (empty when the client replayed it exactly). */
  readonly mismatches: string[];
  /** Recorded non-login interactions not requested yet. */
  remaining(): AviCassetteInteraction[];
  close(): Promise<void>;
}

const isLogin = (interaction: AviCassetteInteraction) =>
  interaction.request.method === 'POST' && new URL(interaction.request.uri).pathname === '/login';

/**
 * Serves a recorded cassette on 127.0.0.1, in order, byte for byte (status, `Set-Cookie`, body),
 * and checks each request against the recording: method, path, query (the client may add
 * `page_size`), JSON body, `X-Avi-Tenant`, and that `X-CSRFToken` and the `csrftoken` cookie carry
 * the token this replay last set. Logins are served whenever the client logs in. A request that
 * does not match gets a 599 and a line in `mismatches`.
 *
 * @example
 * ```ts
 * const replay = await startAviCassetteReplay(cassette, { fallbackLogin });
 * // drive a client through the same calls, then:
 * expect(replay.mismatches).toEqual([]);
 * ```
 */
export async function startAviCassetteReplay(
  cassette: AviCassette,
  options: AviCassetteReplayOptions = {},
): Promise<AviCassetteReplay> {
  const queue = [...cassette.interactions];
  const mismatches: string[] = [];
  let csrf: string | undefined;

  const server = await listenOnLoopback({
    port: options.port,
    onHandlerError: (response, error) => {
      response.writeHead(599, { 'content-type': 'text/plain' });
      response.end(String(error));
    },
    handle: async (incoming, response) => {
      const raw = await readBody(incoming);
      const method = incoming.method ?? 'GET';
      const url = new URL(incoming.url ?? '/', 'http://replay');
      const fail = (why: string) => {
        mismatches.push(`${method} ${url.pathname}${url.search}: ${why}`);
        response.writeHead(599, { 'content-type': 'text/plain' });
        response.end(why);
      };

      let interaction: AviCassetteInteraction | undefined;
      if (method === 'POST' && url.pathname === '/login') {
        interaction = queue[0] && isLogin(queue[0]) ? queue.shift() : options.fallbackLogin;
        if (!interaction) return fail('no login recorded');
      } else {
        // Recorded logins the client did not need (the SDK test reset its session there).
        while (queue[0] && isLogin(queue[0])) queue.shift();
        interaction = queue.shift();
        if (!interaction) return fail('the recording has no more interactions');
        const recorded = new URL(interaction.request.uri);
        if (interaction.request.method !== method || recorded.pathname !== url.pathname)
          return fail(`expected ${interaction.request.method} ${recorded.pathname}`);
        for (const [key, value] of recorded.searchParams)
          if (url.searchParams.get(key) !== value) return fail(`query ${key} should be ${value}`);
        for (const key of url.searchParams.keys())
          if (!recorded.searchParams.has(key) && key !== 'page_size') return fail(`unexpected query ${key}`);
        const tenant = interaction.request.headers['X-Avi-Tenant']?.[0];
        if (tenant !== undefined && header(incoming.headers, 'x-avi-tenant') !== tenant)
          return fail(`X-Avi-Tenant should be ${tenant}`);
        if (csrf !== undefined && header(incoming.headers, 'x-csrftoken') !== csrf)
          return fail('X-CSRFToken is not the token last set by the controller');
        if (csrf !== undefined && !(header(incoming.headers, 'cookie') ?? '').includes(`csrftoken=${csrf}`))
          return fail('the csrftoken cookie is not the one last set');
        if (header(incoming.headers, 'referer') === undefined) return fail('no Referer');
        if (interaction.request.body !== null && interaction.request.body !== '') {
          let same = false;
          try {
            same = JSON.stringify(JSON.parse(raw)) === JSON.stringify(JSON.parse(interaction.request.body));
          } catch {
            same = false;
          }
          if (!same) return fail('body differs from the recording');
        }
      }

      const setCookies = interaction.response.headers['Set-Cookie'] ?? [];
      for (const cookie of setCookies) {
        const match = /^csrftoken=([^;]*)/.exec(cookie);
        if (match) csrf = match[1];
      }
      const headers: Record<string, string | string[]> = {};
      const contentType = interaction.response.headers['Content-Type']?.[0];
      if (contentType) headers['content-type'] = contentType;
      if (setCookies.length) headers['set-cookie'] = setCookies;
      response.writeHead(interaction.response.status.code, headers);
      response.end(interaction.response.status.code === 204 ? undefined : interaction.response.body.string);
    },
  });

  return {
    url: server.url,
    mismatches,
    remaining: () => queue.filter((interaction) => !isLogin(interaction)),
    close: () => server.close(),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
