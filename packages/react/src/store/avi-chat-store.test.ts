import { createAviClient } from '@ballast/avi';
import { createBalancer } from '@ballast/balancer';
import { createOpenAI } from '@ballast/openai';
import { createAviRouteSource, createBallastHandlers, type NodeServer, serveNode } from '@ballast/server';
import {
  aviScenario,
  type FakeAviController,
  type FakeLlmServer,
  startFakeAviController,
  startFakeOpenAI,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBallastClient } from '../client/ballast-client';
import { createAviChatStore } from './avi-chat-store';

let controller: FakeAviController;
let llm: FakeLlmServer;
let server: NodeServer;
let close: () => void;

beforeAll(async () => {
  [controller, llm] = await Promise.all([startFakeAviController(), startFakeOpenAI({ apiKey: 'test-key' })]);
  const model = createOpenAI({ apiKey: 'test-key', baseURL: `${llm.url}/v1`, maxRetries: 0 }).chatModel(
    'gpt-4o-mini',
  );
  const handlers = createBallastHandlers({
    balancer: createBalancer({
      name: 'avi-chat-store',
      strategy: 'failover',
      targets: [{ id: 'openai', model }],
    }),
    alerts: { intervalMs: 0 },
    avi: createAviRouteSource({
      client: createAviClient({
        baseUrl: controller.url,
        username: controller.username,
        password: controller.password,
      }),
      model,
      mode: 'plan-writes',
      adviceModel: null,
      knownSecrets: [controller.password],
    }),
  });
  close = handlers.close;
  server = await serveNode(handlers.fetch, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close({ timeoutMs: 2_000 });
  close?.();
  await Promise.all([controller?.close(), llm?.close()]);
});

describe('createAviChatStore against the real /api/avi routes', () => {
  it('streams tool calls, results, a plan and text; the write runs only on confirm', async () => {
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
            arguments: { pool: 'pool-shop-web', server: aviScenario.downServer, enabled: false },
          },
        ],
      },
      { text: 'The server fails its health check; confirm the plan to disable it.' },
    );
    const chat = createAviChatStore(createBallastClient({ baseUrl: server.url }), 'store-test-1');
    const seen: string[] = [];
    chat.subscribe(() => seen.push(chat.getSnapshot().status));
    await chat.send('why is pool-shop-web degraded?');
    const snapshot = chat.getSnapshot();
    expect(snapshot.status).toBe('idle');
    expect(seen[0]).toBe('streaming');
    const answer = snapshot.messages.at(-1)!;
    expect(answer.role).toBe('assistant');
    expect(answer.toolCalls.map((call) => call.name)).toEqual(['why_is_down', 'set_pool_server_enabled']);
    expect(answer.toolCalls[0]?.result).toBeDefined();
    expect(answer.text).toMatch(/confirm the plan/);
    const plan = answer.plans[0]!;
    expect(plan).toMatchObject({ status: 'pending', plan: { method: 'PATCH', risk: 'medium' } });
    expect(controller.writes).toEqual([]);
    await chat.confirm(plan.token);
    expect(chat.getSnapshot().messages.at(-1)?.plans[0]?.status).toBe('executed');
    expect(controller.writes).toHaveLength(1);
    // A token runs once: a second confirm is refused by the server and reported, not retried.
    await chat.confirm(plan.token);
    expect(chat.getSnapshot().messages.at(-1)?.plans[0]).toMatchObject({ status: 'failed' });
    expect(controller.writes).toHaveLength(1);
  });

  it('reports a failed request as the store error', async () => {
    const chat = createAviChatStore(
      createBallastClient({ baseUrl: `${server.url}/missing` }),
      'store-test-2',
    );
    await chat.send('hello');
    expect(chat.getSnapshot().status).toBe('error');
    expect(chat.getSnapshot().error?.message).toMatch(/404|not found/i);
  });
});
