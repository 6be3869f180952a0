import type { MigrationRecommendation } from '@ballast/core';

/**
 * The part of a recommendation history the advisors use. `@ballast/store`'s
 * `RecommendationHistoryStore` (in memory, SQLite, PostgreSQL) satisfies it; the advisor depends
 * on this shape only, so it never pulls a database driver in.
 */
export interface RecommendationHistory {
  record(recommendation: {
    kind: 'migration' | 'scaling' | 'avi';
    /** Epoch ms; the store's clock when left out. */
    createdAt?: number;
    snapshotFingerprint: string;
    source: 'rule' | 'llm';
    subject: string;
    action: string;
    payload?: Record<string, unknown>;
    verdict?: { status: 'accepted' | 'repaired' | 'rejected'; reasons?: string[] };
  }): Promise<unknown>;
  /** Newest first; `subject` narrows to one guest or deployment. */
  recent(query?: {
    kind?: 'migration' | 'scaling' | 'avi';
    subject?: string;
    since?: number;
    limit?: number;
  }): Promise<ReadonlyArray<RecommendationHistoryEntry>>;
}

/**
 * One stored recommendation as the advisors read it back (a subset of `@ballast/store`'s
 * `RecommendationRecord`).
 *
 * @example
 * ```ts
 * const rejected = (entry: RecommendationHistoryEntry) => entry.feedback?.decision === 'rejected';
 * ```
 */
export interface RecommendationHistoryEntry {
  subject: string;
  action: string;
  createdAt: number;
  applied: boolean;
  feedback: { decision: 'accepted' | 'rejected'; reason?: string | undefined } | null;
  /** The snapshot it was computed from (lets an advisor skip recording the same advice twice). */
  snapshotFingerprint?: string;
}

/**
 * Hysteresis settings of an advisor with history.
 *
 * @example
 * ```ts
 * const history: HistoryOptions = { history: stores.history, holdMs: 30 * 60_000 };
 * ```
 */
export interface HistoryOptions {
  history: RecommendationHistory;
  /** How long a rejected or applied decision holds. Default 6 h for migrations, 30 min for scaling. */
  holdMs?: number;
  now?: () => number;
}

/** A decision still holding, and what it blocks. */
export interface RecentDecision {
  subject: string;
  action: string;
  /** `rejected`: the same move is not proposed again; `applied`: the subject is not moved again. */
  decision: 'rejected' | 'applied';
  reason?: string;
  at: number;
}

/** Subject of a migration in the history: `guest/<vmid>`. */
export function migrationSubject(move: Pick<MigrationRecommendation, 'vmid'>): string {
  return `guest/${move.vmid}`;
}

/** Action of a migration in the history: `migrate <source>-><target>`. */
export function migrationAction(move: Pick<MigrationRecommendation, 'sourceNode' | 'targetNode'>): string {
  return `migrate ${move.sourceNode}->${move.targetNode}`;
}

/** The decisions of the last `holdMs` that still hold (newest per subject and action). */
export async function recentDecisions(
  options: HistoryOptions,
  kind: 'migration' | 'scaling',
): Promise<RecentDecision[]> {
  const now = (options.now ?? Date.now)();
  const records = await options.history.recent({
    kind,
    since: now - (options.holdMs ?? 6 * 3_600_000),
    limit: 500,
  });
  const decisions: RecentDecision[] = [];
  for (const record of records) {
    if (record.feedback?.decision === 'rejected')
      decisions.push({
        subject: record.subject,
        action: record.action,
        decision: 'rejected',
        ...(record.feedback.reason ? { reason: record.feedback.reason } : {}),
        at: record.createdAt,
      });
    else if (record.applied)
      decisions.push({
        subject: record.subject,
        action: record.action,
        decision: 'applied',
        at: record.createdAt,
      });
  }
  return decisions;
}

/** Why a move is held back by a recent decision, or `undefined` when it is free to propose. */
export function heldBack(
  decisions: readonly RecentDecision[],
  subject: string,
  action: string,
): RecentDecision | undefined {
  return decisions.find(
    (decision) =>
      decision.subject === subject && (decision.decision === 'applied' || decision.action === action),
  );
}

/** Prompt lines citing recent decisions, so the model does not propose them again. */
export function historyPromptLines(decisions: readonly RecentDecision[]): string[] {
  if (decisions.length === 0) return [];
  return [
    'Recent decisions (do not propose these again; an applied move means the guest just moved):',
    ...decisions
      .slice(0, 30)
      .map(
        (decision) =>
          `- ${decision.subject} ${decision.action}: ${decision.decision}${decision.reason ? ` (${decision.reason.slice(0, 200)})` : ''}`,
      ),
  ];
}
