import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WorkloadSnapshot, workloadSnapshotSchema } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import {
  createInMemoryRecommendationHistoryStore,
  openStores,
  type RecommendationHistoryStore,
} from '@ballast/store';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecommendationHistory } from '../history/recommendation-history';
import { adviseScaling } from './advise-scaling';

// adviseScaling with a recommendation history (issue 14): it records its answers, holds changes
// back by the hysteresis rules (table in scaling-hysteresis.test.ts) and cites the history in the
// prompt. Each case runs on the in-memory store and on SQLite.

const T = Date.UTC(2026, 2, 2, 12);
const MiB = 2 ** 20;
/** The history's clock: near the real one, so the stores' retention (180 days) keeps the records. */
const base = Date.now();
const minutes = (count: number) => count * 60_000;

/** A Deployment of `cpu.length` pods with 0.5-core requests and an HPA at 70 % CPU, 2..12 replicas. */
function workload(cpu: number[]): WorkloadSnapshot {
  return workloadSnapshotSchema.parse({
    collectedAt: T,
    source: { kind: 'fixture' },
    deployment: {
      namespace: 'shop',
      name: 'web',
      replicas: { desired: cpu.length, current: cpu.length, ready: cpu.length },
      selector: { matchLabels: { app: 'web' } },
      containers: [{ name: 'app', requests: { cpuCores: 0.5, memoryBytes: 256 * MiB } }],
    },
    hpa: {
      name: 'web',
      spec: {
        minReplicas: 2,
        maxReplicas: 12,
        metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } }],
      },
      status: { currentReplicas: cpu.length, desiredReplicas: cpu.length },
    },
    podMetrics: cpu.map((value, index) => ({
      pod: `web-${index}`,
      cpuCores: value,
      memoryBytes: 150 * MiB,
      timestamp: T - 5000,
      windowSeconds: 15,
    })),
    pods: cpu.map((_, index) => ({
      name: `web-${index}`,
      phase: 'Running',
      ready: true,
      startTime: T - 86_400_000,
      requests: { cpuCores: 0.5, memoryBytes: 256 * MiB },
      hasMetrics: true,
    })),
    state: { hpa: 'found', metrics: 'available' },
    history: {},
  });
}

const busy = () => workload([0.41, 0.41, 0.41, 0.41]); // 82 % of requests vs 70 % → HPA says 5
const idle = () => workload([0.1, 0.1, 0.1, 0.1]); // 20 % → HPA says 2

let directory: string;
const closers: Array<() => Promise<void>> = [];
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'ballast-scaling-history-'));
});
afterAll(async () => {
  for (const close of closers) await close();
  rmSync(directory, { recursive: true, force: true });
});

const backends: Array<{ name: string; open: () => Promise<RecommendationHistoryStore> }> = [
  { name: 'in-memory', open: async () => createInMemoryRecommendationHistoryStore() },
  {
    name: 'SQLite',
    open: async () => {
      const stores = await openStores(
        `sqlite:${join(directory, `${Math.random().toString(36).slice(2)}.db`)}`,
      );
      closers.push(() => stores.close());
      return stores.history;
    },
  },
];

describe.each(backends)('adviseScaling with a recommendation history ($name)', (backend) => {
  it('records its answer with fingerprint and source, once per snapshot', async () => {
    const history = await backend.open();
    const first = await adviseScaling({
      workload: busy(),
      recommendationHistory: { history, now: () => base },
    });
    expect(first.chosen).toMatchObject({ source: 'hpa', targetReplicas: 5 });
    expect(first.history).toEqual({ cited: 0, recorded: true });
    const [record] = await history.recent({ kind: 'scaling' });
    expect(record).toMatchObject({
      kind: 'scaling',
      source: 'rule',
      subject: 'deployment/shop/web',
      action: 'scale 4->5',
      createdAt: base,
      verdict: null,
      payload: { source: 'hpa', action: 'scale_up', currentReplicas: 4, targetReplicas: 5 },
    });
    expect(record?.snapshotFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The same advice on the same snapshot a minute later adds nothing (a polling dashboard).
    const again = await adviseScaling({
      workload: { ...busy(), collectedAt: T + 60_000 },
      recommendationHistory: { history, now: () => base + minutes(1) },
    });
    expect(again.history).toEqual({ cited: 1, recorded: false });
    expect(await history.recent({ kind: 'scaling' })).toHaveLength(1);
  });

  it('holds a scale-down right after an applied scale-up, and lets it go after holdMs', async () => {
    const history = await backend.open();
    const applied = await history.record({
      kind: 'scaling',
      createdAt: base - minutes(10),
      snapshotFingerprint: 'f'.repeat(64),
      source: 'rule',
      subject: 'deployment/shop/web',
      action: 'scale 2->4',
    });
    await history.markApplied(applied.id, base - minutes(9));
    const held = await adviseScaling({
      workload: idle(),
      recommendationHistory: { history, now: () => base },
    });
    expect(held.candidates.hpa.targetReplicas).toBe(2);
    expect(held.chosen).toMatchObject({ action: 'maintain', targetReplicas: 4, source: 'hpa' });
    expect(held.chosen.reasoning).toMatch(
      /^Held at 4 by history rule reverses_applied: 2 → 4 was applied 10 min ago, within the 30 min hold; 4 → 2 would reverse it/,
    );
    expect(held.chosen.reasoning).toContain('Without the hold: scale_down to 2');
    expect(held.why).toMatch(/^Held at 4 by history rule reverses_applied/);
    expect(held.history?.hold).toMatchObject({ rule: 'reverses_applied', held: true });
    const [newest] = await history.recent({ kind: 'scaling' });
    expect(newest).toMatchObject({
      action: 'maintain 4',
      payload: { hysteresis: { rule: 'reverses_applied', held: true } },
    });

    const later = await adviseScaling({
      workload: idle(),
      recommendationHistory: { history, now: () => base + minutes(21) },
    });
    expect(later.chosen).toMatchObject({ action: 'scale_down', targetReplicas: 2 });
    expect(later.history?.hold).toBeUndefined();
  });

  it('lets a needed scale-up through a recent rejection, and says so', async () => {
    const history = await backend.open();
    const proposed = await history.record({
      kind: 'scaling',
      createdAt: base - minutes(5),
      snapshotFingerprint: 'e'.repeat(64),
      source: 'rule',
      subject: 'deployment/shop/web',
      action: 'scale 4->6',
    });
    await history.recordFeedback(proposed.id, {
      decision: 'rejected',
      reason: 'budget',
      at: base - minutes(4),
    });
    const result = await adviseScaling({
      workload: busy(),
      recommendationHistory: { history, now: () => base },
    });
    expect(result.chosen).toMatchObject({ action: 'scale_up', targetReplicas: 5 });
    expect(result.history?.hold).toMatchObject({ rule: 'rejected_recently', held: false });
    expect(result.chosen.reasoning).toMatch(
      /history rule rejected_recently: 4 → 6 was rejected 5 min ago.*\(budget\).*overridden/,
    );
  });

  it('ignores other deployments and kinds in the history', async () => {
    const history = await backend.open();
    const other = await history.record({
      kind: 'scaling',
      createdAt: base - minutes(10),
      snapshotFingerprint: 'd'.repeat(64),
      source: 'rule',
      subject: 'deployment/shop/api',
      action: 'scale 2->4',
    });
    await history.markApplied(other.id);
    const result = await adviseScaling({
      workload: idle(),
      recommendationHistory: { history, now: () => base },
    });
    expect(result.chosen).toMatchObject({ action: 'scale_down', targetReplicas: 2 });
    expect(result.history).toEqual({ cited: 0, recorded: true });
  });
});

describe('adviseScaling history with a model', () => {
  let fake: FakeLlmServer;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: 'test-key' });
  });
  afterAll(() => fake.close());

  it('cites recent recommendations in the prompt, bounded and redacted, and records the verdict', async () => {
    const history = createInMemoryRecommendationHistoryStore();
    for (let index = 0; index < 14; index++)
      await history.record({
        kind: 'scaling',
        createdAt: base - minutes(20 - index),
        snapshotFingerprint: String(index).padStart(64, '0'),
        source: 'rule',
        subject: 'deployment/shop/web',
        action: 'maintain 3',
      });
    const rejected = await history.record({
      kind: 'scaling',
      createdAt: base - minutes(2),
      snapshotFingerprint: 'c'.repeat(64),
      source: 'llm',
      subject: 'deployment/shop/web',
      action: 'scale 3->2',
    });
    await history.recordFeedback(rejected.id, {
      decision: 'rejected',
      reason: 'too small; ask ops with token=hunter2-secret-value',
      at: base - minutes(1),
    });
    fake.setResponder(() => ({
      text: JSON.stringify({
        scaling_type: 'hpa',
        action: 'scale_up',
        target_replicas: 4,
        confidence: 0.8,
        reasoning: 'CPU close to target',
        factors_considered: ['cpu'],
        risk_assessment: 'low',
        cost_impact: 'low',
        performance_impact: 'positive',
        recommended_timing: 'immediate',
      }),
    }));
    const before = fake.requests.length;
    const result = await adviseScaling({
      workload: workload([0.35, 0.35, 0.35]),
      model: createOpenAI({ apiKey: 'test-key', baseURL: `${fake.url}/v1` }).chatModel('gpt-4o-mini'),
      recommendationHistory: { history, now: () => base },
      options: { timeoutMs: 10_000 },
    });
    const body = fake.requests[before]?.body as { messages: Array<{ role: string; content: string }> };
    const user = body.messages.find((message) => message.role === 'user')?.content ?? '';
    const cited = JSON.parse(user.slice(user.indexOf('{'))).recent_recommendations as Array<
      Record<string, string>
    >;
    expect(cited).toHaveLength(10);
    expect(cited[0]).toEqual({
      time: new Date(base - minutes(2)).toISOString(),
      change: '3->2',
      status: 'rejected',
      reason: 'too small; ask ops with token=[redacted]',
    });
    expect(cited[1]).toMatchObject({ change: 'maintain 3', status: 'proposed' });
    expect(user).not.toContain('hunter2');
    const system = body.messages.find((message) => message.role === 'system')?.content ?? '';
    expect(system).toContain('recent_recommendations');

    expect(result.chosen).toMatchObject({ source: 'llm', targetReplicas: 4 });
    expect(result.history).toMatchObject({ cited: 10, recorded: true });
    const [newest] = await history.recent({ kind: 'scaling', limit: 1 });
    expect(newest).toMatchObject({ source: 'llm', action: 'scale 3->4', verdict: { status: 'accepted' } });
  });

  it('advises without history when the history fails, and says so', async () => {
    const broken: RecommendationHistory = {
      record: () => Promise.reject(new Error('disk full')),
      recent: () => Promise.reject(new Error('database is locked')),
    };
    const result = await adviseScaling({ workload: busy(), recommendationHistory: { history: broken } });
    expect(result.chosen).toMatchObject({ source: 'hpa', targetReplicas: 5 });
    expect(result.history).toEqual({ cited: 0, recorded: false, error: 'history unavailable: Error' });
  });
});
