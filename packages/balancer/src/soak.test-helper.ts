import { ApiCallError, BallastError, type ChatRequest } from '@ballast/core';
import type { Balancer } from './balancer';

// The soak driver shared by the suite's bounded soak (soak.test.ts) and the 10 000-call benchmark
// (bench/balancer-soak.bench.ts), so both count the same things the same way.

/** The request every soak call sends. */
export const soakRequest: ChatRequest = { messages: [{ role: 'user', content: 'soak' }], maxTokens: 8 };

/** Circuits that only open on a real outage, so flaky targets keep getting traffic. */
export const soakBreaker = { minimumRequests: 50, failureRateThreshold: 0.9 };

/** Runs `total` calls with at most `concurrency` in flight; counts every way a call can end. */
export async function runSoak(balancer: Balancer, total: number, concurrency: number) {
  let next = 0;
  let succeeded = 0;
  let typedFailures = 0;
  let lost = 0;
  let failovers = 0;
  const firstPicks = new Map<string, number>();
  const onFailover = () => {
    failovers++;
  };
  balancer.on('failover', onFailover);
  const worker = async () => {
    while (next < total) {
      next++;
      try {
        const result = await balancer.chat(soakRequest);
        succeeded++;
        const first = result.route.attempts[0]?.target ?? '?';
        firstPicks.set(first, (firstPicks.get(first) ?? 0) + 1);
      } catch (error) {
        if (BallastError.isInstance(error)) typedFailures++;
        else lost++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  balancer.off('failover', onFailover);
  return {
    total,
    succeeded,
    typedFailures,
    lost: lost + (total - succeeded - typedFailures - lost),
    failovers,
    firstPicks: Object.fromEntries(firstPicks),
  };
}

/** A retryable typed fault of the soak's in-process models. */
export function soakFault(
  code: 'rate_limited' | 'server_error' | 'overloaded' | 'network_error' | 'invalid_response',
): ApiCallError {
  return new ApiCallError({
    message: code,
    code,
    provider: 'soak',
    isRetryable: true,
    ...(code === 'rate_limited' ? { retryAfterMs: 0, statusCode: 429 } : {}),
  });
}
