/**
 * The subset of Kubernetes wire JSON the fake API server serves. Objects carry `apiVersion`, `kind`,
 * `metadata`, `spec` and `status` exactly as the API server sends them (zero-valued status fields
 * omitted, timestamps as RFC 3339 strings, quantities as strings).
 */

/** `metadata` of an object. */
export interface ObjectMetaJson {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A `LabelSelector`. */
export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

/** `resources` of a container. */
export interface ResourceRequirementsJson {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** A container in a pod template or pod. */
export interface ContainerJson {
  name: string;
  image?: string;
  resources?: ResourceRequirementsJson;
}

/** A condition with the usual fields. */
export interface ConditionJson {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/** apps/v1 Deployment. */
export interface DeploymentJson {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMetaJson;
  spec: {
    replicas?: number;
    selector: LabelSelectorJson;
    template: { metadata?: { labels?: Record<string, string> }; spec: { containers: ContainerJson[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: ConditionJson[];
  };
}

/** v1 Pod. */
export interface PodJson {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMetaJson;
  spec: { containers: ContainerJson[]; nodeName?: string };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    startTime?: string;
    conditions?: ConditionJson[];
  };
}

/** One metric of an autoscaling/v2 HPA (`spec.metrics` or `status.currentMetrics`). */
export interface HpaMetricJson {
  type: 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';
  resource?: {
    name: string;
    target?: { type: string; averageUtilization?: number; averageValue?: string; value?: string };
    current?: { averageUtilization?: number; averageValue?: string; value?: string };
  };
  [other: string]: unknown;
}

/** autoscaling/v2 HorizontalPodAutoscaler. */
export interface HpaJson {
  apiVersion: 'autoscaling/v2';
  kind: 'HorizontalPodAutoscaler';
  metadata: ObjectMetaJson;
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: HpaMetricJson[];
    behavior?: Record<string, unknown>;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas: number;
    currentMetrics?: HpaMetricJson[];
    conditions?: ConditionJson[];
  };
}

/** metrics.k8s.io/v1beta1 PodMetrics. */
export interface PodMetricsJson {
  kind?: 'PodMetrics';
  apiVersion?: 'metrics.k8s.io/v1beta1';
  metadata: ObjectMetaJson;
  /** RFC 3339 sample time. */
  timestamp: string;
  /** Go duration, e.g. `15.012s`. */
  window: string;
  containers: Array<{ name: string; usage: { cpu: string; memory: string } }>;
}

/** autoscaling/v1 Scale (the `scale` subresource). */
export interface ScaleJson {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: ObjectMetaJson;
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

/** A v1 `Status` error body. */
export interface StatusJson {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}
