import type { StoreDescription } from '../store-description';
import type {
  NewRecommendation,
  RecommendationFeedback,
  RecommendationKind,
  RecommendationOutcome,
  RecommendationRecord,
} from './recommendation-record';

/** Filter of {@link RecommendationHistoryStore.recent}. */
export interface RecentRecommendationsQuery {
  kind?: RecommendationKind;
  subject?: string;
  /** Only records created at or after this epoch ms. */
  since?: number;
  /** At most this many, newest first. Default 50, at most 1 000. */
  limit?: number;
}

/** Bounds of a history store. */
export interface RecommendationHistoryOptions {
  /** Records older than this are deleted. Default 180 days. */
  retentionMs?: number;
  /** At most this many records are kept (oldest deleted first). Default 100 000. */
  maxRecords?: number;
  /** Extra secret values to redact from stored text (API keys of the host). */
  knownSecrets?: readonly string[];
  now?: () => number;
}

/**
 * Every migration, scaling and Avi recommendation with its snapshot fingerprint, source, validator
 * verdict, whether it was applied, the outcome measured after, and the user's feedback. Advisors
 * read {@link RecommendationHistoryStore.recent} for hysteresis (do not re-propose what was just
 * rejected or applied) and cite it in their prompts.
 *
 * @example
 * ```ts
 * const record = await history.record({ kind: 'migration', snapshotFingerprint: 'ab12', source: 'rule',
 *   subject: 'guest/101', action: 'migrate pve1->pve2' });
 * await history.recordFeedback(record.id, { decision: 'rejected', reason: 'maintenance window', at: Date.now() });
 * ```
 */
export interface RecommendationHistoryStore {
  /**
   * Stores a new recommendation and returns it with its id.
   * @throws {StoreError} `invalid_input` when it does not match {@link newRecommendationSchema}.
   */
  record(recommendation: NewRecommendation): Promise<RecommendationRecord>;
  /** Marks a recommendation applied (at `appliedAt`, default now). Unknown id: `StoreError`. */
  markApplied(id: string, appliedAt?: number): Promise<RecommendationRecord>;
  /** Stores the measured outcome. Unknown id: `StoreError`. */
  recordOutcome(id: string, outcome: RecommendationOutcome): Promise<RecommendationRecord>;
  /** Stores the user's feedback. Unknown id: `StoreError`. */
  recordFeedback(id: string, feedback: RecommendationFeedback): Promise<RecommendationRecord>;
  get(id: string): Promise<RecommendationRecord | undefined>;
  /** Newest first. */
  recent(query?: RecentRecommendationsQuery): Promise<RecommendationRecord[]>;
  /** Applies retention and size bounds now (also done on every `record`). */
  prune(): Promise<number>;
  describe(): Promise<StoreDescription>;
  close(): Promise<void>;
}

/** Options with defaults applied. */
export function historyOptionsWithDefaults(options: RecommendationHistoryOptions) {
  return {
    retentionMs: options.retentionMs ?? 180 * 86_400_000,
    maxRecords: options.maxRecords ?? 100_000,
    knownSecrets: options.knownSecrets ?? [],
    now: options.now ?? (() => Date.now()),
  };
}

/** Clamps a `recent()` limit to 1..1 000 (default 50). */
export function recentLimit(limit: number | undefined): number {
  return Math.min(1_000, Math.max(1, Math.floor(limit ?? 50)));
}
