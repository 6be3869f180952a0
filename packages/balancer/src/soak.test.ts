import { ApiCallError, BallastError, type ChatModel, type ChatRequest } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, type ScriptedReply, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Balancer, createBalancer } from './balancer';
import { fakeModel, seededRandom } from './fake-chat-model.test-helper';

const ask: ChatRequest = { messages: [{ role: 'user', content: 'soak' }], maxTokens: 8 };

/** Runs `total` calls with at most `concurrency` in flight; counts every way a call can end. */
async function soak(balancer: Balancer, total: number, concurrency: number) {
  let next = 0;
  let succeeded = 0;
  let typedFailures = 0;
  let lost = 0;
  const share = new Map<string, number>();
  const failureCodes = new Map<string, number>();
  const worker = async () => {
    while (next < total) {
      next++;
      try {
        const result = await balancer.chat(ask, { timeoutMs: 5_000 });
        succeeded++;
        share.set(result.route.target, (share.get(result.route.target) ?? 0) + 1);
      } catch (error) {
        if (BallastError.isInstance(error)) {
          typedFailures++;
          failureCodes.set(error.code, (failureCodes.get(error.code) ?? 0) + 1);
        } else lost++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const resolved = succeeded + typedFailures;
  return {
    total,
    succeeded,
    typedFailures,
    lost: lost + (total - resolved - lost),
    successRate: succeeded / total,
    share: Object.fromEntries(
      [...share].map(([target, count]) => [target, `${((count / succeeded) * 100).toFixed(1)}%`]),
    ),
    failureCodes: Object.fromEntries(failureCodes),
  };
}

const error = (
  code: 'rate_limited' | 'server_error' | 'overloaded' | 'network_error' | 'invalid_response',
  status?: number,
) =>
  new ApiCallError({
    message: code,
    code,
    provider: 'soak',
    isRetryable: true,
    ...(status === undefined ? {} : { statusCode: status }),
    ...(code === 'rate_limited' ? { retryAfterMs: 0 } : {}),
  });

describe('soak', () => {
  it('10 000 in-process calls, ~30 % typed faults on two of three targets: nothing lost, ≥ 99.9 % success', async () => {
    const random = seededRandom(11);
    const faulty = (id: string): ChatModel =>
      fakeModel(id, () => {
        const roll = random();
        if (roll < 0.06) return { error: error('rate_limited', 429) };
        if (roll < 0.12) return { error: error('server_error', 500) };
        if (roll < 0.18) return { error: error('overloaded', 503) };
        if (roll < 0.24) return { error: error('network_error') };
        if (roll < 0.3) return { error: error('invalid_response') };
        if (roll < 0.35) return { delayMs: 1 };
        return { text: 'ok' };
      });
    const balancer = createBalancer(
      {
        name: 'soak',
        random: seededRandom(5),
        targets: [
          { model: faulty('flaky-a'), maxConcurrent: 40 },
          { model: faulty('flaky-b'), maxConcurrent: 40 },
          { model: fakeModel('steady'), maxConcurrent: 40 },
        ],
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
      },
      {},
    );
    const report = await soak(balancer, 10_000, 50);
    console.log('in-process soak', report);
    expect(report.lost).toBe(0);
    expect(report.successRate).toBeGreaterThanOrEqual(0.999);
    expect(balancer.health().every((target) => target.inFlight === 0 && target.queued === 0)).toBe(true);
    expect(balancer.snapshot().calls.requests).toBe(10_000);
  });

  describe('over loopback HTTP through the real adapters', () => {
    let fakes: FakeLlmServer[] = [];
    beforeAll(async () => {
      fakes = [await startFakeOpenAI(), await startFakeOpenAI(), await startFakeGroq()];
    });
    afterAll(async () => {
      await Promise.all(fakes.map((fake) => fake.close()));
    });

    it('10 000 calls with every kind of fault: nothing lost, ≥ 99.9 % success', async () => {
      const random = seededRandom(23);
      const faults = (): ScriptedReply => {
        const roll = random();
        if (roll < 0.05) return { fault: { type: 'status', status: 429, retryAfter: '0' } };
        if (roll < 0.1) return { fault: { type: 'status', status: 500 } };
        if (roll < 0.15) return { fault: { type: 'status', status: 503 } };
        if (roll < 0.2) return { fault: { type: 'reset' } };
        if (roll < 0.25) return { fault: { type: 'malformed-json' } };
        if (roll < 0.3) return { fault: { type: 'delay', ms: 2 } };
        return { text: 'ok' };
      };
      const [first, second, groq] = fakes as [FakeLlmServer, FakeLlmServer, FakeLlmServer];
      first.setResponder(faults);
      second.setResponder(faults);
      groq.setResponder(() => ({ text: 'ok' }));
      const balancer = createBalancer(
        {
          name: 'soak-http',
          random: seededRandom(9),
          targets: [
            {
              id: 'openai-a',
              model: createOpenAI({ apiKey: 'sk-a', baseURL: `${first.url}/v1` }).chatModel('gpt-4o-mini'),
            },
            {
              id: 'openai-b',
              model: createOpenAI({ apiKey: 'sk-b', baseURL: `${second.url}/v1` }).chatModel('gpt-4.1-mini'),
            },
            {
              id: 'groq',
              model: createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groq.url }).chatModel(
                'llama-3.1-8b-instant',
              ),
            },
          ],
          retry: { baseDelayMs: 1, maxDelayMs: 5 },
        },
        {},
      );
      const report = await soak(balancer, 10_000, 50);
      console.log('HTTP soak', report);
      expect(report.lost).toBe(0);
      expect(report.successRate).toBeGreaterThanOrEqual(0.999);
      expect(balancer.health().every((target) => target.inFlight === 0)).toBe(true);
    });
  });
});
