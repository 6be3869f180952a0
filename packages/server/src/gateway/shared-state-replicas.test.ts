import { randomUUID } from 'node:crypto';
import type { SharedState } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { createRedisSharedState } from '@ballast/store';
import {
  type FakeLlmServer,
  redisForTests,
  startFakeOpenAI,
  startTcpFaultProxy,
  type TcpFaultProxy,
} from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import { createGateway, type Gateway } from './gateway';

// Issue 14: three gateway replicas (separate balancers, separate Redis connections) in front of one
// fake upstream behave as one balancer. Every wait below is for an event; nothing asserts a time.

const redis = await redisForTests();
const upstreamKey = 'sk-upstream-replicas-0123456789';
const filePrefix = `ballast-test:replicas:${randomUUID().slice(0, 8)}`;

interface Replica {
  gateway: Gateway;
  server: NodeServer;
  state: SharedState;
}

interface Cluster {
  upstream: FakeLlmServer;
  replicas: Replica[];
  proxy: TcpFaultProxy | undefined;
  close(): Promise<void>;
}

const open: Cluster[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((cluster) => cluster.close()));
});

async function startCluster(
  options: { throughProxy?: boolean; commandTimeoutMs?: number } = {},
): Promise<Cluster> {
  if (redis.skip !== undefined) throw new Error(redis.skip);
  const upstream = await startFakeOpenAI({
    apiKey: upstreamKey,
    // A short delay keeps calls overlapping, so the concurrency cap is actually contended.
    responder: () => ({ text: 'ok', fault: { type: 'delay', ms: 50 } }),
  });
  const proxy = options.throughProxy
    ? await startTcpFaultProxy({ targetPort: redis.port, targetHost: redis.host })
    : undefined;
  const url = proxy ? proxyUrl(redis.url, proxy.port) : redis.url;
  const keyPrefix = `${filePrefix}:${randomUUID().slice(0, 8)}`;
  const replicas: Replica[] = [];
  for (let index = 0; index < 3; index++) {
    // Generous command timeout: on a loaded machine a slow reply must not count as an outage (the
    // replica would fall back to its local cap); cuts are detected by the dropped socket anyway.
    const state = createRedisSharedState({
      url,
      keyPrefix,
      commandTimeoutMs: options.commandTimeoutMs ?? 60_000,
    });
    expect(await (state as ReturnType<typeof createRedisSharedState>).ready(10_000)).toBe(true);
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
          maxConcurrent: 8,
        },
      ],
      balancer: {
        timeoutMs: 300_000,
        queueTimeoutMs: 300_000,
        maxQueue: 1_000,
        retry: { maxAttempts: 1 },
        // Long cooldown: an opened breaker stays open for the whole test (re-sync included).
        circuitBreaker: { minimumRequests: 10_000, cooldownMs: 600_000 },
      },
      sharedState: state,
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      knownSecrets: [upstreamKey],
      env: {},
    });
    const server = await serveNode(gateway.fetch, { port: 0 });
    replicas.push({ gateway, server, state });
  }
  const cluster: Cluster = {
    upstream,
    replicas,
    proxy,
    async close() {
      for (const replica of replicas) {
        await replica.server.close({ timeoutMs: 2_000 });
        replica.gateway.close();
        await replica.state.close();
      }
      await proxy?.close();
      await upstream.close();
    },
  };
  open.push(cluster);
  return cluster;
}

function proxyUrl(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

async function chat(replica: Replica): Promise<number> {
  const response = await fetch(`${replica.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** `count` concurrent callers spread round-robin over the replicas; resolves every status. */
function callers(cluster: Cluster, count: number, onDone?: (done: number) => void): Promise<number[]> {
  let done = 0;
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const status = await chat(cluster.replicas[index % cluster.replicas.length] as Replica);
      onDone?.(++done);
      return status;
    }),
  );
}

function circuitOpened(replica: Replica): Promise<void> {
  return new Promise((resolve) => {
    if (replica.gateway.balancer.health()[0]?.state === 'open') resolve();
    else replica.gateway.balancer.once('circuit-open', () => resolve());
  });
}

async function untilTrue(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe.skipIf(redis.skip !== undefined)(
  `three gateway replicas sharing Redis${redis.skip ? ` (skipped: ${redis.skip})` : ''}`,
  () => {
    it('never exceed a per-target limit of 8 in total under 96 concurrent callers', {
      timeout: 180_000,
    }, async () => {
      const cluster = await startCluster();
      const statuses = await callers(cluster, 96);
      expect(statuses.filter((status) => status === 200)).toHaveLength(96);
      expect(cluster.upstream.maxInFlight).toBeGreaterThan(0);
      expect(cluster.upstream.maxInFlight).toBeLessThanOrEqual(8);
      // Every shared slot comes back (releases are asynchronous: wait for them).
      const scope = 'ballast-gateway:upstream';
      await untilTrue(async () => (await (cluster.replicas[0] as Replica).state.slotsInFlight(scope)) === 0);
    });

    it('show every replica a breaker opened by one', { timeout: 120_000 }, async () => {
      const cluster = await startCluster();
      const [first, second, third] = cluster.replicas as [Replica, Replica, Replica];
      const seen = [circuitOpened(second), circuitOpened(third)];
      // An invalid key opens the circuit at once (target unavailable); only `first` sees the 401.
      cluster.upstream.enqueue({ fault: { type: 'status', status: 401 } });
      expect(await chat(first)).not.toBe(200);
      expect(first.gateway.balancer.health()[0]?.state).toBe('open');
      await Promise.all(seen);
      expect(second.gateway.balancer.health()[0]?.state).toBe('open');
      expect(third.gateway.balancer.health()[0]?.state).toBe('open');
      expect(cluster.upstream.requestsReceived).toBe(1);
    });

    it('keep serving when Redis is cut mid-run, then re-sync what changed meanwhile', {
      timeout: 180_000,
    }, async () => {
      const cluster = await startCluster({ throughProxy: true });
      const proxy = cluster.proxy as TcpFaultProxy;
      const [first, second] = cluster.replicas as [Replica, Replica, Replica];
      let cut: () => void = () => {};
      const halfway = new Promise<void>((resolve) => {
        cut = resolve;
      });
      const run = callers(cluster, 96, (done) => {
        if (done === 24) cut();
      });
      await halfway;
      proxy.setMode('refuse');
      const statuses = await run;
      expect(statuses.filter((status) => status === 200)).toHaveLength(96);
      await untilTrue(() => cluster.replicas.every((replica) => !replica.state.isAvailable()));
      // Still cut: calls go on locally, and a breaker opens on `first` without Redis to tell.
      expect(await chat(second)).toBe(200);
      const reconnected = cluster.replicas.map(
        (replica) => new Promise<void>((resolve) => replica.state.onReconnect(resolve)),
      );
      const secondSeesIt = circuitOpened(second);
      cluster.upstream.enqueue({ fault: { type: 'status', status: 401 } });
      expect(await chat(first)).not.toBe(200);
      expect(first.gateway.balancer.health()[0]?.state).toBe('open');
      expect(second.gateway.balancer.health()[0]?.state).toBe('closed');
      proxy.setMode('forward');
      await Promise.all(reconnected);
      await untilTrue(() => cluster.replicas.every((replica) => replica.state.isAvailable()));
      // Re-sync: `first` re-publishes the breaker it opened while cut, and `second` adopts it.
      await secondSeesIt;
      expect(second.gateway.balancer.health()[0]?.state).toBe('open');
      const health = await second.gateway.health();
      expect(health.sharedState).toEqual({ enabled: true, kind: 'redis', available: true });
    });
  },
);
