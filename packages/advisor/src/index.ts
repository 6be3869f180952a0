// Migration planning and forecasting.
export { applyMigrations } from './apply-migrations';
export * from './autoscaling/index';
export type { BaselineMove, BaselinePlan } from './baselines/baseline-plan';
export { type CrsBruteForceOptions, planCrsBruteForce } from './baselines/crs-bruteforce';
export { type ProxLBGreedyOptions, planProxLBGreedy } from './baselines/proxlb-greedy';
export * from './forecast/index';
export {
  forecastConfidence,
  forecastNodeLoad,
  type NodeLoadForecast,
  type NodeLoadForecastOptions,
  predictIssues,
} from './forecast-node-load';
export {
  computeImbalance,
  type Imbalance,
  type ImbalanceOptions,
  isBalancingNode,
  type NodeLoadFraction,
  type NodeLoadInput,
  nodeLoadsFromSnapshot,
  normalizeWeights,
  type ResourceSpread,
  type ResourceWeights,
} from './imbalance';
export * from './migration-advice/index';
export {
  type MigrationPlan,
  type PlanCurvePoint,
  type PlanMigrationsOptions,
  type PlannedMigration,
  type PlanStopReason,
  type PlanSummary,
  planMigrations,
} from './plan-migrations';
export type { RecentMigration, RecentMigrations } from './planning-model';
export { findQuietHour, type QuietHour } from './quiet-hour';
export {
  profileWorkload,
  profileWorkloads,
  type WorkloadClass,
  type WorkloadMetrics,
  type WorkloadProfile,
  type WorkloadProfileOptions,
} from './workload-profile';
