import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPassThroughClient } from './pass-through-upstream';

const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A loopback server that answers `{}` and keeps the heads it received. */
async function recordingServer() {
  const heads: Array<{ raw: string[]; headers: IncomingHttpHeaders; url: string | undefined }> = [];
  const server = createServer((incoming, outgoing) => {
    heads.push({ raw: incoming.rawHeaders, headers: incoming.headers, url: incoming.url });
    incoming.resume();
    incoming.on('end', () => outgoing.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { heads, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('createPassThroughClient', () => {
  it('sends Host, the extra headers, one content type, the key and the length (ours win over the extra headers)', async () => {
    const upstream = await recordingServer();
    const client = createPassThroughClient({
      baseURL: `${upstream.url}/v1/`,
      apiKey: 'sk-test',
      headers: { 'OpenAI-Organization': 'org-1', 'Content-Type': 'text/plain', 'Content-Length': '1' },
    });
    try {
      for (const text of ['{"a":1}', '{"bb":22}']) {
        const answer = await client.send(Buffer.from(text), new AbortController().signal);
        answer.body.resume();
        await once(answer.body, 'end');
      }
      expect(upstream.heads).toHaveLength(2);
      const [first, second] = upstream.heads;
      expect(first!.url).toBe('/v1/chat/completions');
      expect(first!.headers).toMatchObject({
        host: new URL(upstream.url).host,
        'openai-organization': 'org-1',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer sk-test',
        'content-length': '7',
        connection: 'keep-alive',
      });
      const names = first!.raw.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
      expect(names.filter((name) => name === 'content-type' || name === 'content-length')).toHaveLength(2);
      expect(second!.headers['content-length']).toBe('9');
    } finally {
      await client.close();
    }
  });
});
