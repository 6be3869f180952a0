import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../http/api-keys';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import { createGateway, type Gateway } from './gateway';
import { adminKey, clientKey, type GatewayFixture, startGatewayFixture } from './gateway.test-helper';

// A skeptical user's inputs, over real HTTP: each answer is a typed 4xx with a JSON error body,
// the same on the Fetch route and on the pass-through fast path.

let fixture: GatewayFixture;
let upstream: FakeLlmServer;
let fastGateway: Gateway;
let fastServer: NodeServer;
const upstreamKey = 'sk-fast-path-upstream-0123456789';

beforeAll(async () => {
  fixture = await startGatewayFixture({ rag: true });
  upstream = await startFakeOpenAI({ apiKey: upstreamKey });
  fastGateway = createGateway({
    targets: [
      {
        id: 'primary',
        model: createOpenAI({ apiKey: upstreamKey, baseURL: `${upstream.url}/v1`, maxRetries: 0 }).chatModel(
          'gpt-4o-mini',
        ),
        passThrough: { baseURL: `${upstream.url}/v1`, apiKey: upstreamKey },
      },
    ],
    apiKeys: [{ id: 'client', hash: hashApiKey(clientKey) }],
    alerts: { intervalMs: 0 },
    logger: createLogger({ level: 'silent' }),
    knownSecrets: [upstreamKey],
    env: {},
  });
  fastServer = await serveNode(fastGateway.fetch, { port: 0, nodeHandler: fastGateway.nodeHandler });
});

afterAll(async () => {
  await fastServer.close({ timeoutMs: 2_000 });
  fastGateway.close();
  await upstream.close();
  await fixture.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${fixture.url}${path}`, { headers: { authorization: `Bearer ${clientKey}`, ...headers } });

const chat = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('GET /api/routing/stats?minutes=', () => {
  it('answers 400 for a window that is not a positive number of minutes, never 500', async () => {
    for (const minutes of ['1e308', 'abc', '-1', '0', 'NaN', '']) {
      const response = await get(`/api/routing/stats?minutes=${minutes}`);
      expect(response.status, `minutes=${minutes}`).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.issues[0].path).toBe('minutes');
    }
    expect((await get('/api/routing/stats?minutes=5')).status).toBe(200);
    expect((await get('/api/routing/stats')).status).toBe(200);
  });
});

describe('image_url on both chat routes', () => {
  const withImage = (model: string, url: string) => ({
    model,
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
  });

  it('refuses a non-http(s), non-data URL with 400 and its path, before any upstream sees it', async () => {
    upstream.requests.length = 0;
    for (const [url, model] of [
      [fixture.url, 'gpt-4o-mini'],
      [fastServer.url, 'primary'],
    ] as const) {
      const response = await chat(url, withImage(model, 'file:///etc/passwd'));
      expect(response.status, url).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.issues[0].path).toBe('messages.0.content.0.image_url.url');
    }
    expect(upstream.requests.length).toBe(0);
    expect((await chat(fastServer.url, withImage('primary', 'https://example.com/cat.png'))).status).toBe(
      200,
    );
  });
});

describe('empty content arrays on both chat routes', () => {
  it('refuses an empty parts array with 400 and its path, before any upstream sees it', async () => {
    upstream.requests.length = 0;
    for (const role of ['user', 'system', 'developer']) {
      for (const [url, model] of [
        [fixture.url, 'gpt-4o-mini'],
        [fastServer.url, 'primary'],
      ] as const) {
        const response = await chat(url, { model, messages: [{ role, content: [] }] });
        expect(response.status, `${role} on ${url}`).toBe(400);
        const body = await response.json();
        expect(body.error.code).toBe('validation_failed');
        expect(body.error.issues[0].path).toBe('messages.0.content');
      }
    }
    expect(upstream.requests.length).toBe(0);
  });
});

describe('malformed Authorization headers', () => {
  it('says the header is malformed, not missing, on both chat routes', async () => {
    for (const [url, model] of [
      [fixture.url, 'gpt-4o-mini'],
      [fastServer.url, 'primary'],
    ] as const)
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer two words', clientKey]) {
        const response = await chat(
          url,
          { model, messages: [{ role: 'user', content: 'Hi' }] },
          { authorization },
        );
        expect(response.status, `${url} ${authorization}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');
        const body = await response.json();
        expect(body.error.code).toBe('unauthorized');
        expect(body.error.message).toMatch(/Malformed Authorization header/);
        expect(JSON.stringify(body)).not.toContain(clientKey);
      }
  });
});

const send = (method: string, path: string, body: unknown, key = adminKey) =>
  fetch(`${fixture.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('query parameters', () => {
  it('refuses a parameter given twice instead of silently keeping the last one', async () => {
    for (const path of [
      '/api/monitoring/performance?hours=1&hours=2',
      '/api/load-balancing?preferredProvider=openai&preferredProvider=anthropic',
      '/api/routing/stats?minutes=1&minutes=2',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(/given more than once/);
    }
  });

  it('refuses an empty numeric value instead of reading it as 0', async () => {
    for (const path of ['/api/load-balancing?maxCost=', '/api/monitoring/performance?hours=']) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toMatch(/expected a number/);
    }
    expect((await get('/api/load-balancing?maxCost=0.5')).status).toBe(200);
  });
});

describe('PUT /api/load-balancing/providers/:target', () => {
  it('refuses a weight or priority so large that routing scores become Infinity or NaN', async () => {
    for (const settings of [{ weight: 1e308 }, { priority: -1e308 }, { priority: 1e300 }]) {
      const response = await send('PUT', '/api/load-balancing/providers/openai', settings);
      expect(response.status, JSON.stringify(settings)).toBe(400);
      expect((await response.json()).error.code).toBe('validation_failed');
    }
    const selected = await send('POST', '/api/load-balancing/select', {});
    const body = await selected.json();
    expect(selected.status).toBe(200);
    expect(Number.isFinite(body.score)).toBe(true);
  });
});

describe('RAG inputs', () => {
  it('refuses rag_top_k without rag_collection on both chat routes', async () => {
    for (const [url, model] of [
      [fixture.url, 'gpt-4o-mini'],
      [fastServer.url, 'primary'],
    ] as const) {
      const response = await chat(url, { model, messages: [{ role: 'user', content: 'Hi' }], rag_top_k: 3 });
      expect(response.status, url).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.issues[0].path).toBe('rag_top_k');
    }
  });

  it('refuses an overlap the chunker would silently cut, and a blank document', async () => {
    const ingest = (body: unknown) => send('POST', '/v1/rag/collections/runbooks/documents', body);
    const overlap = await ingest({
      documents: [{ text: 'hello world' }],
      chunk_size: 100,
      chunk_overlap: 2000,
    });
    expect(overlap.status).toBe(400);
    expect((await overlap.json()).error.issues[0].path).toBe('chunk_overlap');
    const blank = await ingest({ documents: [{ text: '   \n ' }] });
    expect(blank.status).toBe(400);
    expect((await blank.json()).error.issues[0].path).toBe('documents.0.text');
    expect(
      (await ingest({ documents: [{ text: 'hello world' }], chunk_size: 100, chunk_overlap: 50 })).status,
    ).toBe(201);
  });
});

describe('methods the Fetch API refuses', () => {
  const raw = (base: string, method: string, path: string) =>
    new Promise<{ status: number; body: string; allow: string | undefined }>((resolve, reject) => {
      const request = httpRequest(`${base}${path}`, { method }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, allow: response.headers.allow }),
        );
      });
      request.on('error', reject);
      request.end();
    });

  it('answers TRACE with 405 and a JSON error, never 500', async () => {
    for (const base of [fixture.url, fastServer.url])
      for (const path of ['/healthz', '/v1/chat/completions']) {
        const response = await raw(base, 'TRACE', path);
        expect(response.status, path).toBe(405);
        expect(JSON.parse(response.body).error.code).toBe('method_not_allowed');
      }
  });

  it('answers a method node:http cannot parse with a JSON 400, not a bare status line', async () => {
    const socket = connect(fastServer.port, '127.0.0.1');
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.write('TRACK /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('bad_request');
    expect((await fetch(`${fastServer.url}/healthz`)).status).toBe(200);
  });
});

describe('parameters that only make sense together', () => {
  const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } };
  const base = { messages: [{ role: 'user', content: 'Hi' }] };

  it('refuses tool_choice without its tool and stream_options without stream, on both chat routes', async () => {
    upstream.requests.length = 0;
    for (const [url, model] of [
      [fixture.url, 'gpt-4o-mini'],
      [fastServer.url, 'primary'],
    ] as const)
      for (const [extra, path] of [
        [{ tool_choice: 'required' }, 'tool_choice'],
        [{ tools: [tool], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
        [{ stream_options: { include_usage: true } }, 'stream_options'],
      ] as const) {
        const response = await chat(url, { model, ...base, ...extra });
        expect(response.status, `${url} ${JSON.stringify(extra)}`).toBe(400);
        const body = await response.json();
        expect(body.error.code).toBe('validation_failed');
        expect(body.error.issues[0].path).toBe(path);
      }
    expect(upstream.requests.length).toBe(0);
    const named = await chat(fastServer.url, {
      model: 'primary',
      ...base,
      tools: [tool],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    expect(named.status).toBe(200);
  });
});

describe('paths and repeated headers', () => {
  it('answers a malformed percent-encoding in a path parameter with 400, not "no route"', async () => {
    const response = await get('/v1/models/%ZZ');
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/percent-encoding/);
    expect((await get('/v1/nothing/%ZZ')).status).toBe(404);
    expect((await get('/v1/rag/collections/%ZZ/elsewhere')).status).toBe(404);
  });

  it('treats two Authorization headers as malformed on the fast path too, as on the Fetch route', async () => {
    const payload = JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] });
    for (const server of [fixture.server, fastServer]) {
      const socket = connect(server.port, '127.0.0.1');
      socket.setEncoding('utf8');
      let text = '';
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${clientKey}\r\nAuthorization: Bearer sk-someone-else\r\ncontent-type: application/json\r\ncontent-length: ${payload.length}\r\nconnection: close\r\n\r\n${payload}`,
      );
      await new Promise((resolve) => socket.on('close', resolve));
      expect(text.split('\r\n')[0], server.url).toBe('HTTP/1.1 401 Unauthorized');
      expect(text).toContain('Malformed Authorization header');
    }
  });
});

describe('charsets', () => {
  it('refuses a JSON body declared in a charset other than UTF-8 with 415 on both chat routes', async () => {
    for (const [url, model] of [
      [fixture.url, 'gpt-4o-mini'],
      [fastServer.url, 'primary'],
    ] as const) {
      const body = { model, messages: [{ role: 'user', content: 'Hi' }] };
      const refused = await chat(url, body, { 'content-type': 'application/json; charset=utf-16' });
      expect(refused.status, url).toBe(415);
      expect((await refused.json()).error.code).toBe('unsupported_media_type');
      const utf8 = await chat(url, body, { 'content-type': 'application/json; charset="UTF-8"' });
      expect(utf8.status, url).toBe(200);
    }
  });
});
