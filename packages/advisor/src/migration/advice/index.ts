// LLM and integration layer of the migration advisor (rule plan → LLM → validate → re-score → merge).

export {
  type AdviceCache,
  type AdviceCacheOptions,
  type AdviceCacheStats,
  createAdviceCache,
  type SnapshotFingerprintOptions,
  snapshotFingerprint,
} from './advice-cache';
export {
  type AdviceCycleResult,
  type AdviceScheduler,
  type AdviceSchedulerErrorContext,
  type AdviceSchedulerOptions,
  type AdviceSchedulerTimers,
  createAdviceScheduler,
} from './advice-scheduler';
export {
  type AdviceRejection,
  type AdviceRejectionCode,
  type AdvisedMigration,
  type AdviseMigrationsInput,
  type AdviseMigrationsOptions,
  type AlsoSuggested,
  adviseMigrations,
  type LlmAdviceStatus,
  type MigrationAdvice,
} from './advise-migrations';
export {
  type AnalysisPeriod,
  analysisPeriodHours,
  analysisPeriodSchema,
  analysisPeriodToMetricsPeriod,
} from './analysis-period';
export {
  type BuildMigrationPromptOptions,
  buildMigrationPrompt,
  type MigrationPrompt,
  type MigrationPromptThresholds,
} from './build-migration-prompt';
export {
  type AiProvider,
  aiProviderSchema,
  type BallastConfig,
  type BallastConfigKey,
  type BallastSecretKey,
  ballastConfigKeys,
  ballastConfigSchema,
  ballastEnvVar,
  ballastSecretKeys,
  configWarnings,
  type LoadBallastConfigOptions,
  loadBallastConfig,
  redactConfig,
} from './config';
export {
  type ProxBalancePredictedIssue,
  type ProxBalanceRecommendation,
  type ProxBalanceRequest,
  type ProxBalanceResponse,
  parseProxBalanceRequest,
  toProxBalanceErrorResponse,
  toProxBalanceResponse,
} from './proxbalance-response';
export { createPseudonymizer, type Pseudonymizer } from './pseudonymize';
export {
  type ModelTextLimits,
  type ScreenedModelAdvice,
  screenModelAdvice,
  type UnsafeModelItem,
} from './screen-model-advice';
