import { z } from 'zod';

const looseNumber = z.union([z.number(), z.string()]);

/**
 * The JSON a model is asked to return for autoscaling advice, in AI4K8s's prompt shape
 * (snake_case). Lenient on purpose (numbers may be strings, enums any case, extra keys kept); the
 * validator checks and repairs it.
 *
 * @example
 * ```ts
 * llmScalingAdviceSchema.parse({
 *   scaling_type: 'hpa', action: 'scale_up', target_replicas: 6, confidence: 0.8, reasoning: 'CPU trend up',
 *   factors_considered: ['cpu'], risk_assessment: 'low', cost_impact: 'medium', performance_impact: 'positive',
 *   recommended_timing: 'immediate',
 * });
 * ```
 */
export const llmScalingAdviceSchema = z.looseObject({
  scaling_type: z.string().nullish(),
  action: z.string().nullish(),
  target_replicas: looseNumber.nullish(),
  target_cpu: z.union([z.string(), z.number()]).nullish(),
  target_memory: z.union([z.string(), z.number()]).nullish(),
  confidence: looseNumber.nullish(),
  reasoning: z.string().nullish(),
  criteria_scores: z.record(z.string(), z.unknown()).nullish(),
  factors_considered: z.array(z.unknown()).nullish(),
  risk_assessment: z.string().nullish(),
  cost_impact: z.string().nullish(),
  performance_impact: z.string().nullish(),
  recommended_timing: z.string().nullish(),
});

/**
 * Raw model scaling advice.
 *
 * @example
 * ```ts
 * const advice: LlmScalingAdvice = { action: 'maintain', target_replicas: 3, confidence: 0.9, reasoning: 'steady' };
 * ```
 */
export type LlmScalingAdvice = z.infer<typeof llmScalingAdviceSchema>;
