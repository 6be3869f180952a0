export {
  type CollectionState,
  type CollectWorkloadSnapshotOptions,
  collectionStateSchema,
  collectWorkloadSnapshot,
  type KubernetesWorkloadSnapshot,
  kubernetesWorkloadSnapshotSchema,
  type PodState,
  podStateSchema,
} from './collector';
export { MAX_DURATION_LENGTH, parseDurationSeconds } from './duration';
export {
  type ExecutionMode,
  type ExecutorOptions,
  mergePatchContentType,
  type PatchHpaBoundsOptions,
  type PatchHpaBoundsResult,
  type PlannedPatch,
  patchHpaBounds,
  type ScaleDeploymentOptions,
  type ScaleDeploymentResult,
  scaleDeployment,
} from './executor';
export {
  createHistoryRing,
  type HistoryRing,
  type HistoryRingOptions,
  type HistorySample,
} from './history-ring';
export {
  type KubeConfigInput,
  type KubernetesCallOptions,
  loadKubeConfig,
  type RequestTarget,
  serverUrl,
  toCollectorError,
} from './kube-client';
export {
  type LabelSelector,
  type LabelSelectorRequirement,
  matchesLabelSelector,
  toLabelSelectorString,
} from './label-selector';
export { MAX_QUANTITY_LENGTH, parseOptionalQuantity, parseQuantity } from './quantity';
