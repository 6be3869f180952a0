import { createBalancer } from '@ballast/balancer';
import { ApiCallError, type ChatModel } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { type AlertEvent, createAlertMonitor } from './alert-monitor';

const failing: ChatModel = {
  provider: 'flaky',
  modelId: 'm1',
  capabilities: { tools: false, vision: false, jsonMode: false, jsonSchema: false, streaming: true },
  chat: async () => {
    throw new ApiCallError({
      message: 'down',
      code: 'server_error',
      provider: 'flaky',
      statusCode: 500,
      isRetryable: true,
    });
  },
  // biome-ignore lint/correctness/useYield: never streams
  async *stream() {
    throw new ApiCallError({
      message: 'down',
      code: 'server_error',
      provider: 'flaky',
      statusCode: 500,
      isRetryable: true,
    });
  },
};

describe('alert monitor', () => {
  it('fires error-rate and provider-down alerts, then resolves them', async () => {
    let now = 1_000_000;
    const balancer = createBalancer(
      {
        targets: [{ model: failing }],
        circuitBreaker: { minimumRequests: 3, failureRateThreshold: 0.5, cooldownMs: 60_000 },
        retry: { maxAttempts: 1 },
        now: () => now,
      },
      {},
    );
    const events: AlertEvent[] = [];
    const monitor = createAlertMonitor(() => balancer, {
      rules: [
        { id: 'errors', kind: 'error-rate', threshold: 0.5, minRequests: 3 },
        { id: 'down', kind: 'provider-down', severity: 'critical' },
      ],
      onEvent: (event) => events.push(event),
      now: () => now,
    });
    for (let index = 0; index < 5; index++)
      await balancer.chat({ messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    const active = monitor.evaluate();
    expect(active.map((alert) => alert.rule).sort()).toEqual(['down', 'errors']);
    expect(events.map((event) => `${event.rule}:${event.state}`).sort()).toEqual([
      'down:firing',
      'errors:firing',
    ]);
    balancer.resetCircuit('flaky:m1');
    now += 10 * 60_000; // the 5-minute error window has passed
    expect(monitor.evaluate()).toEqual([]);
    expect(events.filter((event) => event.state === 'resolved')).toHaveLength(2);
  });
});
