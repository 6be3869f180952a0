export { type ExtractedJson, extractJson, safeExtractJson } from '@ballast/core';
export {
  type ModelTextFinding,
  type ModelTextFindingCode,
  type ScreenedModelText,
  type ScreenModelTextOptions,
  screenModelText,
} from './model-text';
export {
  createPlacementRules,
  type GuestDemand,
  guestDemand,
  type PlacementPolicy,
  type PlacementRules,
  resolvePlacementPolicy,
} from './placement-rules';
export {
  type MigrationReasonCode,
  migrationReasonCodes,
  type PredictedIssueReasonCode,
  type Reason,
  type Repair,
  type RepairCode,
  type ScalingReasonCode,
  scalingReasonCodes,
} from './reason-codes';
export {
  type AviAdviceItem,
  type AviReasonCode,
  type AviValidationOptions,
  type AviValidationResult,
  estimateVirtualServiceCpuShare,
  type RejectedAviRecommendation,
  validateAviAdvice,
} from './validate-avi-advice';
export {
  type MigrationValidationOptions,
  type MigrationValidationResult,
  type RejectedMigration,
  type RejectedPredictedIssue,
  validateMigrationAdvice,
} from './validate-migration-advice';
export {
  type ReplicaRecommendation,
  type ScalingLimit,
  type ScalingValidationFailure,
  type ScalingValidationOptions,
  type ScalingValidationResult,
  type ScalingValidationSuccess,
  validateScalingAdvice,
} from './validate-scaling-advice';
