/**
 * Soak under partial faults, bounded and deterministic: a few hundred calls per strategy, faults
 * from a seeded schedule, no sleeps (zero backoff, `Retry-After: 0`), no wall-clock assertion.
 * Strategies that spread load (round-robin, random, least-busy, weighted) send most first picks to
 * the flaky targets, so the fault paths really run; the tests assert they did.
 *
 * The 10 000-call soak lives on as a benchmark: `pnpm bench balancer-soak`.
 */
import type { ChatModel } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, type ScriptedReply, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBalancer } from './balancer';
import { fakeModel, manualClock, seededRandom } from './fake-chat-model.test-helper';
import { runSoak, soakBreaker, soakFault } from './soak.test-helper';
import type { StrategyName } from './strategies';

const strategies: StrategyName[] = ['round-robin', 'random', 'least-busy', 'weighted'];

describe('soak (bounded, deterministic)', () => {
  it.each(strategies)(
    'in-process, %s: 400 calls, 30 % typed faults on two of three targets',
    async (strategy) => {
      const random = seededRandom(11);
      const clock = manualClock();
      const faulty = (id: string): ChatModel =>
        fakeModel(id, () => {
          clock.advance(1);
          const roll = random();
          if (roll < 0.06) return { error: soakFault('rate_limited') };
          if (roll < 0.12) return { error: soakFault('server_error') };
          if (roll < 0.18) return { error: soakFault('overloaded') };
          if (roll < 0.24) return { error: soakFault('network_error') };
          if (roll < 0.3) return { error: soakFault('invalid_response') };
          return { text: 'ok' };
        });
      const balancer = createBalancer(
        {
          name: `soak-${strategy}`,
          strategy,
          now: clock.now,
          random: seededRandom(5),
          targets: [
            { id: 'flaky-a', model: faulty('flaky-a'), maxConcurrent: 8 },
            { id: 'flaky-b', model: faulty('flaky-b'), maxConcurrent: 8 },
            { id: 'steady', model: fakeModel('steady'), maxConcurrent: 8 },
          ],
          circuitBreaker: soakBreaker,
          retry: { baseDelayMs: 0, maxDelayMs: 0 },
        },
        {},
      );
      const report = await runSoak(balancer, 400, 20);
      expect(report.lost).toBe(0);
      // The steady target is always reachable and failing over to it is never refused.
      expect(report.succeeded).toBe(400);
      // The faults were really exercised: flaky targets got first picks, and calls failed over.
      expect(
        (report.firstPicks['flaky-a'] ?? 0) + (report.firstPicks['flaky-b'] ?? 0),
      ).toBeGreaterThanOrEqual(100);
      expect(report.failovers).toBeGreaterThanOrEqual(30);
      expect(balancer.health().every((target) => target.inFlight === 0 && target.queued === 0)).toBe(true);
      expect(balancer.snapshot().calls.requests).toBe(400);
    },
  );

  describe('over loopback HTTP through the real adapters', () => {
    let fakes: FakeLlmServer[] = [];
    beforeAll(async () => {
      fakes = [await startFakeOpenAI(), await startFakeOpenAI(), await startFakeGroq()];
    });
    afterAll(async () => {
      await Promise.all(fakes.map((fake) => fake.close()));
    });

    it.each(strategies)(
      '%s: 120 calls with every kind of fault: nothing lost, every call served',
      async (strategy) => {
        const faults = (seed: number) => {
          const random = seededRandom(seed);
          return (): ScriptedReply => {
            const roll = random();
            if (roll < 0.05) return { fault: { type: 'status', status: 429, retryAfter: '0' } };
            if (roll < 0.1) return { fault: { type: 'status', status: 500 } };
            if (roll < 0.15) return { fault: { type: 'status', status: 503 } };
            if (roll < 0.2) return { fault: { type: 'reset' } };
            if (roll < 0.25) return { fault: { type: 'malformed-json' } };
            return { text: 'ok' };
          };
        };
        const [first, second, groq] = fakes as [FakeLlmServer, FakeLlmServer, FakeLlmServer];
        first.setResponder(faults(23));
        second.setResponder(faults(29));
        groq.setResponder(() => ({ text: 'ok' }));
        const balancer = createBalancer(
          {
            name: `soak-http-${strategy}`,
            strategy,
            random: seededRandom(9),
            targets: [
              {
                id: 'openai-a',
                model: createOpenAI({ apiKey: 'sk-a', baseURL: `${first.url}/v1`, maxRetries: 0 }).chatModel(
                  'gpt-4o-mini',
                ),
                maxConcurrent: 4,
              },
              {
                id: 'openai-b',
                model: createOpenAI({ apiKey: 'sk-b', baseURL: `${second.url}/v1`, maxRetries: 0 }).chatModel(
                  'gpt-4.1-mini',
                ),
                maxConcurrent: 4,
              },
              {
                id: 'groq',
                model: createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groq.url }).chatModel(
                  'llama-3.1-8b-instant',
                ),
                maxConcurrent: 4,
              },
            ],
            circuitBreaker: soakBreaker,
            retry: { baseDelayMs: 0, maxDelayMs: 0 },
          },
          {},
        );
        const report = await runSoak(balancer, 120, 8);
        expect(report.lost).toBe(0);
        expect(report.succeeded).toBe(120);
        expect(
          (report.firstPicks['openai-a'] ?? 0) + (report.firstPicks['openai-b'] ?? 0),
        ).toBeGreaterThanOrEqual(30);
        expect(report.failovers).toBeGreaterThanOrEqual(5);
        expect(balancer.health().every((target) => target.inFlight === 0)).toBe(true);
        await Promise.all(fakes.map((fake) => fake.whenIdle()));
        // The limit held at the upstreams, not only in the balancer's own count.
        for (const fake of fakes) expect(fake.maxInFlight).toBeLessThanOrEqual(4);
        for (const fake of fakes) fake.resetMaxInFlight();
      },
      60_000,
    );
  });
});
