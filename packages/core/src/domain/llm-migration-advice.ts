import { z } from 'zod';

const looseNumber = z.union([z.number(), z.string()]);

/**
 * One migration as a model writes it, in ProxBalance's prompt shape (snake_case). Deliberately
 * lenient (ids may be strings, extra keys kept): the validator decides what survives.
 *
 * @example
 * ```ts
 * llmMigrationRecommendationSchema.parse({
 *   vmid: '101', source_node: 'pve1', target_node: 'pve2', priority: 'HIGH', reasoning: 'memory pressure', risk_score: 20,
 * });
 * ```
 */
export const llmMigrationRecommendationSchema = z.looseObject({
  vmid: looseNumber,
  name: z.string().nullish(),
  /** `VM` / `CT` (ProxBalance) or `qemu` / `lxc`. */
  type: z.string().nullish(),
  source_node: z.string(),
  target_node: z.string(),
  priority: z.string().nullish(),
  reasoning: z.string().nullish(),
  /** 0..100. */
  risk_score: looseNumber.nullish(),
  /** 0..1. */
  confidence: looseNumber.nullish(),
  estimated_impact: z.string().nullish(),
  best_time: z.string().nullish(),
});

/**
 * A raw model migration item.
 *
 * @example
 * ```ts
 * const item: LlmMigrationRecommendation = { vmid: 101, source_node: 'pve1', target_node: 'pve2' };
 * ```
 */
export type LlmMigrationRecommendation = z.infer<typeof llmMigrationRecommendationSchema>;

/**
 * One predicted issue as a model writes it (ProxBalance: `node, metric, prediction, confidence`).
 *
 * @example
 * ```ts
 * llmPredictedIssueSchema.parse({ node: 'pve1', metric: 'cpu', prediction: 'Will exceed 80% in 2 hours', confidence: 0.85 });
 * ```
 */
export const llmPredictedIssueSchema = z.looseObject({
  node: z.string(),
  metric: z.string(),
  prediction: z.string().nullish(),
  description: z.string().nullish(),
  severity: z.string().nullish(),
  predicted_value: looseNumber.nullish(),
  confidence: looseNumber.nullish(),
});

/**
 * A raw model predicted issue.
 *
 * @example
 * ```ts
 * const issue: LlmPredictedIssue = { node: 'pve1', metric: 'memory', confidence: 0.6 };
 * ```
 */
export type LlmPredictedIssue = z.infer<typeof llmPredictedIssueSchema>;

/**
 * The whole JSON a model is asked to return for migration advice (ProxBalance's
 * `POST /api/ai-recommendations` shape). Items stay `unknown` here so one bad item does not sink
 * the others; parse each with {@link llmMigrationRecommendationSchema} / {@link llmPredictedIssueSchema}.
 *
 * @example
 * ```ts
 * const advice = llmMigrationAdviceSchema.parse({ analysis: 'pve1 is hot', recommendations: [], predicted_issues: [] });
 * ```
 */
export const llmMigrationAdviceSchema = z.looseObject({
  success: z.boolean().nullish(),
  analysis: z.string().nullish(),
  recommendations: z.array(z.unknown()),
  predicted_issues: z.array(z.unknown()).nullish(),
});

/**
 * Raw model migration advice.
 *
 * @example
 * ```ts
 * const advice: LlmMigrationAdvice = { recommendations: [] };
 * ```
 */
export type LlmMigrationAdvice = z.infer<typeof llmMigrationAdviceSchema>;
