export {
  type ClusterSnapshot,
  clusterSnapshotSchema,
  type MetricsPeriod,
  metricsPeriodSchema,
  type SnapshotSource,
  snapshotSourceSchema,
} from './cluster-snapshot';
export {
  type ClusterConstraints,
  type ConstraintOrigin,
  clusterConstraintsSchema,
  constraintOriginSchema,
  emptyConstraints,
  type GuestGroup,
  type GuestPin,
  guestGroupSchema,
  guestPinSchema,
  type IgnoredGuest,
  ignoredGuestSchema,
  type MaintenanceNode,
  maintenanceNodeSchema,
} from './constraints';
export { type ConstraintGuest, type ConstraintNode, deriveConstraints } from './derive-constraints';
export {
  type GuestSeries,
  type GuestSnapshot,
  guestSeriesSchema,
  guestSnapshotSchema,
  type LocalDisk,
  localDiskSchema,
} from './guest-snapshot';
export { type HaRule, haRuleFromApi, haRuleSchema } from './ha-rule';
export {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  type HpaBehavior,
  type HpaRecommendation,
  type HpaScaleEvent,
  type HpaScaleEvents,
  hpaScaleEventsFromHistory,
  type ResolvedHpaBehavior,
  type ResolvedHpaScalingRules,
  replicasChangedInPeriod,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeRecommendation,
} from './hpa-behavior';
export {
  type LlmMigrationAdvice,
  type LlmMigrationRecommendation,
  type LlmPredictedIssue,
  llmMigrationAdviceSchema,
  llmMigrationRecommendationSchema,
  llmPredictedIssueSchema,
} from './llm-migration-advice';
export { type LlmScalingAdvice, llmScalingAdviceSchema } from './llm-scaling-advice';
export {
  type MigrationLoads,
  type MigrationPriority,
  type MigrationRecommendation,
  migrationLoadsSchema,
  migrationPrioritySchema,
  migrationRecommendationSchema,
  type NodeLoad,
  nodeLoadSchema,
  type RecommendationSource,
  recommendationSourceSchema,
} from './migration-recommendation';
export { type NodeSeries, type NodeSnapshot, nodeSeriesSchema, nodeSnapshotSchema } from './node-snapshot';
export {
  type IssueSeverity,
  issueSeveritySchema,
  type PredictedIssue,
  predictedIssueSchema,
} from './predicted-issue';
export {
  type ImpactLevel,
  impactLevelSchema,
  type PerformanceImpact,
  performanceImpactSchema,
  type ScalingAction,
  type ScalingRecommendation,
  type ScalingTiming,
  scalingActionSchema,
  scalingRecommendationSchema,
  scalingTimingSchema,
} from './scaling-recommendation';
export {
  type Series,
  type SeriesPoint,
  seriesFromPoints,
  seriesPointSchema,
  seriesSchema,
  seriesToPoints,
} from './series';
export { type StorageSnapshot, storageSnapshotSchema } from './storage-snapshot';
export {
  type DeploymentSnapshot,
  deploymentSnapshotSchema,
  type HpaMetric,
  type HpaMetricValue,
  type HpaScalingPolicy,
  type HpaScalingRules,
  type HpaSnapshot,
  hpaMetricSchema,
  hpaMetricValueSchema,
  hpaScalingPolicySchema,
  hpaScalingRulesSchema,
  hpaSnapshotSchema,
  type PodMetrics,
  podMetricsSchema,
  type ResourceAmounts,
  resourceAmountsSchema,
  type ScalingEvent,
  scalingEventSchema,
  type WorkloadCollectionState,
  type WorkloadPod,
  type WorkloadSnapshot,
  workloadCollectionStateSchema,
  workloadPodSchema,
  workloadSnapshotSchema,
} from './workload-snapshot';
