import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/store-error';
import type {
  RecommendationHistoryOptions,
  RecommendationHistoryStore,
} from '../history/recommendation-history-store';
import type { NewRecommendation } from '../history/recommendation-record';

/** How the contract suite gets fresh history stores of one implementation. */
export interface RecommendationHistoryHarness {
  create(options: RecommendationHistoryOptions): Promise<RecommendationHistoryStore>;
  reopen?: (
    store: RecommendationHistoryStore,
    options: RecommendationHistoryOptions,
  ) => Promise<RecommendationHistoryStore>;
}

/** The one contract every {@link RecommendationHistoryStore} passes. */
export function describeRecommendationHistoryContract(
  name: string,
  harness: RecommendationHistoryHarness,
): void {
  describe(`RecommendationHistoryStore contract: ${name}`, () => {
    let now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const opened: RecommendationHistoryStore[] = [];
    const create = async (options: RecommendationHistoryOptions = {}) => {
      const store = await harness.create({ now: () => now, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      now = Date.UTC(2026, 0, 10, 12, 0, 0);
    });
    const migration = (overrides: Partial<NewRecommendation> = {}): NewRecommendation => ({
      kind: 'migration',
      snapshotFingerprint: 'snap-1',
      source: 'rule',
      subject: 'guest/101',
      action: 'migrate pve1->pve2',
      payload: { vmid: 101, from: 'pve1', to: 'pve2' },
      verdict: { status: 'accepted', reasons: [] },
      ...overrides,
    });

    it('records a recommendation and its whole life: applied, outcome, feedback', async () => {
      const store = await create();
      const record = await store.record(migration());
      expect(record).toMatchObject({
        kind: 'migration',
        source: 'rule',
        applied: false,
        outcome: null,
        feedback: null,
      });
      expect(record.createdAt).toBe(now);
      await store.markApplied(record.id, now + 1_000);
      await store.recordOutcome(record.id, {
        imbalanceBefore: 0.42,
        imbalanceAfter: 0.18,
        taskStatus: 'OK',
        measuredAt: now + 60_000,
      });
      const final = await store.recordFeedback(record.id, { decision: 'accepted', at: now + 120_000 });
      expect(final).toMatchObject({
        applied: true,
        appliedAt: now + 1_000,
        outcome: { imbalanceBefore: 0.42, imbalanceAfter: 0.18, taskStatus: 'OK' },
        feedback: { decision: 'accepted' },
        payload: { vmid: 101, from: 'pve1', to: 'pve2' },
        verdict: { status: 'accepted', reasons: [] },
      });
      expect(await store.get(record.id)).toEqual(final);
    });

    it('lists recent records newest first, filtered by kind, subject and time', async () => {
      const store = await create();
      await store.record(migration({ createdAt: now - 3_000 }));
      await store.record(migration({ createdAt: now - 2_000, subject: 'guest/102' }));
      await store.record(
        migration({
          createdAt: now - 1_000,
          kind: 'scaling',
          subject: 'deployment/shop/web',
          action: 'scale 3->5',
        }),
      );
      expect((await store.recent()).map((record) => record.createdAt)).toEqual([
        now - 1_000,
        now - 2_000,
        now - 3_000,
      ]);
      expect((await store.recent({ kind: 'migration' })).map((record) => record.subject)).toEqual([
        'guest/102',
        'guest/101',
      ]);
      expect((await store.recent({ subject: 'guest/101' })).length).toBe(1);
      expect((await store.recent({ since: now - 2_500 })).length).toBe(2);
      expect((await store.recent({ limit: 1 })).length).toBe(1);
    });

    it('keeps to its retention and size bounds', async () => {
      const store = await create({ maxRecords: 3, retentionMs: 10_000 });
      await store.record(migration({ createdAt: now - 20_000 }));
      for (let index = 0; index < 5; index++)
        await store.record(migration({ createdAt: now - 5_000 + index }));
      const kept = await store.recent();
      expect(kept.length).toBe(3);
      expect(kept.map((record) => record.createdAt)).toEqual([now - 4_996, now - 4_997, now - 4_998]);
    });

    it('refuses bad input and unknown ids with typed errors', async () => {
      const store = await create();
      await expect(
        store.record({ ...migration(), source: 'guess' } as unknown as NewRecommendation),
      ).rejects.toThrow(StoreError);
      await expect(store.markApplied('no-such-id')).rejects.toThrow(/No recommendation/);
      await expect(store.recordFeedback('no-such-id', { decision: 'rejected', at: now })).rejects.toThrow(
        StoreError,
      );
    });

    it('never stores a secret in clear', async () => {
      const key = ['sk-ant', 'api03', 'Zx9Yw8Vu7Ts6Rq5Po4'].join('-');
      const store = await create({ knownSecrets: ['hunter2-root-pw'] });
      const record = await store.record(
        migration({
          payload: { note: `called with ${key}`, apiKey: 'plain-value', password: 'hunter2-root-pw' },
        }),
      );
      await store.recordFeedback(record.id, {
        decision: 'rejected',
        reason: 'root pw is hunter2-root-pw',
        at: now,
      });
      const text = JSON.stringify(await store.recent());
      expect(text).not.toContain(key);
      expect(text).not.toContain('plain-value');
      expect(text).not.toContain('hunter2-root-pw');
      expect(text).toContain('[redacted]');
    });

    if (harness.reopen)
      it('keeps history across restarts', async () => {
        const store = await create();
        const record = await store.record(migration());
        await store.recordFeedback(record.id, { decision: 'rejected', reason: 'busy', at: now });
        const reopened = await harness.reopen!(store, { now: () => now });
        opened.push(reopened);
        expect((await reopened.get(record.id))?.feedback).toEqual({
          decision: 'rejected',
          reason: 'busy',
          at: now,
        });
      });
  });
}
