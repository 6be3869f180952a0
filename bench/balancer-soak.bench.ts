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
import { type ChatModel, type ChatResult, createUsage } from '@ballast/core';
import { type FakeLlmServer, type ScriptedReply, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import { seededRandom } from '../packages/balancer/src/fake-chat-model.test-helper';
import { runSoak, soakBreaker, soakFault } from '../packages/balancer/src/soak.test-helper';
// The adapters are not dependencies of the workspace root; the bench runs from source anyway.
import { createGroq } from '../packages/groq/src/index';
import { createOpenAI } from '../packages/openai/src/index';

const total = 10_000;
const concurrency = 50;

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

/** One row of the table: the shared soak driver's counts, timed. */
async function soak(balancer: Balancer) {
  const started = performance.now();
  const report = await runSoak(balancer, total, concurrency);
  const seconds = (performance.now() - started) / 1000;
  return {
    calls: total,
    'success %': Number(((report.succeeded / total) * 100).toFixed(2)),
    'typed failures': report.typedFailures,
    lost: report.lost,
    failovers: report.failovers,
    s: Number(seconds.toFixed(2)),
    'calls/s': Math.round(total / seconds),
  };
}

export default async function run() {
  const rows: Array<Record<string, string | number>> = [];
  const strategies: StrategyName[] = ['round-robin', 'random', 'least-busy', 'weighted'];
  for (const strategy of strategies) {
    const random = seededRandom(11);
    const flaky = () => {
      const roll = random();
      if (roll < 0.06) return soakFault('rate_limited');
      if (roll < 0.12) return soakFault('server_error');
      if (roll < 0.18) return soakFault('overloaded');
      if (roll < 0.24) return soakFault('network_error');
      if (roll < 0.3) return soakFault('invalid_response');
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
        circuitBreaker: soakBreaker,
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
          circuitBreaker: soakBreaker,
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
