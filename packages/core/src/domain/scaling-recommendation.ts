import { z } from 'zod';
import { recommendationSourceSchema } from './migration-recommendation';

/**
 * AI4K8s's action set. `at_max` means "would scale up but already at `maxReplicas`".
 *
 * @example
 * ```ts
 * const action: ScalingAction = scalingActionSchema.parse('scale_up');
 * ```
 */
export const scalingActionSchema = z.enum(['scale_up', 'scale_down', 'maintain', 'at_max']);

/**
 * A scaling action.
 *
 * @example
 * ```ts
 * const action: ScalingAction = 'maintain';
 * ```
 */
export type ScalingAction = z.infer<typeof scalingActionSchema>;

/**
 * A three-step level used for risk and cost impact.
 *
 * @example
 * ```ts
 * const level: ImpactLevel = impactLevelSchema.parse('low');
 * ```
 */
export const impactLevelSchema = z.enum(['low', 'medium', 'high']);

/**
 * `low`, `medium` or `high`.
 *
 * @example
 * ```ts
 * const level: ImpactLevel = 'high';
 * ```
 */
export type ImpactLevel = z.infer<typeof impactLevelSchema>;

/**
 * Expected effect on performance (AI4K8s `performance_impact`).
 *
 * @example
 * ```ts
 * const impact: PerformanceImpact = performanceImpactSchema.parse('positive');
 * ```
 */
export const performanceImpactSchema = z.enum(['positive', 'neutral', 'negative']);

/**
 * `positive`, `neutral` or `negative`.
 *
 * @example
 * ```ts
 * const impact: PerformanceImpact = 'neutral';
 * ```
 */
export type PerformanceImpact = z.infer<typeof performanceImpactSchema>;

/**
 * When to apply a scaling change (AI4K8s `recommended_timing`).
 *
 * @example
 * ```ts
 * const timing: ScalingTiming = scalingTimingSchema.parse('gradual');
 * ```
 */
export const scalingTimingSchema = z.enum(['immediate', 'gradual', 'scheduled']);

/**
 * `immediate`, `gradual` or `scheduled`.
 *
 * @example
 * ```ts
 * const timing: ScalingTiming = 'immediate';
 * ```
 */
export type ScalingTiming = z.infer<typeof scalingTimingSchema>;

/**
 * A replica-count recommendation for one workload, in AI4K8s's fields (camelCase). `action` is
 * always consistent with `targetReplicas` vs `currentReplicas` once validated.
 *
 * @example
 * ```ts
 * const advice: ScalingRecommendation = scalingRecommendationSchema.parse({
 *   action: 'scale_up', currentReplicas: 4, targetReplicas: 6, confidence: 0.8,
 *   reasoning: 'CPU at 92 % of requests and rising', factors: ['cpu trend'], risk: 'low', source: 'llm',
 * });
 * ```
 */
export const scalingRecommendationSchema = z.object({
  action: scalingActionSchema,
  currentReplicas: z.number().int().nonnegative(),
  targetReplicas: z.number().int().nonnegative(),
  /** 0..1. */
  confidence: z.number().finite().min(0).max(1),
  /** Free text from the producer; never edited by the validator. */
  reasoning: z.string(),
  /** Factors considered (AI4K8s `factors_considered`). */
  factors: z.array(z.string()).default([]),
  /** AI4K8s `risk_assessment`. */
  risk: impactLevelSchema.optional(),
  costImpact: impactLevelSchema.optional(),
  performanceImpact: performanceImpactSchema.optional(),
  timing: scalingTimingSchema.optional(),
  /** AI4K8s `scaling_type`. */
  scalingType: z.enum(['hpa', 'vpa', 'both', 'maintain']).optional(),
  /** AI4K8s `criteria_scores` (performance, stability, cost, forecast_alignment, response_time), 0..1. */
  criteriaScores: z.record(z.string(), z.number().finite()).optional(),
  source: recommendationSourceSchema,
});

/**
 * A scaling recommendation.
 *
 * @example
 * ```ts
 * const delta = (advice: ScalingRecommendation) => advice.targetReplicas - advice.currentReplicas;
 * ```
 */
export type ScalingRecommendation = z.infer<typeof scalingRecommendationSchema>;
