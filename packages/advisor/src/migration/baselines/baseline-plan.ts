import type { PlanCurvePoint } from '../plan-migrations';

/**
 * One move of a baseline plan.
 *
 * @example
 * ```ts
 * const move: BaselineMove = { vmid: 101, sourceNode: 'pve1', targetNode: 'pve2' };
 * ```
 */
export interface BaselineMove {
  vmid: number;
  sourceNode: string;
  targetNode: string;
}

/**
 * The output of a baseline planner ({@link planProxLBGreedy}, {@link planCrsBruteForce}), in the same
 * metric as {@link planMigrations}: normalised CRS imbalance with CPU/memory weighted 0.5/0.5.
 *
 * @example
 * ```ts
 * const report = (plan: BaselinePlan) => `${plan.algorithm}: ${plan.migrations} moves, ${plan.gibMoved.toFixed(0)} GiB`;
 * ```
 */
export interface BaselinePlan {
  algorithm: 'proxlb-greedy' | 'crs-bruteforce';
  moves: BaselineMove[];
  imbalanceBefore: number;
  imbalanceAfter: number;
  migrations: number;
  /** RAM of running guests + local disks moved, GiB. */
  gibMoved: number;
  curve: PlanCurvePoint[];
}
