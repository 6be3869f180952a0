export { type Balancer, createBalancer, type TargetHealth } from './balancer';
export {
  type BalancerCallOptions,
  type BalancerConfig,
  balancerConfigSchema,
  balancerTargetSchema,
  defaultTimeouts,
  type RoutingOptions,
  resolveTimeouts,
  type TargetSettings,
  type Timeouts,
  targetSettingsSchema,
  validateBalancerConfig,
} from './balancer-config';
export {
  type BreakerFailure,
  type BreakerPermit,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitOpenReason,
  type CircuitState,
} from './circuit-breaker';
export {
  ConcurrencyLimiter,
  type ReleaseSlot,
  type SlotRefusal,
  SlotUnavailable,
} from './concurrency-limiter';
export type { BalancerEvents } from './events';
export {
  type LatencyQuantiles,
  LatencyWindow,
  type LatencyWindowOptions,
  quantileOfSorted,
} from './latency-window';
export {
  type MetricsOptions,
  MetricsRecorder,
  type MetricsSample,
  type MetricsSnapshot,
  type MetricsTimeline,
  type TargetMetrics,
  type TimelinePoint,
} from './metrics';
export { type OutcomeCounts, OutcomeWindow } from './outcome-window';
export { QuantileSketch } from './quantile-sketch';
export {
  classifyFailure,
  computeBackoffMs,
  type FailureKind,
  RetryBudget,
  type RetryBudgetOptions,
  type RetryPolicyOptions,
  retryDelayMs,
} from './retry-policy';
export {
  type BalancedChatChunk,
  type BalancedChatResult,
  type Route,
  type RouteAttempt,
  type RouteScore,
  routeOfError,
  type SkippedTarget,
} from './route';
export {
  type CandidateSignals,
  defaultReliabilityPrior,
  defaultScoreWeights,
  type ReliabilityPrior,
  resolveScoreWeights,
  type ScoreComponents,
  type ScoreWeights,
  scoreCandidates,
  weightEnvironmentVariables,
} from './scoring';
export type { RecordOutcome, Selection, SelectRequest, TargetLease } from './selection';
export {
  type LinkedTarget,
  type ReleaseSharedSlot,
  SharedStateLink,
  type SharedStateLinkOptions,
  type SharedTargetView,
} from './shared-state-link';
export {
  type ExplorationOptions,
  orderCandidates,
  type RankedCandidate,
  type StrategyName,
  type StrategyState,
  strategyNames,
} from './strategies';
export {
  type BalancerTarget,
  capabilitiesOfModel,
  estimateTokens,
  hasImage,
  requiredCapabilitiesOf,
  type TaskType,
} from './target';
