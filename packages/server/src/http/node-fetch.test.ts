import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from './node-fetch';

let server: Server;
let base: string;
const closed: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/echo') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(201, {
          'content-type': 'application/json',
          'x-seen': request.headers['x-test'] ?? '',
        });
        response.end(JSON.stringify({ method: request.method, body: Buffer.concat(chunks).toString() }));
      });
      return;
    }
    if (request.url === '/slow-stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      const timer = setInterval(() => response.write('data: more\n\n'), 50);
      response.on('close', () => {
        clearInterval(timer);
        closed.push('slow-stream');
      });
      return;
    }
    response.writeHead(204);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createNodeFetch', () => {
  const fetch = createNodeFetch();

  it('sends bodies and headers and returns status, headers and body', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-seen')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}' });
    const empty = await fetch(`${base}/nothing`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('streams the body and aborting the signal closes the upstream connection', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/slow-stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: first');
    controller.abort();
    await expect(reader.read()).rejects.toBeDefined();
    await expect.poll(() => closed.includes('slow-stream'), { timeout: 10_000 }).toBe(true);
  });

  it('rejects like fetch on a network failure and on an aborted signal', async () => {
    await expect(fetch('http://127.0.0.1:9/')).rejects.toBeInstanceOf(TypeError);
    await expect(fetch(`${base}/echo`, { signal: AbortSignal.abort() })).rejects.toBeDefined();
  });
});
