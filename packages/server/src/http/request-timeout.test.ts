import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { serveNode } from './serve-node';

/** Writes `raw` on a fresh connection and collects what the server sends until it closes. */
async function exchange(port: number, raw: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.write(raw);
  await new Promise((resolve) => socket.on('close', resolve));
  return text;
}

const echo = async (request: Request) => new Response(await request.text());

describe('serveNode: a request that never finishes arriving', () => {
  it('answers 408 and closes the connection once requestTimeoutMs has passed', async () => {
    const server = await serveNode(echo, { requestTimeoutMs: 200 });
    try {
      // Declares 100 bytes and sends 10: before, Node's default kept this open for 300 s.
      const text = await exchange(
        server.port,
        'POST /anything HTTP/1.1\r\nHost: x\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n0123456789',
      );
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(text).toContain('"code":"bad_request"');
      expect(text).toContain('The request took too long to arrive');
      // The abandoned request is released (its handler's read of the body ends) once Node closes it.
      await vi.waitFor(() => expect(server.inFlight()).toBe(0), { timeout: 10_000 });
      // The server still serves complete requests.
      const answered = await fetch(`${server.url}/anything`, { method: 'POST', body: 'whole' });
      expect(await answered.text()).toBe('whole');
    } finally {
      await server.close();
    }
  });

  it('defaults to 30 s for the whole request and never more than that for its headers', async () => {
    const server = await serveNode(echo);
    try {
      expect(server.server.requestTimeout).toBe(30_000);
      expect(server.server.headersTimeout).toBe(30_000);
    } finally {
      await server.close();
    }
    const long = await serveNode(echo, { requestTimeoutMs: 120_000 });
    try {
      expect(long.server.requestTimeout).toBe(120_000);
      expect(long.server.headersTimeout).toBe(60_000);
    } finally {
      await long.close();
    }
  });

  it('refuses a requestTimeoutMs that is not a positive whole number of milliseconds', async () => {
    for (const requestTimeoutMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expect(serveNode(echo, { requestTimeoutMs }), String(requestTimeoutMs)).rejects.toThrow(
        /requestTimeoutMs must be a whole number of milliseconds from 1 to 2147483647/,
      );
    }
  });
});
