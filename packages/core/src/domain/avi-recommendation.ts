import { z } from 'zod';
import { recommendationSourceSchema } from './migration-recommendation';

/**
 * What an Avi recommendation asks an operator to do. Each maps to one controller call:
 *
 * | action | call |
 * |---|---|
 * | `scale_out_virtual_service` | `POST /api/virtualservice/{uuid}/scaleout` |
 * | `migrate_virtual_service` | `POST /api/virtualservice/{uuid}/migrate` (from one SE to another) |
 * | `disable_pool_server` / `enable_pool_server` | `PATCH /api/pool/{uuid}` (`servers[].enabled`) |
 * | `set_pool_server_ratio` | `PATCH /api/pool/{uuid}` (`servers[].ratio`, 1–20) |
 * | `investigate_virtual_service` | none: a falling health score or error rate a person should look at |
 *
 * @example
 * ```ts
 * const action: AviAction = aviActionSchema.parse('migrate_virtual_service');
 * ```
 */
export const aviActionSchema = z.enum([
  'scale_out_virtual_service',
  'migrate_virtual_service',
  'disable_pool_server',
  'enable_pool_server',
  'set_pool_server_ratio',
  'investigate_virtual_service',
]);

/**
 * An Avi recommendation's action.
 *
 * @example
 * ```ts
 * const action: AviAction = 'scale_out_virtual_service';
 * ```
 */
export type AviAction = z.infer<typeof aviActionSchema>;

/**
 * Risk of applying a recommendation: `low` (no traffic moves), `medium` (flows move or capacity
 * shrinks), `high` (a pool or SE is left with little headroom).
 *
 * @example
 * ```ts
 * const risk: AviRisk = aviRiskSchema.parse('medium');
 * ```
 */
export const aviRiskSchema = z.enum(['low', 'medium', 'high']);

/**
 * A recommendation's risk.
 *
 * @example
 * ```ts
 * const risk: AviRisk = 'low';
 * ```
 */
export type AviRisk = z.infer<typeof aviRiskSchema>;

/**
 * One Avi recommendation as a model is asked to give it: objects by name, the action, and why.
 * `server` is `ip` or `ip:port` of a pool server; `toServiceEngine` is the target of a migration.
 *
 * @example
 * ```ts
 * const item: LlmAviRecommendation = llmAviRecommendationSchema.parse({
 *   action: 'disable_pool_server', pool: 'pool-shop', server: '10.0.0.13:8080', risk: 'medium',
 *   reasoning: 'Fails its HTTP health check for 20 minutes.',
 * });
 * ```
 */
export const llmAviRecommendationSchema = z.object({
  action: aviActionSchema,
  virtualService: z.string().min(1).max(256).optional(),
  pool: z.string().min(1).max(256).optional(),
  server: z.string().min(1).max(300).optional(),
  fromServiceEngine: z.string().min(1).max(256).optional(),
  toServiceEngine: z.string().min(1).max(256).optional(),
  ratio: z.number().int().optional(),
  risk: aviRiskSchema,
  reasoning: z.string().max(4_000),
});

/**
 * A model's Avi recommendation.
 *
 * @example
 * ```ts
 * const target = (item: LlmAviRecommendation) => item.virtualService ?? item.pool;
 * ```
 */
export type LlmAviRecommendation = z.infer<typeof llmAviRecommendationSchema>;

/**
 * The JSON answer a model gives when asked for Avi advice.
 *
 * @example
 * ```ts
 * const answer: LlmAviAdvice = llmAviAdviceSchema.parse({ analysis: 'One SE runs hot.', recommendations: [] });
 * ```
 */
export const llmAviAdviceSchema = z.object({
  analysis: z.string().max(8_000),
  recommendations: z.array(llmAviRecommendationSchema).max(50),
});

/**
 * A model's Avi advice.
 *
 * @example
 * ```ts
 * const count = (advice: LlmAviAdvice) => advice.recommendations.length;
 * ```
 */
export type LlmAviAdvice = z.infer<typeof llmAviAdviceSchema>;

/**
 * A validated Avi recommendation: the model's or the rules' item, plus who made it, a stable id,
 * and the numbers it was computed from (e.g. `seCpuPercent`, `projectedTargetCpuPercent`).
 *
 * @example
 * ```ts
 * const line = (r: AviRecommendation) => `[${r.source}] ${r.action} ${r.virtualService ?? r.pool} (${r.risk})`;
 * ```
 */
export const aviRecommendationSchema = llmAviRecommendationSchema.extend({
  id: z.string().min(1),
  source: recommendationSourceSchema,
  numbers: z.record(z.string(), z.number().finite()).default({}),
});

/**
 * An Avi recommendation, from the rules or a validated model answer.
 *
 * @example
 * ```ts
 * const risky = (r: AviRecommendation) => r.risk === 'high';
 * ```
 */
export type AviRecommendation = z.infer<typeof aviRecommendationSchema>;
