import { createOpenAI } from '@ballast/openai';
import { createInMemoryRecommendationHistoryStore } from '@ballast/store';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { adviseMigrations } from './advise-migrations';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

const now = Date.UTC(2026, 0, 10, 12);

describe('adviseMigrations with a recommendation history (hysteresis)', () => {
  it('records each recommendation with fingerprint, source and verdict', async () => {
    const history = createInMemoryRecommendationHistoryStore({ now: () => now });
    const advice = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history, now: () => now } },
    });
    expect(advice.recommendations.length).toBe(1);
    expect(advice.history).toEqual({ cited: 0, heldBack: 0, recorded: 1 });
    const [record] = await history.recent();
    const move = advice.recommendations[0]!;
    expect(record).toMatchObject({
      kind: 'migration',
      source: 'rule',
      subject: `guest/${move.vmid}`,
      action: `migrate ${move.sourceNode}->${move.targetNode}`,
      verdict: { status: 'accepted' },
      applied: false,
    });
    expect(record!.snapshotFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not re-recommend a move the user just rejected, and cites it in the prompt', async () => {
    const history = createInMemoryRecommendationHistoryStore({ now: () => now });
    const first = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history, now: () => now } },
    });
    const move = first.recommendations[0]!;
    const [record] = await history.recent();
    await history.recordFeedback(record!.id, { decision: 'rejected', reason: 'change freeze', at: now });

    fake.setResponder(() => ({
      text: JSON.stringify({ analysis: 'ok', recommendations: [], predicted_issues: [] }),
    }));
    const second = await adviseMigrations({
      snapshot: adviceCluster(),
      model: createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test-key-000000000000' }).chatModel(
        'gpt-4o-mini',
      ),
      options: { plan: { maxMigrations: 1 }, history: { history, now: () => now + 60_000 } },
    });
    expect(second.recommendations.map((entry) => entry.vmid)).not.toContain(move.vmid);
    expect(second.rejected).toContainEqual(
      expect.objectContaining({
        source: 'rule',
        reasons: [
          expect.objectContaining({
            code: 'recent_decision',
            message: expect.stringContaining('change freeze'),
          }),
        ],
      }),
    );
    expect(second.history).toMatchObject({ cited: 1, heldBack: 1 });
    const prompt = JSON.stringify(fake.requests.at(-1)?.body);
    expect(prompt).toContain(
      `guest/${move.vmid} migrate ${move.sourceNode}->${move.targetNode}: rejected (change freeze)`,
    );
  });

  it('holds a just-applied guest, releases it after holdMs, and survives a failing history', async () => {
    const history = createInMemoryRecommendationHistoryStore({ now: () => now });
    const first = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history, now: () => now } },
    });
    const [record] = await history.recent();
    await history.markApplied(record!.id, now);
    const held = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history, now: () => now + 1_000 } },
    });
    expect(held.recommendations.map((entry) => entry.vmid)).not.toContain(first.recommendations[0]!.vmid);
    const later = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history, holdMs: 60_000, now: () => now + 120_000 } },
    });
    expect(later.recommendations[0]?.vmid).toBe(first.recommendations[0]!.vmid);

    const broken = {
      record: async () => {
        throw new Error('database down');
      },
      recent: async () => {
        throw new Error('database down');
      },
    };
    const survived = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 1 }, history: { history: broken } },
    });
    expect(survived.recommendations.length).toBe(1);
    expect(survived.history).toMatchObject({ recorded: 0, error: 'history unavailable: Error' });
  });
});
