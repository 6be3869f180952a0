import type { LlmMigrationRecommendation, RecommendationSource } from '@ballast/core';
import type { ClusterIndex } from './cluster-index';
import type { PlacementPolicy } from './placement-rules';
import type { MigrationReason } from './read-migration-item';
import type { RejectedMigration } from './validate-migration-advice';

/** The resolved options of one `validateMigrationAdvice` call. @internal */
export interface Settings {
  policy: PlacementPolicy;
  source: RecommendationSource;
}

/**
 * Per-call working state of `validateMigrationAdvice`, indexed by item position. Candidates (items
 * that passed every per-item check) are kept as columns of typed arrays rather than one object
 * each; their strings are read back from the item itself when a recommendation is built. @internal
 */
export interface Work {
  items: readonly unknown[];
  index: ClusterIndex;
  settings: Settings;
  /** Reasons per position (only for positions that have some). */
  reasonsAt: Array<MigrationReason[] | undefined>;
  rejectedAt: Array<RejectedMigration | undefined>;
  /** Normalised vmid / target per position (when both are valid), for duplicate detection. */
  vmidAt: Array<number | undefined>;
  targetAt: Array<string | undefined>;
  /** Guest slot of a candidate, -1 otherwise. */
  slotAt: Int32Array;
  /** 1 + index in `migrationPriorities` of a candidate. */
  priorityAt: Uint8Array;
  /** NaN when absent (valid values are always finite). */
  riskAt: Float64Array;
  confidenceAt: Float64Array;
  /** The schema's output for the (rare) items that only the schema accepted. */
  parsedAt?: Map<number, LlmMigrationRecommendation>;
}

/** Rejects the item at `position`, adding to the reasons it was already rejected for. @internal */
export function reject(work: Work, position: number, reasons: MigrationReason[]): void {
  const existing = work.rejectedAt[position];
  if (existing === undefined)
    work.rejectedAt[position] = { index: position, item: work.items[position], reasons };
  else existing.reasons.push(...reasons);
}

/** Appends to a list created on first use. @internal */
export function appendReason(
  reasons: MigrationReason[] | undefined,
  reason: MigrationReason,
): MigrationReason[] {
  if (reasons === undefined) return [reason];
  reasons.push(reason);
  return reasons;
}

/** Fields of a candidate that are read back from the item (or its parsed form) when it is accepted. @internal */
export function itemData(work: Work, position: number): Record<string, unknown> {
  return (work.parsedAt?.get(position) ?? work.items[position]) as Record<string, unknown>;
}
