import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/store-error';
import type { CallRecordInput } from '../metrics/call-record';
import type { MetricsStore, MetricsStoreOptions } from '../metrics/metrics-store';

/** How a contract suite gets fresh stores of one implementation. */
export interface MetricsStoreHarness {
  /** A new, empty store. */
  create(options: MetricsStoreOptions): Promise<MetricsStore>;
  /** Closes `store` and opens another one on the same data (absent for in-memory stores). */
  reopen?: (store: MetricsStore, options: MetricsStoreOptions) => Promise<MetricsStore>;
}

const minute = 60_000;
const hour = 3_600_000;

/**
 * The one contract every {@link MetricsStore} passes (in memory, SQLite, PostgreSQL). Test files
 * call it with a harness; nothing here depends on timing.
 */
export function describeMetricsStoreContract(name: string, harness: MetricsStoreHarness): void {
  describe(`MetricsStore contract: ${name}`, () => {
    let now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const clock = () => now;
    const opened: MetricsStore[] = [];
    const create = async (options: MetricsStoreOptions = {}) => {
      const store = await harness.create({ now: clock, flushIntervalMs: 3_600_000, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      now = Date.UTC(2026, 0, 10, 12, 0, 0);
    });
    const call = (overrides: Partial<CallRecordInput> = {}): CallRecordInput => ({
      at: now - 5 * minute,
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      latencyMs: 100,
      inputTokens: 10,
      outputTokens: 20,
      costUsd: 0.001,
      ...overrides,
    });

    it('answers per provider and per model: requests, success rate, latency, TTFT, tokens, cost', async () => {
      const store = await create();
      for (const latencyMs of [100, 200, 300, 400]) store.record(call({ latencyMs }));
      store.record(call({ outcome: 'failure', errorCode: 'rate_limited', latencyMs: 50 }));
      store.record(
        call({
          provider: 'ollama',
          model: 'llama3.2',
          stream: true,
          latencyMs: 1000,
          timeToFirstTokenMs: 120,
        }),
      );
      await store.flush();
      const report = await store.performance({ hours: 1 });
      expect(report.totals.requests).toBe(6);
      const openai = report.providers.openai!;
      expect(openai).toMatchObject({
        requests: 5,
        successes: 4,
        failures: 1,
        failuresByCode: { rate_limited: 1 },
      });
      expect(openai.successRate).toBeCloseTo(0.8, 10);
      expect(openai.averageLatencyMs).toBeCloseTo(250, 10);
      // Quantiles come from 5 % log buckets: never below the true value, at most 5 % above.
      expect(openai.p95LatencyMs!).toBeGreaterThanOrEqual(400);
      expect(openai.p95LatencyMs!).toBeLessThanOrEqual(420);
      expect(openai.inputTokens).toBe(50);
      expect(openai.outputTokens).toBe(100);
      expect(openai.costUsd).toBeCloseTo(0.005, 10);
      expect(openai.averageTimeToFirstTokenMs).toBeNull();
      expect(report.models['llama3.2']).toMatchObject({ requests: 1, averageTimeToFirstTokenMs: 120 });
      expect(report.models['llama3.2']!.p95TimeToFirstTokenMs!).toBeGreaterThanOrEqual(120);
    });

    it('covers exactly the requested hours', async () => {
      const store = await create();
      store.record(call({ at: now - 30 * minute }));
      store.record(call({ at: now - 3 * hour }));
      store.record(call({ at: now - 30 * hour }));
      await store.flush();
      expect((await store.performance({ hours: 1 })).totals.requests).toBe(1);
      expect((await store.performance({ hours: 24 })).totals.requests).toBe(2);
      expect((await store.performance({ hours: 48 })).totals.requests).toBe(3);
      const empty = await store.performance({ hours: 0.01 });
      expect(empty.totals).toMatchObject({ requests: 0, successRate: null, p95LatencyMs: null });
    });

    it('merges batches into the same minute without losing counts', async () => {
      const store = await create({ batchSize: 3 });
      for (let index = 0; index < 10; index++)
        store.record(call({ at: now - minute, latencyMs: 10 + index }));
      await store.flush();
      for (let index = 0; index < 5; index++) store.record(call({ at: now - minute }));
      await store.flush();
      const report = await store.performance({ hours: 1 });
      expect(report.totals.requests).toBe(15);
      expect(report.totals.inputTokens).toBe(150);
      expect((await store.recentCalls({ limit: 100 })).length).toBe(15);
    });

    it('keeps raw calls newest first and within their bounds, rollups within retention', async () => {
      const store = await create({ maxRawCalls: 5, rawRetentionMs: 2 * hour, rollupRetentionMs: 48 * hour });
      for (let index = 0; index < 8; index++)
        store.record(call({ at: now - 10 * minute + index, latencyMs: index }));
      store.record(call({ at: now - 3 * hour }));
      store.record(call({ at: now - 72 * hour }));
      await store.flush();
      await store.prune();
      const recent = await store.recentCalls({ limit: 100 });
      expect(recent.length).toBeLessThanOrEqual(5);
      expect(recent.every((entry) => entry.at >= now - 2 * hour)).toBe(true);
      expect(recent.map((entry) => entry.latencyMs)).toEqual(
        [...recent.map((entry) => entry.latencyMs)].sort((a, b) => b! - a!),
      );
      // Rollups outlive raw calls: the 3 h old call still counts, the 72 h old one is gone.
      expect((await store.performance({ hours: 100 })).totals.requests).toBe(9);
    });

    it('answers a 24 h window (whole hours and both partial ends) with exact counts and p95 within 5 %', async () => {
      now = Date.UTC(2026, 0, 10, 12, 17, 30); // mid-hour: both ends of the window are partial hours
      const store = await create({ batchSize: 97 });
      const latencies: Record<string, number[]> = { 'gpt-4o-mini': [], 'claude-3-5-haiku': [] };
      const ttfts: number[] = [];
      let seed = 14;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      // 26 h of calls every 7 minutes per model: some fall outside the window, on purpose.
      for (let at = now - 26 * hour; at < now; at += 7 * minute)
        for (const [provider, model] of [
          ['openai', 'gpt-4o-mini'],
          ['anthropic', 'claude-3-5-haiku'],
        ] as const) {
          const latencyMs = 50 + random() ** 3 * 5_000;
          const timeToFirstTokenMs = 10 + random() * 300;
          store.record(call({ at, provider, model, latencyMs, stream: true, timeToFirstTokenMs }));
          if (at >= Math.floor((now - 24 * hour) / minute) * minute) {
            latencies[model]!.push(latencyMs);
            if (model === 'gpt-4o-mini') ttfts.push(timeToFirstTokenMs);
          }
        }
      await store.flush();
      const report = await store.performance({ hours: 24 });
      const nearestRank = (values: number[], quantile: number) =>
        [...values].sort((a, b) => a - b)[Math.ceil(quantile * values.length) - 1]!;
      for (const [model, values] of Object.entries(latencies)) {
        const figures = report.models[model]!;
        expect(figures.requests).toBe(values.length);
        expect(figures.averageLatencyMs!).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
        for (const [read, quantile] of [
          [figures.p95LatencyMs!, 0.95],
          [figures.p50LatencyMs!, 0.5],
        ] as const) {
          const exact = nearestRank(values, quantile);
          expect(read).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
          expect(read).toBeLessThanOrEqual(exact * 1.05 * (1 + 1e-9));
        }
      }
      const ttft = report.models['gpt-4o-mini']!.p95TimeToFirstTokenMs!;
      expect(ttft).toBeGreaterThanOrEqual(nearestRank(ttfts, 0.95) * (1 - 1e-9));
      expect(ttft).toBeLessThanOrEqual(nearestRank(ttfts, 0.95) * 1.05 * (1 + 1e-9));
      expect(report.totals.requests).toBe(latencies['gpt-4o-mini']!.length * 2);
    });

    it('refuses an invalid record with a typed error', async () => {
      const store = await create();
      expect(() => store.record(call({ latencyMs: -1 }))).toThrow(StoreError);
      expect(() => store.record({ ...call(), outcome: 'maybe' } as unknown as CallRecordInput)).toThrow(
        /outcome/,
      );
    });

    it('never stores a secret in clear', async () => {
      const store = await create();
      const key = ['sk-proj', 'A1b2C3d4E5f6G7h8I9j0'].join('-');
      store.record(call({ model: `gpt-4o ${key}` }));
      await store.flush();
      const text = JSON.stringify([
        await store.performance({ hours: 1 }),
        await store.recentCalls({ limit: 10 }),
      ]);
      expect(text).not.toContain(key);
      expect(text).toContain('[redacted]');
    });

    it('describes itself', async () => {
      const store = await create();
      const description = await store.describe();
      expect(['memory', 'sqlite', 'postgres']).toContain(description.backend);
      expect(description.location).not.toMatch(/password|:\/\/[^@/]+:[^@/]+@/);
    });

    if (harness.reopen)
      it('answers across restarts: write, close, reopen, query', async () => {
        const store = await create();
        store.record(call({ latencyMs: 250 }));
        store.record(call({ provider: 'anthropic', model: 'claude-3-5-haiku', latencyMs: 700 }));
        const reopened = await harness.reopen!(store, { now: clock });
        opened.push(reopened);
        const report = await reopened.performance({ hours: 24 });
        expect(report.totals.requests).toBe(2);
        expect(Object.keys(report.providers)).toEqual(['anthropic', 'openai']);
      });
  });
}
