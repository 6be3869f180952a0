import { createAviClient, createMemoryAuditLog } from '@ballast/avi';
import { createBalancer } from '@ballast/balancer';
import { createOpenAI } from '@ballast/openai';
import {
  aviScenario,
  type FakeAviController,
  type FakeLlmServer,
  startFakeAviController,
  startFakeOpenAI,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BallastHandlers, createBallastHandlers } from '../handlers';
import { createAviRouteSource } from './avi-routes';

let avi: FakeAviController;
let llm: FakeLlmServer;
let handlers: BallastHandlers;
const audit = createMemoryAuditLog();

beforeAll(async () => {
  [avi, llm] = await Promise.all([startFakeAviController(), startFakeOpenAI()]);
  const model = createOpenAI({ apiKey: 'test-key', baseURL: `${llm.url}/v1` }).chatModel('gpt-4o-mini');
  const client = createAviClient({ baseUrl: avi.url, username: avi.username, password: avi.password });
  handlers = createBallastHandlers({
    balancer: createBalancer({ name: 'avi-test', strategy: 'failover', targets: [{ id: 'openai', model }] }),
    alerts: { intervalMs: 0 },
    avi: createAviRouteSource({
      client,
      model,
      mode: 'plan-writes',
      audit: audit.sink,
      adviceModel: null,
      knownSecrets: [avi.password],
    }),
  });
});

afterAll(async () => {
  handlers.close();
  await Promise.all([avi.close(), llm.close()]);
});

const post = (path: string, body: unknown) =>
  handlers.fetch(
    new Request(`http://ballast.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

async function readEvents(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => JSON.parse(frame.slice(6)) as Record<string, unknown>);
}

describe('Avi routes', () => {
  it('GET /api/avi/advice returns the advice shape', async () => {
    const response = await handlers.fetch(new Request('http://ballast.test/api/avi/advice'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: true, source: 'rule', rejections: [] });
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['success', 'analysis', 'recommendations', 'rejections', 'source']),
    );
    expect((body.recommendations as unknown[]).length).toBe(3);
  });

  it('POST /api/avi/chat streams tool calls, results, a plan and the answer; /confirm runs it once', async () => {
    llm.enqueue(
      {
        toolCalls: [
          { id: 'call_1', name: 'why_is_down', arguments: { kind: 'pool', name: 'pool-shop-web' } },
        ],
      },
      {
        toolCalls: [
          {
            id: 'call_2',
            name: 'set_pool_server_enabled',
            arguments: { pool: 'pool-shop-web', server: '10.10.1.13:8080', enabled: false },
          },
        ],
      },
      { text: 'Server 10.10.1.13:8080 fails its health check; confirm the plan to disable it.' },
    );
    const response = await post('/api/avi/chat', {
      conversationId: 'ui-1',
      message: 'why is pool-shop-web degraded?',
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events.map((event) => event.type)).toEqual([
      'tool-call',
      'tool-result',
      'tool-call',
      'tool-result',
      'plan',
      ...Array(events.length - 6).fill('text-delta'),
      'done',
    ]);
    expect(events[0]).toEqual({
      type: 'tool-call',
      id: 'call_1',
      name: 'why_is_down',
      arguments: { kind: 'pool', name: 'pool-shop-web' },
    });
    expect(events.at(-1)).toEqual({ type: 'done', conversationId: 'ui-1' });
    const plan = events[4] as { token: string; plan: Record<string, unknown> };
    expect(plan.plan).toMatchObject({
      method: 'PATCH',
      path: `/api/pool/${aviScenario.poolShopWeb}`,
      risk: 'medium',
      diff: { 'servers[2].enabled': { from: true, to: false } },
    });
    expect(Object.keys(plan.plan).sort()).toEqual(['body', 'diff', 'method', 'path', 'risk', 'summary']);
    expect(avi.writes).toEqual([]);

    const confirmed = await post('/api/avi/confirm', { token: plan.token });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ executed: true, result: { name: 'pool-shop-web' } });
    expect(avi.writes).toHaveLength(1);

    const again = await post('/api/avi/confirm', { token: plan.token });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: 'token_used', message: expect.any(String) } });
    expect(avi.writes).toHaveLength(1);
    expect(audit.events.map((event) => event.type)).toContain('write-confirmed');
  });

  it.each([
    ['an unknown token', { token: 'nope' }, 404, 'invalid_token'],
    ['no token', {}, 400, 'validation_failed'],
    ['a broken body', '{"token":', 400, 'invalid_json'],
  ])('POST /api/avi/confirm with %s is a typed 4xx and writes nothing', async (_, body, status, code) => {
    const writes = avi.writes.length;
    const response = await post('/api/avi/confirm', body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(avi.writes).toHaveLength(writes);
  });

  it('POST /api/avi/chat refuses a bad body with 400', async () => {
    const response = await post('/api/avi/chat', { conversationId: 'bad id with spaces', message: 'hi' });
    expect(response.status).toBe(400);
  });

  it('a model failure ends the stream with an error event', async () => {
    llm.enqueue({ fault: { type: 'status', status: 401, message: 'bad key' } });
    const events = await readEvents(
      await post('/api/avi/chat', { conversationId: 'ui-2', message: 'hello' }),
    );
    expect(events).toEqual([
      { type: 'error', error: { code: 'authentication_failed', message: expect.any(String) } },
    ]);
  });

  it('a controller failure during advice is a 502 with collector_failed', async () => {
    avi.addFault({ path: '/api/pool-inventory', fault: { type: 'html' }, times: 1 });
    const response = await handlers.fetch(new Request('http://ballast.test/api/avi/advice'));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { success: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ success: false, error: { code: 'collector_failed' } });
    expect(body.error.message).not.toContain(avi.password);
  });
});
