/**
 * Shared state across replicas (issue 14), timed on the machine's real Redis (`REDIS_URL`, default
 * redis://127.0.0.1:6379):
 *
 * - breaker propagation: replica A's breaker opens (an outcome that makes the target unavailable)
 *   → replica B's `circuit-open` event; A's manual close → B's `circuit-close`. Two balancers, two
 *   Redis connections, the same path three gateway processes take.
 * - overhead per call: `balancer.chat` on an instant in-process model with `maxConcurrent` set,
 *   without shared state, with the in-memory one and with Redis (a lease acquire + release per
 *   call, outcomes batched), sequential and with 16 concurrent callers.
 * - raw Redis round trips of the shared-state operations.
 *
 *   pnpm bench shared-state
 */

import { randomUUID } from 'node:crypto';
import { type Balancer, type BalancerConfig, createBalancer } from '@ballast/balancer';
import {
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  createUsage,
  type SharedState,
} from '@ballast/core';
import { createInMemorySharedState, createRedisSharedState, type RedisSharedState } from '@ballast/store';
import { Redis } from 'ioredis';
import type { BenchReport } from './run';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const request: ChatRequest = { messages: [{ role: 'user', content: 'benchmark prompt' }], maxTokens: 16 };

function instantModel(modelId: string): ChatModel {
  const result: ChatResult = {
    text: 'ok',
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 10, outputTokens: 2 }),
    costUsd: 0.000_01,
    latencyMs: 0,
    provider: 'bench',
    modelId,
    raw: undefined,
  };
  return {
    provider: 'bench',
    modelId,
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: async () => result,
    async *stream() {
      yield { type: 'finish', result };
    },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (value: number) => Number(value.toFixed(3));

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: ms(quantile(sorted, 0.5)),
    p95Ms: ms(quantile(sorted, 0.95)),
    p99Ms: ms(quantile(sorted, 0.99)),
    maxMs: ms(sorted.at(-1) ?? Number.NaN),
  };
}

function balancerWith(sharedState: SharedState | undefined, name: string): Balancer {
  const config: BalancerConfig = {
    name,
    targets: [{ id: 'only', model: instantModel('only'), maxConcurrent: 64 }],
    retry: { maxAttempts: 1 },
    circuitBreaker: { minimumRequests: 1_000_000, cooldownMs: 600_000 },
    ...(sharedState ? { sharedState: { state: sharedState } } : {}),
  };
  return createBalancer(config, {});
}

async function timeCalls(balancer: Balancer, calls: number, concurrency: number): Promise<number[]> {
  const samples: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next++;
        const started = performance.now();
        await balancer.chat(request);
        samples.push(performance.now() - started);
      }
    }),
  );
  return samples;
}

async function breakerPropagation(rounds: number) {
  const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
  const stateA = createRedisSharedState({ url: redisUrl, keyPrefix, commandTimeoutMs: 5_000 });
  const stateB = createRedisSharedState({ url: redisUrl, keyPrefix, commandTimeoutMs: 5_000 });
  await Promise.all([stateA.ready(10_000), stateB.ready(10_000)]);
  const a = balancerWith(stateA, 'propagation');
  const b = balancerWith(stateB, 'propagation');
  // Let both subscribers finish SUBSCRIBE before the first sample.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const opens: number[] = [];
  const closes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const opened = new Promise<void>((resolve) => b.once('circuit-open', () => resolve()));
    let started = performance.now();
    a.record({ targetId: 'only', outcome: 'failure', errorCode: 'authentication_failed', latencyMs: 1 });
    await opened;
    opens.push(performance.now() - started);
    const closed = new Promise<void>((resolve) => b.once('circuit-close', () => resolve()));
    started = performance.now();
    a.resetCircuit('only');
    await closed;
    closes.push(performance.now() - started);
  }
  a.dispose();
  b.dispose();
  await Promise.all([stateA.close(), stateB.close()]);
  await cleanup(keyPrefix);
  return { opens, closes };
}

async function callOverhead(calls: number) {
  const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
  const redisState: RedisSharedState = createRedisSharedState({
    url: redisUrl,
    keyPrefix,
    commandTimeoutMs: 5_000,
  });
  await redisState.ready(10_000);
  const memoryState = createInMemorySharedState();
  const variants: Array<[string, Balancer]> = [
    ['local only (no sharedState)', balancerWith(undefined, 'overhead')],
    ['in-memory shared state', balancerWith(memoryState, 'overhead')],
    ['Redis shared state', balancerWith(redisState, 'overhead')],
  ];
  const rows: Array<Record<string, string | number>> = [];
  for (const concurrency of [1, 16]) {
    const results = new Map<string, number[]>();
    // Interleaved rounds so drift on the noisy cores hits every variant alike.
    for (let round = 0; round < 10; round++)
      for (const [label, balancer] of variants) {
        const samples = await timeCalls(balancer, calls / 10, concurrency);
        results.set(label, [...(results.get(label) ?? []), ...samples]);
      }
    const baseline = summary(results.get('local only (no sharedState)') ?? []);
    for (const [label] of variants) {
      const stats = summary(results.get(label) ?? []);
      rows.push({
        case: `chat, ${concurrency} caller${concurrency === 1 ? '' : 's'}: ${label}`,
        ...stats,
        overheadP50Ms: ms(stats.p50Ms - baseline.p50Ms),
      });
    }
  }
  for (const [, balancer] of variants) balancer.dispose();
  await Promise.all([redisState.close(), memoryState.close()]);
  await cleanup(keyPrefix);
  return rows;
}

async function rawOperations(rounds: number) {
  const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
  const state = createRedisSharedState({ url: redisUrl, keyPrefix, commandTimeoutMs: 5_000 });
  await state.ready(10_000);
  const acquire: number[] = [];
  const release: number[] = [];
  const rate: number[] = [];
  const record: number[] = [];
  const read: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    const lease = (await state.acquireSlot('raw', 8, 15_000)) as string;
    acquire.push(performance.now() - started);
    started = performance.now();
    await state.releaseSlot('raw', lease);
    release.push(performance.now() - started);
    started = performance.now();
    await state.consumeRate('raw', 1_000_000, 60_000);
    rate.push(performance.now() - started);
    started = performance.now();
    await state.recordOutcomes('raw', [{ success: true, latencyMs: 12, at: Date.now() }]);
    record.push(performance.now() - started);
    started = performance.now();
    await state.readWindow('raw', 60_000);
    read.push(performance.now() - started);
  }
  await state.close();
  await cleanup(keyPrefix);
  return [
    { case: 'Redis acquireSlot (Lua)', ...summary(acquire) },
    { case: 'Redis releaseSlot', ...summary(release) },
    { case: 'Redis consumeRate (Lua)', ...summary(rate) },
    { case: 'Redis recordOutcomes, 1 sample (Lua)', ...summary(record) },
    { case: 'Redis readWindow (Lua, ≤256 latencies)', ...summary(read) },
  ];
}

async function cleanup(prefix: string): Promise<void> {
  const admin = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
  admin.disconnect();
}

export default async function sharedStateBench(): Promise<BenchReport> {
  const { opens, closes } = await breakerPropagation(200);
  const overhead = await callOverhead(4_000);
  const raw = await rawOperations(1_000);
  return {
    name: 'Shared state across replicas (Redis)',
    rows: [
      { case: 'breaker open: replica A → replica B', ...summary(opens) },
      { case: 'breaker close: replica A → replica B', ...summary(closes) },
      ...overhead,
      ...raw,
    ],
    notes: [
      `Redis ${redisUrl.replace(/\/\/[^@]*@/, '//')}; propagation is pub/sub (the once-a-second re-read is the fallback).`,
      'Overhead with Redis is one lease acquire (Lua) and one release per call; outcomes go out in 250 ms batches.',
    ],
  };
}
