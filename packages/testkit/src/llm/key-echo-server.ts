import { inspect } from 'node:util';
import { type LoopbackServer, listenOnLoopback } from '../http/loopback-server';

/**
 * A hostile upstream for secret-handling tests: it answers every request with a 401 that echoes
 * the caller's key everywhere it can (error message, body field, `x-echo-key` and
 * `www-authenticate` headers), the way some real gateways and proxies do.
 *
 * @example
 * ```ts
 * const upstream = await startKeyEchoServer(apiKey);
 * const error = await createOpenAI({ apiKey, baseURL: `${upstream.url}/v1` }).chatModel('m').chat(request).catch((e) => e);
 * expect(leakedKeyFragments(error, apiKey)).toEqual([]);
 * await upstream.close();
 * ```
 */
export function startKeyEchoServer(apiKey: string): Promise<LoopbackServer> {
  return listenOnLoopback({
    async handle(incoming, response) {
      incoming.resume();
      await new Promise<void>((resolve) => incoming.on('end', resolve));
      const echoed = String(incoming.headers.authorization ?? incoming.headers['x-api-key'] ?? apiKey);
      response.writeHead(401, {
        'content-type': 'application/json',
        'x-echo-key': apiKey,
        'www-authenticate': `Bearer realm="${apiKey}"`,
      });
      response.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${echoed} (raw ${apiKey})`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
          key: apiKey,
        }),
      );
    },
    onHandlerError(response) {
      response.writeHead(500).end();
    },
  });
}

/**
 * Every `length`-character fragment of `secret` (default 4) found anywhere a thrown value can be
 * printed: `util.inspect` at depth 10 (the cause chain included), `JSON.stringify` and the stack.
 * An empty list means nothing of the key can reach a log.
 *
 * @example
 * ```ts
 * expect(leakedKeyFragments(error, apiKey)).toEqual([]);
 * ```
 */
export function leakedKeyFragments(thrown: unknown, secret: string, length = 4): string[] {
  const printed = [
    inspect(thrown, { depth: 10 }),
    JSON.stringify(thrown),
    thrown instanceof Error ? String(thrown.stack) : '',
  ].join('\n');
  const leaked: string[] = [];
  for (let index = 0; index + length <= secret.length; index++) {
    const fragment = secret.slice(index, index + length);
    if (printed.includes(fragment)) leaked.push(fragment);
  }
  return leaked;
}
