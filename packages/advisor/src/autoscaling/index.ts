// Autoscaling: HPA port, forecast-aware and LLM policies, adviseScaling, back-test, hysteresis over the
// recommendation history. Imports ../forecast and ../history,
// never ../migration.

export {
  type AdvisedScaling,
  type AdviseScalingInput,
  type AdviseScalingResult,
  adviseScaling,
  buildScalingAdvicePrompt,
  type LlmScalingOutcome,
  type ScalingImpact,
  type ScalingSource,
} from './advise-scaling';
export {
  type BacktestForecastError,
  type BacktestMetrics,
  type BacktestOptions,
  type BacktestPolicy,
  type BacktestPolicyInput,
  type BacktestPolicyReport,
  type BacktestReport,
  type BacktestState,
  runBacktest,
} from './backtest';
export { type ElasticityMetrics, elasticityMetrics } from './elasticity-metrics';
export {
  type ForecastAwareInput,
  type ForecastAwareResult,
  forecastAwareReplicas,
} from './forecast-aware-scaling';
export {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  emptyHpaControllerState,
  type HpaBehavior,
  type HpaCondition,
  type HpaControllerState,
  type HpaNormalization,
  type HpaNormalizationInput,
  type HpaRecommendation,
  type HpaScaleEvent,
  LEGACY_SCALE_UP_LIMIT_FACTOR,
  LEGACY_SCALE_UP_LIMIT_MINIMUM,
  normalizeHpaReplicas,
  type ResolvedHpaBehavior,
  type ResolvedHpaScalingRules,
  replicasChangedInPeriod,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
} from './hpa-behavior';
export {
  type HpaDesiredReplicasInput,
  type HpaDesiredReplicasResult,
  hpaDesiredReplicas,
} from './hpa-desired-replicas';
export {
  DEFAULT_HPA_TOLERANCE,
  groupHpaPods,
  type HpaCalculatorContext,
  type HpaMetricProposal,
  type HpaMetricSpec,
  type HpaObjectTarget,
  type HpaPod,
  type HpaPodGroups,
  type HpaPodSample,
  type HpaResourceTarget,
  type HpaTolerances,
  hpaMetricReplicas,
  isWithinTolerance,
} from './hpa-replica-calculator';
export {
  backtestWorkload,
  type LlmPolicy,
  type LlmPolicyOptions,
  type LlmPolicyStats,
  llmPolicy,
} from './llm-policy';
export {
  type PredictiveScalingDecision,
  type PredictiveScalingInput,
  type PredictiveScalingSettings,
  predictiveReplicas,
} from './predictive-scaling';
export {
  DEFAULT_SCALING_HOLD_MS,
  scalingHistoryAction,
  scalingHistoryPrompt,
  scalingSubject,
} from './scaling-history';
export {
  type ScalingHistoryItem,
  type ScalingHoldInput,
  type ScalingHoldRule,
  type ScalingHoldVerdict,
  scalingHold,
} from './scaling-hysteresis';
export { type ScalingOutlook, type ScalingOutlookHour, scalingOutlook } from './scaling-outlook';
export { workloadFingerprint } from './workload-fingerprint';
