import { z } from 'zod';

/**
 * Urgency of a migration. ProxBalance's prompt asks for `high|medium|low`; `critical` is used by
 * Ballast's planners for evacuating a node in maintenance.
 *
 * @example
 * ```ts
 * const priority: MigrationPriority = migrationPrioritySchema.parse('high');
 * ```
 */
export const migrationPrioritySchema = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * A migration priority.
 *
 * @example
 * ```ts
 * const priority: MigrationPriority = 'medium';
 * ```
 */
export type MigrationPriority = z.infer<typeof migrationPrioritySchema>;

/**
 * Who produced a recommendation: the deterministic planner (`rule`) or a model (`llm`).
 *
 * @example
 * ```ts
 * const source: RecommendationSource = recommendationSourceSchema.parse('llm');
 * ```
 */
export const recommendationSourceSchema = z.enum(['rule', 'llm']);

/**
 * The producer of a recommendation.
 *
 * @example
 * ```ts
 * const source: RecommendationSource = 'rule';
 * ```
 */
export type RecommendationSource = z.infer<typeof recommendationSourceSchema>;

/**
 * Load of one node at a point of a plan: CPU in cores, memory in bytes.
 *
 * @example
 * ```ts
 * const load: NodeLoad = nodeLoadSchema.parse({ cpuCores: 3.5, memoryUsedBytes: 2 ** 34, memoryTotalBytes: 2 ** 36, cpuTotalCores: 16 });
 * ```
 */
export const nodeLoadSchema = z.object({
  cpuCores: z.number().finite().nonnegative(),
  cpuTotalCores: z.number().finite().nonnegative(),
  memoryUsedBytes: z.number().finite().nonnegative(),
  memoryTotalBytes: z.number().finite().nonnegative(),
});

/**
 * A node's load.
 *
 * @example
 * ```ts
 * const ratio = (load: NodeLoad) => load.memoryUsedBytes / load.memoryTotalBytes;
 * ```
 */
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

/**
 * Computed loads of the source and target nodes before and after a move (after every earlier
 * accepted move of the same plan).
 *
 * @example
 * ```ts
 * const load = { cpuCores: 1, cpuTotalCores: 8, memoryUsedBytes: 1, memoryTotalBytes: 2 };
 * const loads: MigrationLoads = migrationLoadsSchema.parse({ source: { before: load, after: load }, target: { before: load, after: load } });
 * ```
 */
export const migrationLoadsSchema = z.object({
  source: z.object({ before: nodeLoadSchema, after: nodeLoadSchema }),
  target: z.object({ before: nodeLoadSchema, after: nodeLoadSchema }),
});

/**
 * Before/after loads of a migration.
 *
 * @example
 * ```ts
 * const relief = (loads: MigrationLoads) => loads.source.before.memoryUsedBytes - loads.source.after.memoryUsedBytes;
 * ```
 */
export type MigrationLoads = z.infer<typeof migrationLoadsSchema>;

/**
 * One recommended VM/CT migration, in ProxBalance's fields (camelCase) plus machine fields.
 * Shared by the rule planner and by validated model output (`source`).
 *
 * @example
 * ```ts
 * const move: MigrationRecommendation = migrationRecommendationSchema.parse({
 *   vmid: 101, name: 'web1', type: 'vm', sourceNode: 'pve1', targetNode: 'pve2', priority: 'high',
 *   reasoning: 'pve1 memory at 92 %', riskScore: 20, source: 'llm', confidence: 0.8, withLocalDisks: false,
 * });
 * ```
 */
export const migrationRecommendationSchema = z.object({
  vmid: z.number().int().positive(),
  name: z.string(),
  type: z.enum(['vm', 'ct']),
  sourceNode: z.string().min(1),
  targetNode: z.string().min(1),
  priority: migrationPrioritySchema,
  /** Free text from the producer; the validator never edits it. */
  reasoning: z.string(),
  /** Heuristic risk 0 (none) … 100 (severe), ProxBalance's scale. */
  riskScore: z.number().finite().min(0).max(100).optional(),
  /** Expected improvement, free text. */
  estimatedImpact: z.string().optional(),
  /** Suggested time window, free text (ProxBalance `best_time`). */
  bestTime: z.string().optional(),
  source: recommendationSourceSchema,
  /** 0..1. */
  confidence: z.number().finite().min(0).max(1).optional(),
  /** Computed source/target loads, when known. */
  loads: migrationLoadsSchema.optional(),
  /** The guest has node-local disks that will be copied (`with-local-disks=1`). */
  withLocalDisks: z.boolean(),
});

/**
 * A migration recommendation.
 *
 * @example
 * ```ts
 * const label = (move: MigrationRecommendation) => `${move.vmid}: ${move.sourceNode} → ${move.targetNode}`;
 * ```
 */
export type MigrationRecommendation = z.infer<typeof migrationRecommendationSchema>;
