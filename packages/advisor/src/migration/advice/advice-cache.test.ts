import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../apply-migrations';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { createAdviceCache, snapshotFingerprint } from './advice-cache';

let fake: FakeLlmServer;
const model = () => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'test-key' }).chatModel('gpt-4o-mini');
const goodAnswer = {
  text: JSON.stringify({
    analysis: 'spread the load',
    recommendations: [
      { vmid: 102, source_node: 'pve1', target_node: 'pve3', priority: 'high', reasoning: 'spread' },
    ],
  }),
};

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setResponder(() => goodAnswer);
});

describe('snapshotFingerprint', () => {
  it('ignores collectedAt and tiny load changes, changes with placement and period', () => {
    const base = adviceCluster();
    const fingerprint = snapshotFingerprint(base, { period: '24h' });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotFingerprint(adviceCluster(base.collectedAt + 600_000), { period: '24h' })).toBe(
      fingerprint,
    );
    const jitter = adviceCluster();
    jitter.nodes[0]!.cpu.usageCores += 0.01;
    jitter.guests.reverse();
    expect(snapshotFingerprint(jitter, { period: '24h' })).toBe(fingerprint);
    const moved = applyMigrations(base, [{ vmid: 104, sourceNode: 'pve1', targetNode: 'pve2' }]);
    expect(snapshotFingerprint(moved, { period: '24h' })).not.toBe(fingerprint);
    expect(snapshotFingerprint(base, { period: '7d' })).not.toBe(fingerprint);
  });
});

describe('createAdviceCache', () => {
  it('asks the model once per fingerprint, period and model', async () => {
    const cache = createAdviceCache({ ttlMs: 60_000 });
    const first = await cache.advise({
      snapshot: adviceCluster(),
      model: model(),
      options: { plan: { maxMigrations: 1 } },
    });
    const again = await cache.advise({
      snapshot: adviceCluster(adviceCluster().collectedAt + 60_000),
      model: model(),
      options: { plan: { maxMigrations: 1 } },
    });
    expect(first.llm.status).toBe('used');
    expect(again).toBe(first);
    expect(fake.requests).toHaveLength(1);
    await cache.advise({
      snapshot: adviceCluster(),
      model: model(),
      period: '7d',
      options: { plan: { maxMigrations: 1 } },
    });
    expect(fake.requests).toHaveLength(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('shares one call between concurrent callers', async () => {
    fake.setResponder(() => ({ ...goodAnswer, fault: { type: 'delay', ms: 100 } }));
    const cache = createAdviceCache();
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map(() => cache.advise({ snapshot: adviceCluster(), model: model() })),
    );
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(fake.requests).toHaveLength(1);
    expect(cache.stats().shared).toBe(2);
  });

  it('does not cache model failures', async () => {
    fake.enqueue({ fault: { type: 'status', status: 503 } });
    const cache = createAdviceCache();
    const failed = await cache.advise({ snapshot: adviceCluster(), model: model() });
    expect(failed.llm.status).toBe('failed');
    const retried = await cache.advise({ snapshot: adviceCluster(), model: model() });
    expect(retried.llm.status).toBe('used');
    expect(fake.requests).toHaveLength(2);
    expect(cache.stats().notCached).toBe(1);
  });

  it('expires entries and stays bounded', async () => {
    let clock = 0;
    const cache = createAdviceCache({ ttlMs: 1000, maxEntries: 2, now: () => clock });
    const input = { snapshot: adviceCluster() };
    await cache.advise(input);
    await cache.advise({ ...input, period: '1h' });
    await cache.advise({ ...input, period: '6h' });
    expect(cache.size).toBe(2);
    clock = 5000;
    await cache.advise({ ...input, period: '6h' });
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 4 });
  });
});
