import { randomUUID } from 'node:crypto';
import { createOpenAI } from '@ballast/openai';
import { createRedisSharedState, type RedisSharedState } from '@ballast/store';
import {
  type FakeLlmServer,
  redisForTests,
  startFakeOpenAI,
  startTcpFaultProxy,
  type TcpFaultProxy,
} from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../http/api-keys';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import { createGateway, type Gateway } from './gateway';

// Issue 14: a key's rate limit holds in total across three gateway replicas sharing Redis, and a
// replica cut off from Redis keeps limiting on its own instead of blocking or failing requests.

const redis = await redisForTests();
const upstreamKey = 'sk-upstream-ratelimits-0123456789';
const clientKey = 'sk-ballast-ratelimits-client-abcdef';
const filePrefix = `ballast-test:rate-limits:${randomUUID().slice(0, 8)}`;

interface Replica {
  gateway: Gateway;
  server: NodeServer;
  state: RedisSharedState;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startReplicas(requestsPerMinute: number, url: string): Promise<Replica[]> {
  const upstream: FakeLlmServer = await startFakeOpenAI({ apiKey: upstreamKey });
  cleanups.push(() => upstream.close());
  const keyPrefix = `${filePrefix}:${randomUUID().slice(0, 8)}`;
  const replicas: Replica[] = [];
  for (let index = 0; index < 3; index++) {
    // Generous command timeout: at load a slow reply must not count as an outage.
    const state = createRedisSharedState({ url, keyPrefix, commandTimeoutMs: 60_000 });
    expect(await state.ready(10_000)).toBe(true);
    const gateway = createGateway({
      targets: [
        {
          id: 'upstream',
          model: createOpenAI({
            apiKey: upstreamKey,
            baseURL: `${upstream.url}/v1`,
            maxRetries: 0,
          }).chatModel('gpt-4o-mini'),
          aliases: ['fast'],
        },
      ],
      apiKeys: [{ id: 'client', hash: hashApiKey(clientKey) }],
      requestsPerMinute,
      sharedState: state,
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      knownSecrets: [upstreamKey],
      env: {},
    });
    const server = await serveNode(gateway.fetch, { port: 0 });
    replicas.push({ gateway, server, state });
    cleanups.push(async () => {
      await server.close({ timeoutMs: 2_000 });
      gateway.close();
      await state.close();
    });
  }
  return replicas;
}

async function chat(replica: Replica): Promise<number> {
  const response = await fetch(`${replica.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey}` },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function untilTrue(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe.skipIf(redis.skip !== undefined)(
  `per-key rate limits of three gateway replicas sharing Redis${redis.skip ? ` (skipped: ${redis.skip})` : ''}`,
  () => {
    it('allow a key its limit in total, not once per replica', { timeout: 120_000 }, async () => {
      if (redis.skip !== undefined) throw new Error(redis.skip);
      const replicas = await startReplicas(12, redis.url);
      const statuses = await Promise.all(
        Array.from({ length: 36 }, (_, index) => chat(replicas[index % 3] as Replica)),
      );
      expect(statuses.filter((code) => code === 200)).toHaveLength(12);
      expect(statuses.filter((code) => code === 429)).toHaveLength(24);
    });

    it('limit locally, never block, while Redis is cut', { timeout: 120_000 }, async () => {
      if (redis.skip !== undefined) throw new Error(redis.skip);
      const proxy: TcpFaultProxy = await startTcpFaultProxy({
        targetPort: redis.port,
        targetHost: redis.host,
      });
      cleanups.push(() => proxy.close());
      const replicas = await startReplicas(3, `redis://127.0.0.1:${proxy.port}`);
      const [first] = replicas as [Replica, Replica, Replica];
      // Shared: three requests in total, whichever replica takes them.
      expect(await Promise.all(replicas.map(chat))).toEqual([200, 200, 200]);
      expect(await chat(first)).toBe(429);
      proxy.setMode('refuse');
      await untilTrue(() => replicas.every((replica) => !replica.state.isAvailable()));
      // Cut: each replica counts on its own bucket (degraded: up to the limit per replica).
      const cut = await Promise.all(Array.from({ length: 4 }, () => chat(first)));
      expect(cut.sort()).toEqual([200, 200, 200, 429]);
    });
  },
);
