import { z } from 'zod';
import { recommendationSourceSchema } from './migration-recommendation';

/**
 * How bad a predicted issue is.
 *
 * @example
 * ```ts
 * const severity: IssueSeverity = issueSeveritySchema.parse('high');
 * ```
 */
export const issueSeveritySchema = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * A predicted issue's severity.
 *
 * @example
 * ```ts
 * const severity: IssueSeverity = 'low';
 * ```
 */
export type IssueSeverity = z.infer<typeof issueSeveritySchema>;

/**
 * A problem expected on a node (ProxBalance's `predicted_issues`), e.g. memory running out.
 *
 * @example
 * ```ts
 * const issue: PredictedIssue = predictedIssueSchema.parse({
 *   node: 'pve1', metric: 'memory', severity: 'high', predictedValue: 0.95, expectedAt: Date.now() + 7_200_000,
 *   confidence: 0.7, description: 'memory will exceed 95 % within 2 h', source: 'rule',
 * });
 * ```
 */
export const predictedIssueSchema = z.object({
  node: z.string().min(1),
  /** `cpu`, `memory`, `disk`, `iowait`, `network`, `storage`, … */
  metric: z.string().min(1),
  severity: issueSeveritySchema.optional(),
  /** Predicted value in the metric's unit (fraction 0..1 for utilisation, cores, bytes). */
  predictedValue: z.number().finite().optional(),
  /** When the issue is expected, epoch ms. */
  expectedAt: z.number().finite().optional(),
  /** 0..1. */
  confidence: z.number().finite().min(0).max(1),
  /** Free text (ProxBalance `prediction`). */
  description: z.string(),
  source: recommendationSourceSchema,
});

/**
 * A predicted node issue.
 *
 * @example
 * ```ts
 * const urgent = (issue: PredictedIssue) => issue.severity === 'critical' && issue.confidence > 0.5;
 * ```
 */
export type PredictedIssue = z.infer<typeof predictedIssueSchema>;
