// Migration planning: the deterministic planner, its planning model, the CRS imbalance, workload
// profiles and node-load forecasts. Imports ../forecast, never ../autoscaling.

export * from './advice/index';
export { applyMigrations } from './apply-migrations';
export * from './baselines/index';
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
export {
  type MigrationPlan,
  type PlanCurvePoint,
  type PlanMigrationsOptions,
  type PlannedMigration,
  type PlanStopReason,
  type PlanSummary,
  placementPolicyFor,
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
