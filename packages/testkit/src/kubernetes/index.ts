export {
  createStaticWorkload,
  type FakeKubernetes,
  type FakeKubernetesFault,
  type FakeKubernetesFaultRule,
  type FakeKubernetesOptions,
  type FakeKubernetesRequest,
  type FakeKubernetesState,
  type FakeWorkload,
  kubeConfigYaml,
  type MetricsServerMode,
  type StaticWorkloadInit,
  startFakeKubernetes,
} from './fake-kubernetes';
export {
  loadTrace,
  scaleTrace,
  type Trace,
  type TraceName,
  traceNames,
  traceUtilizationPercent,
} from './load-trace';
export type {
  ConditionJson,
  ContainerJson,
  DeploymentJson,
  HpaJson,
  HpaMetricJson,
  LabelSelectorJson,
  ObjectMetaJson,
  PodJson,
  PodMetricsJson,
  ResourceRequirementsJson,
  ScaleJson,
  StatusJson,
} from './wire';
export {
  createWorkloadSimulator,
  type SimulatedPod,
  type WorkloadSimulator,
  type WorkloadSimulatorOptions,
  type WorkloadSimulatorState,
} from './workload-simulator';
