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
 * - three gateway processes (`bench/shared-state-replica.ts`) on one Redis in front of one fake
 *   upstream: a per-target limit of 8 under 96 concurrent callers (with Redis and, as the baseline,
 *   without), one replica SIGKILLed mid-run (how long its leases hold slots), and a key's rate
 *   limit counted in total (with Redis) or per replica (without).
 *
 *   pnpm bench shared-state      # SHARED_STATE_BENCH_CALLS (default 960) calls per replica run
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Balancer, type BalancerConfig, createBalancer } from '@ballast/balancer';
import {
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  createUsage,
  type SharedState,
} from '@ballast/core';
import { createInMemorySharedState, createRedisSharedState, type RedisSharedState } from '@ballast/store';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
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

// ---------------------------------------------------------------------------------------------
// Three gateway processes

const replicaKey = 'sk-ballast-bench-replica-key-000000';
const upstreamDelayMs = 50;
const perTargetLimit = 8;

interface ReplicaProcess {
  url: string;
  child: ChildProcess;
}

/** Starts one `bench/shared-state-replica.ts` process and waits for the URL it prints. */
async function startReplica(
  upstreamUrl: string,
  shared: boolean,
  keyPrefix: string,
  requestsPerMinute: number,
): Promise<ReplicaProcess> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(new URL('./shared-state-replica.ts', import.meta.url)),
      upstreamUrl,
      shared ? redisUrl : 'off',
      keyPrefix,
      String(requestsPerMinute),
      replicaKey,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function stopReplicas(replicas: readonly ReplicaProcess[]): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
      const exited = once(replica.child, 'exit');
      replica.child.stdin?.end();
      await exited;
    }),
  );
}

async function post(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${replicaKey}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0; // connection refused or reset: the replica is gone
  }
}

/**
 * `callers` concurrent callers make `calls` chat calls over the live replicas (round-robin);
 * `onProgress` sees each completion. Returns the statuses and each call's latency.
 */
async function drive(
  replicas: ReplicaProcess[],
  calls: number,
  callers: number,
  onProgress?: (done: number) => void,
): Promise<{ statuses: number[]; latencies: number[]; seconds: number }> {
  const statuses: number[] = [];
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (issued < calls) {
        const index = issued++;
        const live = replicas.filter(
          (replica) => replica.child.exitCode === null && replica.child.signalCode === null,
        );
        const replica = live[index % live.length] as ReplicaProcess;
        const callStarted = performance.now();
        const status = await post(replica.url);
        latencies.push(performance.now() - callStarted);
        statuses.push(status);
        onProgress?.(statuses.length);
      }
    }),
  );
  return { statuses, latencies, seconds: (performance.now() - started) / 1000 };
}

function count(statuses: readonly number[], status: number): number {
  return statuses.filter((value) => value === status).length;
}

async function withUpstream<T>(run: (upstream: FakeLlmServer) => Promise<T>): Promise<T> {
  // A short delay keeps calls overlapping, so the cap is contended by all 96 callers.
  const upstream = await startFakeOpenAI({
    responder: () => ({ text: 'ok', fault: { type: 'delay', ms: upstreamDelayMs } }),
  });
  try {
    return await run(upstream);
  } finally {
    await upstream.close();
  }
}

/** 96 callers over three replicas, with the shared cap and (baseline) with local caps only. */
async function replicaConcurrency(calls: number) {
  const rows: Array<Record<string, string | number>> = [];
  for (const shared of [true, false]) {
    const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
    await withUpstream(async (upstream) => {
      const replicas = await Promise.all(
        [0, 1, 2].map(() => startReplica(upstream.url, shared, keyPrefix, 1_000_000_000)),
      );
      try {
        const run = await drive(replicas, calls, 96);
        const stats = summary(run.latencies);
        rows.push({
          case: `3 gateways, limit ${perTargetLimit}/target, 96 callers: ${shared ? 'shared (Redis)' : 'local caps only'}`,
          samples: calls,
          ok: count(run.statuses, 200),
          upstreamMaxInFlight: upstream.maxInFlight,
          requestsPerSecond: Math.round(calls / run.seconds),
          ceilingPerSecond: Math.round(((shared ? 1 : 3) * perTargetLimit * 1000) / upstreamDelayMs),
          p50Ms: stats.p50Ms,
          p95Ms: stats.p95Ms,
        });
      } finally {
        await stopReplicas(replicas);
      }
    });
    await cleanup(keyPrefix);
  }
  return rows;
}

/**
 * One replica SIGKILLed a third of the way in: the others finish, the cap still holds, and the dead
 * replica's leases hold their slots until they expire (`leaseMs`, 15 s by default).
 */
async function replicaKilled(calls: number) {
  const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
  const row = await withUpstream(async (upstream) => {
    const replicas = await Promise.all(
      [0, 1, 2].map(() => startReplica(upstream.url, true, keyPrefix, 1_000_000_000)),
    );
    const observer = createRedisSharedState({ url: redisUrl, keyPrefix, commandTimeoutMs: 5_000 });
    await observer.ready(10_000);
    let killedAt = 0;
    try {
      const victim = replicas[2] as ReplicaProcess;
      const run = await drive(replicas, calls, 96, (done) => {
        if (done === Math.floor(calls / 3) && killedAt === 0) {
          killedAt = performance.now();
          victim.child.kill('SIGKILL');
        }
      });
      const finished = performance.now();
      // The survivors have released theirs; what is left are the dead replica's leases.
      const orphaned = await observer.slotsInFlight('ballast-gateway:upstream');
      while ((await observer.slotsInFlight('ballast-gateway:upstream')) > 0)
        await new Promise((resolve) => setTimeout(resolve, 100));
      return {
        case: '3 gateways on Redis, one SIGKILLed a third of the way in',
        samples: calls,
        ok: count(run.statuses, 200),
        failed: calls - count(run.statuses, 200),
        upstreamMaxInFlight: upstream.maxInFlight,
        orphanedLeasesAfterRun: orphaned,
        slotsBackAfterKillS: Number(((performance.now() - killedAt) / 1000).toFixed(1)),
        runAfterKillS: Number(((finished - killedAt) / 1000).toFixed(1)),
      };
    } finally {
      await observer.close();
      await stopReplicas(replicas);
    }
  });
  await cleanup(keyPrefix);
  return row;
}

/** A key limited to `limit` per minute sends 3 × `limit` requests spread over three replicas. */
async function replicaRateLimit(limit: number) {
  const rows: Array<Record<string, string | number>> = [];
  for (const shared of [true, false]) {
    const keyPrefix = `ballast-bench:${randomUUID().slice(0, 8)}`;
    await withUpstream(async (upstream) => {
      const replicas = await Promise.all(
        [0, 1, 2].map(() => startReplica(upstream.url, shared, keyPrefix, limit)),
      );
      try {
        const latencies: number[] = [];
        const statuses = await Promise.all(
          Array.from({ length: 3 * limit }, async (_, index) => {
            const started = performance.now();
            const response = await fetch(`${(replicas[index % 3] as ReplicaProcess).url}/v1/models`, {
              headers: { authorization: `Bearer ${replicaKey}` },
            });
            await response.arrayBuffer();
            latencies.push(performance.now() - started);
            return response.status;
          }),
        );
        rows.push({
          case: `key limited to ${limit}/min, ${3 * limit} requests over 3 gateways: ${shared ? 'shared (Redis)' : 'local buckets only'}`,
          samples: statuses.length,
          ok: count(statuses, 200),
          rateLimited: count(statuses, 429),
          p50Ms: summary(latencies).p50Ms,
        });
      } finally {
        await stopReplicas(replicas);
      }
    });
    await cleanup(keyPrefix);
  }
  return rows;
}

export default async function sharedStateBench(): Promise<BenchReport> {
  const calls = Number(process.env.SHARED_STATE_BENCH_CALLS ?? 960);
  const { opens, closes } = await breakerPropagation(200);
  const overhead = await callOverhead(4_000);
  const raw = await rawOperations(1_000);
  const concurrency = await replicaConcurrency(calls);
  const killed = await replicaKilled(calls);
  const rateLimits = await replicaRateLimit(60);
  return {
    name: 'Shared state across replicas (Redis)',
    rows: [
      { case: 'breaker open: replica A → replica B', ...summary(opens) },
      { case: 'breaker close: replica A → replica B', ...summary(closes) },
      ...overhead,
      ...raw,
      ...concurrency,
      killed,
      ...rateLimits,
    ],
    notes: [
      `Redis ${redisUrl.replace(/\/\/[^@]*@/, '//')}; propagation is pub/sub (the once-a-second re-read is the fallback).`,
      'Overhead with Redis is one lease acquire (Lua) and one release per call; outcomes go out in 250 ms batches.',
      `Gateway rows: three processes (bench/shared-state-replica.ts) in front of one fake upstream answering after ${upstreamDelayMs} ms; ceilingPerSecond = slots × 1000 / ${upstreamDelayMs}.`,
      'A SIGKILLed replica never releases its leases: they hold slots until leaseMs (15 s) passes, so the others run on fewer slots meanwhile.',
    ],
  };
}
