import { z } from 'zod';
import { storedText } from '../validate-input';

/** What a recommendation is about. */
export const recommendationKindSchema = z.enum(['migration', 'scaling', 'avi']);

/** What the validator said about a recommendation before anyone acted on it. */
export const validatorVerdictSchema = z
  .object({
    status: z.enum(['accepted', 'repaired', 'rejected']),
    reasons: z.array(storedText().max(2_000)).max(50).default([]),
  })
  .strict();

/** What was measured after a recommendation was applied. */
export const recommendationOutcomeSchema = z
  .object({
    /** Cluster imbalance (e.g. standard deviation of node load) before and after. */
    imbalanceBefore: z.number().finite().optional(),
    imbalanceAfter: z.number().finite().optional(),
    /** Status of the task that applied it (`OK`, `failed: …`, `scaled`). */
    taskStatus: storedText().max(500).optional(),
    measuredAt: z.number().int().nonnegative(),
  })
  .strict();

/** A user's answer to a recommendation. */
export const recommendationFeedbackSchema = z
  .object({
    decision: z.enum(['accepted', 'rejected']),
    reason: storedText().max(2_000).optional(),
    at: z.number().int().nonnegative(),
  })
  .strict();

/** Input of `RecommendationHistoryStore.record()`. */
export const newRecommendationSchema = z
  .object({
    kind: recommendationKindSchema,
    /** Epoch ms; defaults to the store's clock. */
    createdAt: z.number().int().nonnegative().optional(),
    /** Hash of the snapshot the recommendation was computed from (same snapshot, same hash). */
    snapshotFingerprint: storedText().min(1).max(200),
    source: z.enum(['rule', 'llm']),
    /** What it is about, stable across runs: `guest/101`, `deployment/shop/web`, `pool/web-pool`. */
    subject: storedText().min(1).max(500),
    /** What it proposes, stable across runs: `migrate pve1->pve2`, `scale 3->5`. */
    action: storedText().min(1).max(500),
    /** The recommendation itself (JSON); secrets inside are redacted before storage. */
    payload: z.record(z.string(), z.unknown()).default({}),
    verdict: validatorVerdictSchema.optional(),
  })
  .strict();

/** A recommendation to record (see {@link newRecommendationSchema}). */
export type NewRecommendation = z.input<typeof newRecommendationSchema>;
/** Validator verdict (see {@link validatorVerdictSchema}). */
export type ValidatorVerdict = z.infer<typeof validatorVerdictSchema>;
/** Measured outcome (see {@link recommendationOutcomeSchema}). */
export type RecommendationOutcome = z.infer<typeof recommendationOutcomeSchema>;
/** User feedback (see {@link recommendationFeedbackSchema}). */
export type RecommendationFeedback = z.infer<typeof recommendationFeedbackSchema>;
/** Kind of recommendation (see {@link recommendationKindSchema}). */
export type RecommendationKind = z.infer<typeof recommendationKindSchema>;

/** A stored recommendation with everything learned about it since. */
export interface RecommendationRecord {
  id: string;
  kind: RecommendationKind;
  createdAt: number;
  snapshotFingerprint: string;
  source: 'rule' | 'llm';
  subject: string;
  action: string;
  payload: Record<string, unknown>;
  verdict: ValidatorVerdict | null;
  applied: boolean;
  appliedAt: number | null;
  outcome: RecommendationOutcome | null;
  feedback: RecommendationFeedback | null;
}
