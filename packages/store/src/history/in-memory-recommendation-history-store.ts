import { refuseAfterClose } from '../refuse-after-close';
import { assertFiniteQuery } from '../validate-input';
import {
  prepareAppliedAt,
  prepareFeedback,
  prepareOutcome,
  prepareRecommendation,
  unknownRecommendation,
} from './prepare-recommendation';
import {
  historyOptionsWithDefaults,
  type RecommendationHistoryOptions,
  type RecommendationHistoryStore,
  recentLimit,
} from './recommendation-history-store';
import type { RecommendationRecord } from './recommendation-record';

/**
 * A {@link RecommendationHistoryStore} in this process (bounded, lost on restart).
 *
 * @example
 * ```ts
 * const history = createInMemoryRecommendationHistoryStore();
 * ```
 */
export function createInMemoryRecommendationHistoryStore(
  options: RecommendationHistoryOptions = {},
): RecommendationHistoryStore {
  const settings = historyOptionsWithDefaults(options);
  const context = { backend: 'memory' as const, knownSecrets: settings.knownSecrets };
  const records = new Map<string, RecommendationRecord>();
  const copy = (record: RecommendationRecord): RecommendationRecord => structuredClone(record);
  const update = async (id: string, change: (record: RecommendationRecord) => void) => {
    const record = records.get(id);
    if (!record) throw unknownRecommendation(id, 'memory');
    change(record);
    return copy(record);
  };
  const prune = async () => {
    const cutoff = settings.now() - settings.retentionMs;
    let deleted = 0;
    const ordered = [...records.values()].sort((a, b) => a.createdAt - b.createdAt);
    for (const [index, record] of ordered.entries())
      if (record.createdAt < cutoff || ordered.length - index > settings.maxRecords) {
        records.delete(record.id);
        deleted += 1;
      }
    return deleted;
  };
  const store: RecommendationHistoryStore = {
    async record(input) {
      const record = prepareRecommendation(input, { ...context, now: settings.now() });
      records.set(record.id, record);
      await prune();
      return copy(record);
    },
    markApplied: async (id, appliedAt) => {
      const at = prepareAppliedAt(appliedAt, 'memory');
      return update(id, (record) => {
        record.applied = true;
        record.appliedAt = at ?? settings.now();
      });
    },
    recordOutcome: (id, outcome) =>
      update(id, (record) => {
        record.outcome = prepareOutcome(outcome, context);
      }),
    recordFeedback: (id, feedback) =>
      update(id, (record) => {
        record.feedback = prepareFeedback(feedback, context);
      }),
    async get(id) {
      const record = records.get(id);
      return record ? copy(record) : undefined;
    },
    async recent(query = {}) {
      assertFiniteQuery({ since: query.since, limit: query.limit }, 'memory');
      return [...records.values()]
        .filter(
          (record) =>
            (query.kind === undefined || record.kind === query.kind) &&
            (query.subject === undefined || record.subject === query.subject) &&
            (query.since === undefined || record.createdAt >= query.since),
        )
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, recentLimit(query.limit))
        .map(copy);
    },
    prune,
    async describe() {
      return { backend: 'memory', location: 'process memory', schemaVersion: 0 };
    },
    async close() {},
  };
  return refuseAfterClose(store, { backend: 'memory', name: 'recommendation history' });
}
