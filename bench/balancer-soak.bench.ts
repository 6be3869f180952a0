/**
 * The big soak, as a benchmark rather than a test: 10 000 calls per strategy in process, and
 * 10 000 calls over loopback HTTP through the real OpenAI and Groq adapters, with ~30 % faults
 * (429, 500, 503, resets, malformed bodies, delays) on two of three targets. It reports what a
 * test cannot assert on a busy machine: wall time and throughput, next to the outcome counts
 * (nothing lost, success rate, failovers, the upstreams' in-flight high-water marks).
 *
 *   pnpm bench balancer-soak
 */

import { type Balancer, createBalancer, type StrategyName } from '@ballast/balancer';
import {
  ApiCallError,
  BallastError,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  createUsage,
} from '@ballast/core';
import { type FakeLlmServer, type ScriptedReply, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
// The adapters are not dependencies of the workspace root; the bench runs from source anyway.
import { createGroq } from '../packages/groq/src/index';
import { createOpenAI } from '../packages/openai/src/index';

const ask: ChatRequest = { messages: [{ role: 'user', content: 'soak' }], maxTokens: 8 };
const total = 10_000;
const concurrency = 50;

/** mulberry32: the same fault schedule on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scriptedModel(modelId: string, next: () => Error | undefined): ChatModel {
  const result: ChatResult = {
    text: 'ok',
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 4, outputTokens: 1 }),
    costUsd: 0,
    latencyMs: 0,
    provider: 'soak',
    modelId,
    raw: undefined,
  };
  return {
    provider: 'soak',
    modelId,
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    async chat() {
      const error = next();
      if (error) throw error;
      return result;
    },
    async *stream() {
      yield { type: 'finish', result };
    },
  };
}

async function soak(balancer: Balancer) {
  let next = 0;
  let succeeded = 0;
  let typed = 0;
  let lost = 0;
  let failovers = 0;
  balancer.on('failover', () => {
    failovers++;
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        try {
          await balancer.chat(ask);
          succeeded++;
        } catch (error) {
          if (BallastError.isInstance(error)) typed++;
          else lost++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    calls: total,
    'success %': Number(((succeeded / total) * 100).toFixed(2)),
    'typed failures': typed,
    lost: lost + (total - succeeded - typed - lost),
    failovers,
    s: Number(seconds.toFixed(2)),
    'calls/s': Math.round(total / seconds),
  };
}

const fault = (code: 'rate_limited' | 'server_error' | 'overloaded' | 'network_error' | 'invalid_response') =>
  new ApiCallError({
    message: code,
    code,
    provider: 'soak',
    isRetryable: true,
    ...(code === 'rate_limited' ? { retryAfterMs: 0 } : {}),
  });

export default async function run() {
  const rows: Array<Record<string, string | number>> = [];
  const strategies: StrategyName[] = ['round-robin', 'random', 'least-busy', 'weighted'];
  for (const strategy of strategies) {
    const random = seededRandom(11);
    const flaky = () => {
      const roll = random();
      if (roll < 0.06) return fault('rate_limited');
      if (roll < 0.12) return fault('server_error');
      if (roll < 0.18) return fault('overloaded');
      if (roll < 0.24) return fault('network_error');
      if (roll < 0.3) return fault('invalid_response');
      return undefined;
    };
    const balancer = createBalancer(
      {
        name: 'soak',
        strategy,
        random: seededRandom(5),
        targets: [
          { id: 'flaky-a', model: scriptedModel('a', flaky), maxConcurrent: 40 },
          { id: 'flaky-b', model: scriptedModel('b', flaky), maxConcurrent: 40 },
          { id: 'steady', model: scriptedModel('steady', () => undefined), maxConcurrent: 40 },
        ],
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        circuitBreaker: { minimumRequests: 50, failureRateThreshold: 0.9 },
      },
      {},
    );
    rows.push({ case: `in-process, ${strategy}`, ...(await soak(balancer)), 'max in flight': '' });
  }

  const fakes: FakeLlmServer[] = [
    await startFakeOpenAI({ requestLogSize: 100 }),
    await startFakeOpenAI({ requestLogSize: 100 }),
    await startFakeGroq({ requestLogSize: 100 }),
  ];
  try {
    for (const strategy of ['round-robin', 'weighted'] as StrategyName[]) {
      const faults = (seed: number) => {
        const random = seededRandom(seed);
        return (): ScriptedReply => {
          const roll = random();
          if (roll < 0.05) return { fault: { type: 'status', status: 429, retryAfter: '0' } };
          if (roll < 0.1) return { fault: { type: 'status', status: 500 } };
          if (roll < 0.15) return { fault: { type: 'status', status: 503 } };
          if (roll < 0.2) return { fault: { type: 'reset' } };
          if (roll < 0.25) return { fault: { type: 'malformed-json' } };
          if (roll < 0.3) return { fault: { type: 'delay', ms: 2 } };
          return { text: 'ok' };
        };
      };
      const [first, second, groq] = fakes as [FakeLlmServer, FakeLlmServer, FakeLlmServer];
      first.setResponder(faults(23));
      second.setResponder(faults(29));
      groq.setResponder(() => ({ text: 'ok' }));
      for (const fake of fakes) fake.resetMaxInFlight();
      const balancer = createBalancer(
        {
          name: 'soak-http',
          strategy,
          random: seededRandom(9),
          targets: [
            {
              id: 'openai-a',
              model: createOpenAI({ apiKey: 'sk-a', baseURL: `${first.url}/v1`, maxRetries: 0 }).chatModel(
                'gpt-4o-mini',
              ),
              maxConcurrent: 16,
            },
            {
              id: 'openai-b',
              model: createOpenAI({ apiKey: 'sk-b', baseURL: `${second.url}/v1`, maxRetries: 0 }).chatModel(
                'gpt-4.1-mini',
              ),
              maxConcurrent: 16,
            },
            {
              id: 'groq',
              model: createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groq.url }).chatModel(
                'llama-3.1-8b-instant',
              ),
              maxConcurrent: 16,
            },
          ],
          retry: { baseDelayMs: 1, maxDelayMs: 5 },
          // Circuits that open only on a real outage, so the flaky targets keep getting traffic.
          circuitBreaker: { minimumRequests: 50, failureRateThreshold: 0.9 },
        },
        {},
      );
      const report = await soak(balancer);
      await Promise.all(fakes.map((fake) => fake.whenIdle()));
      rows.push({
        case: `HTTP, real adapters, ${strategy}`,
        ...report,
        'max in flight': fakes.map((fake) => fake.maxInFlight).join(' / '),
      });
    }
  } finally {
    await Promise.all(fakes.map((fake) => fake.close()));
  }
  return {
    name: 'balancer soak',
    rows,
    notes: [
      `${total} calls per row, ${concurrency} callers, ~30 % faults on two of three targets (seeded), default retry budget, circuits that open only at ≥ 90 % failures.`,
      'HTTP rows: maxConcurrent 16 per target; "max in flight" is each fake upstream’s own high-water mark.',
      'The test suite runs a bounded version of this (packages/balancer/src/soak.test.ts).',
    ],
  };
}
