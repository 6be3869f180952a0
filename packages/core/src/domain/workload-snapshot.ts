import { z } from 'zod';
import { seriesSchema } from './series';

const count = z.number().int().nonnegative();

/**
 * CPU (cores) and memory (bytes) amounts, as parsed from Kubernetes quantities (`500m` → 0.5,
 * `256Mi` → 268435456).
 *
 * @example
 * ```ts
 * const requests: ResourceAmounts = resourceAmountsSchema.parse({ cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 });
 * ```
 */
export const resourceAmountsSchema = z.object({
  cpuCores: z.number().finite().nonnegative().optional(),
  memoryBytes: z.number().finite().nonnegative().optional(),
});

/**
 * CPU and memory amounts.
 *
 * @example
 * ```ts
 * const none: ResourceAmounts = {};
 * ```
 */
export type ResourceAmounts = z.infer<typeof resourceAmountsSchema>;

/**
 * The scaling-relevant part of a Deployment: replica counts, selector and per-container resources.
 *
 * @example
 * ```ts
 * const deployment: DeploymentSnapshot = deploymentSnapshotSchema.parse({
 *   namespace: 'shop', name: 'web', replicas: { desired: 5, current: 5, ready: 4 },
 *   selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
 *   containers: [{ name: 'app', requests: { cpuCores: 0.5, memoryBytes: 268435456 }, limits: { cpuCores: 1 } }],
 * });
 * ```
 */
export const deploymentSnapshotSchema = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  replicas: z.object({
    /** `spec.replicas`. */
    desired: count,
    /** `status.replicas` (omitted by the API when 0). */
    current: count,
    /** `status.readyReplicas` (omitted by the API when 0). */
    ready: count,
    available: count.optional(),
  }),
  selector: z.object({
    matchLabels: z.record(z.string(), z.string()).default({}),
    matchExpressions: z
      .array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
      .optional(),
  }),
  containers: z
    .array(
      z.object({
        name: z.string(),
        requests: resourceAmountsSchema.default({}),
        limits: resourceAmountsSchema.default({}),
      }),
    )
    .default([]),
});

/**
 * A Deployment's scaling-relevant fields.
 *
 * @example
 * ```ts
 * const unready = (deployment: DeploymentSnapshot) => deployment.replicas.current - deployment.replicas.ready;
 * ```
 */
export type DeploymentSnapshot = z.infer<typeof deploymentSnapshotSchema>;

/**
 * A metric target or current value of an HPA (autoscaling/v2), with quantities as numbers:
 * `averageUtilization` in percent of requests, `averageValue`/`value` in cores for `cpu`, bytes for
 * `memory`, and the metric's own unit otherwise.
 *
 * @example
 * ```ts
 * const value: HpaMetricValue = hpaMetricValueSchema.parse({ type: 'Utilization', averageUtilization: 70 });
 * ```
 */
export const hpaMetricValueSchema = z.object({
  type: z.enum(['Utilization', 'AverageValue', 'Value']).optional(),
  averageUtilization: z.number().finite().optional(),
  averageValue: z.number().finite().optional(),
  value: z.number().finite().optional(),
});

/**
 * An HPA metric target or current value.
 *
 * @example
 * ```ts
 * const value: HpaMetricValue = { averageValue: 0.492 };
 * ```
 */
export type HpaMetricValue = z.infer<typeof hpaMetricValueSchema>;

/**
 * One entry of `spec.metrics` (target) or `status.currentMetrics` (current), flattened:
 * `name` is the resource or metric name, `container` set for `ContainerResource`.
 *
 * @example
 * ```ts
 * const metric: HpaMetric = hpaMetricSchema.parse({ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
 * ```
 */
export const hpaMetricSchema = z.object({
  type: z.enum(['Resource', 'ContainerResource', 'Pods', 'Object', 'External']),
  name: z.string().min(1),
  container: z.string().optional(),
  /** Label selector of a Pods/Object/External metric, as `key=value` pairs. */
  selector: z.record(z.string(), z.string()).optional(),
  target: hpaMetricValueSchema.optional(),
  current: hpaMetricValueSchema.optional(),
});

/**
 * An HPA metric.
 *
 * @example
 * ```ts
 * const isCpu = (metric: HpaMetric) => metric.type === 'Resource' && metric.name === 'cpu';
 * ```
 */
export type HpaMetric = z.infer<typeof hpaMetricSchema>;

/**
 * One HPA scaling policy: change by `value` pods (`Pods`) or percent (`Percent`) per `periodSeconds`.
 *
 * @example
 * ```ts
 * const policy: HpaScalingPolicy = hpaScalingPolicySchema.parse({ type: 'Pods', value: 4, periodSeconds: 15 });
 * ```
 */
export const hpaScalingPolicySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().positive(),
});

/**
 * An HPA scaling policy.
 *
 * @example
 * ```ts
 * const policy: HpaScalingPolicy = { type: 'Percent', value: 100, periodSeconds: 15 };
 * ```
 */
export type HpaScalingPolicy = z.infer<typeof hpaScalingPolicySchema>;

/**
 * `behavior.scaleUp` or `behavior.scaleDown` of an HPA.
 *
 * @example
 * ```ts
 * const rules: HpaScalingRules = hpaScalingRulesSchema.parse({
 *   stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
 * });
 * ```
 */
export const hpaScalingRulesSchema = z.object({
  stabilizationWindowSeconds: z.number().int().nonnegative().optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(hpaScalingPolicySchema).optional(),
  /** KEP-4951 per-direction tolerance (fraction), when set. */
  tolerance: z.number().finite().nonnegative().optional(),
});

/**
 * HPA scaling rules for one direction.
 *
 * @example
 * ```ts
 * const disabled: HpaScalingRules = { selectPolicy: 'Disabled' };
 * ```
 */
export type HpaScalingRules = z.infer<typeof hpaScalingRulesSchema>;

/**
 * An autoscaling/v2 HorizontalPodAutoscaler: spec and status.
 *
 * @example
 * ```ts
 * const hpa: HpaSnapshot = hpaSnapshotSchema.parse({
 *   name: 'web',
 *   spec: { minReplicas: 2, maxReplicas: 12, metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } }] },
 *   status: { currentReplicas: 4, desiredReplicas: 5, lastScaleTime: 1772444467000 },
 * });
 * ```
 */
export const hpaSnapshotSchema = z.object({
  name: z.string().min(1),
  spec: z.object({
    /** Defaults to 1 in Kubernetes. */
    minReplicas: count.default(1),
    maxReplicas: z.number().int().positive(),
    metrics: z.array(hpaMetricSchema).default([]),
    behavior: z
      .object({ scaleUp: hpaScalingRulesSchema.optional(), scaleDown: hpaScalingRulesSchema.optional() })
      .optional(),
  }),
  status: z.object({
    currentReplicas: count,
    desiredReplicas: count,
    currentMetrics: z.array(hpaMetricSchema).default([]),
    /** Epoch ms. */
    lastScaleTime: z.number().finite().optional(),
    conditions: z
      .array(
        z.object({
          type: z.string(),
          status: z.string(),
          reason: z.string().optional(),
          message: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/**
 * An HPA's spec and status.
 *
 * @example
 * ```ts
 * const atMax = (hpa: HpaSnapshot) => hpa.status.currentReplicas >= hpa.spec.maxReplicas;
 * ```
 */
export type HpaSnapshot = z.infer<typeof hpaSnapshotSchema>;

/**
 * Usage of one pod from `metrics.k8s.io` (summed over its containers).
 *
 * @example
 * ```ts
 * const sample: PodMetrics = podMetricsSchema.parse({ pod: 'web-1', cpuCores: 0.43, memoryBytes: 2.5e8, timestamp: 1772444698000, windowSeconds: 15 });
 * ```
 */
export const podMetricsSchema = z.object({
  pod: z.string().min(1),
  cpuCores: z.number().finite().nonnegative(),
  memoryBytes: z.number().finite().nonnegative(),
  /** Sample time, epoch ms. */
  timestamp: z.number().finite(),
  /** Sample window, seconds. */
  windowSeconds: z.number().finite().nonnegative(),
  containers: z
    .array(z.object({ name: z.string(), cpuCores: z.number().finite(), memoryBytes: z.number().finite() }))
    .optional(),
});

/**
 * One pod's usage sample.
 *
 * @example
 * ```ts
 * const fresh = (sample: PodMetrics, now: number) => now - sample.timestamp < 60_000;
 * ```
 */
export type PodMetrics = z.infer<typeof podMetricsSchema>;

/**
 * One observed replica change (from HPA status, events or the host's own records).
 *
 * @example
 * ```ts
 * const event: ScalingEvent = scalingEventSchema.parse({ timestamp: 1772444467000, fromReplicas: 4, toReplicas: 5, reason: 'SuccessfulRescale' });
 * ```
 */
export const scalingEventSchema = z.object({
  /** Epoch ms. */
  timestamp: z.number().finite(),
  fromReplicas: count,
  toReplicas: count,
  reason: z.string().optional(),
  message: z.string().optional(),
});

/**
 * A replica change.
 *
 * @example
 * ```ts
 * const added = (event: ScalingEvent) => Math.max(0, event.toReplicas - event.fromReplicas);
 * ```
 */
export type ScalingEvent = z.infer<typeof scalingEventSchema>;

/**
 * One pod selected by the Deployment's selector, with what the HPA maths needs to group it: ready,
 * not ready (pending, starting, failing probes) or ignored (terminating or failed), and whether
 * metrics-server had a sample for it. Times are epoch ms.
 *
 * @example
 * ```ts
 * const pod: WorkloadPod = workloadPodSchema.parse({
 *   name: 'web-1', phase: 'Running', ready: true, requests: { cpuCores: 0.5 }, hasMetrics: true,
 * });
 * ```
 */
export const workloadPodSchema = z.object({
  name: z.string().min(1),
  /** `status.phase`: Pending, Running, Succeeded, Failed or Unknown. */
  phase: z.string(),
  /** The `Ready` condition is `True`. */
  ready: z.boolean(),
  /** The HPA drops this pod entirely: it has a `deletionTimestamp` or phase `Failed`/`Succeeded`. Default false. */
  ignored: z.boolean().optional(),
  /** `status.startTime`, epoch ms. */
  startTime: z.number().finite().optional(),
  /** `lastTransitionTime` of the `Ready` condition, epoch ms. */
  readyTransitionTime: z.number().finite().optional(),
  /** Sum over containers; a resource is left out when any container has no request for it. */
  requests: resourceAmountsSchema.default({}),
  /** metrics.k8s.io returned a sample for this pod (see `podMetrics`). */
  hasMetrics: z.boolean(),
});

/**
 * A pod's scaling-relevant state.
 *
 * @example
 * ```ts
 * const missing = (pods: WorkloadPod[]) => pods.filter((pod) => !pod.ignored && !pod.hasMetrics);
 * ```
 */
export type WorkloadPod = z.infer<typeof workloadPodSchema>;

/**
 * What the producer of a snapshot could and could not see. `hpa: 'no_hpa'` means no HPA targets
 * the Deployment; `metrics: 'metrics_unavailable'` means metrics.k8s.io answered 404/503
 * (metrics-server missing or down), so `podMetrics` is empty for a reason, not because usage is 0.
 *
 * @example
 * ```ts
 * const state: WorkloadCollectionState = workloadCollectionStateSchema.parse({ hpa: 'no_hpa', metrics: 'available' });
 * ```
 */
export const workloadCollectionStateSchema = z.object({
  hpa: z.enum(['found', 'no_hpa']),
  metrics: z.enum(['available', 'metrics_unavailable']),
  /** Why metrics are unavailable (status code and the server's message). */
  metricsReason: z.string().optional(),
  /** Pods (not ignored) that metrics-server had no sample for: the HPA's "missing" pods. */
  podsWithoutMetrics: z.array(z.string()).default([]),
  readyPods: count.default(0),
  notReadyPods: count.default(0),
  ignoredPods: count.default(0),
  /** Anything odd, e.g. two HPAs targeting the same Deployment. */
  warnings: z.array(z.string()).default([]),
});

/**
 * The producer's view of what it could read.
 *
 * @example
 * ```ts
 * const blind = (state: WorkloadCollectionState) => state.metrics === 'metrics_unavailable';
 * ```
 */
export type WorkloadCollectionState = z.infer<typeof workloadCollectionStateSchema>;

/**
 * A Kubernetes workload at one moment: Deployment, optional HPA, pod metrics, history, recent
 * scaling events and, when the producer sees them, per-pod readiness (`pods`) and what it could
 * collect (`state`). Units: CPU in cores, memory in bytes, times in epoch ms.
 *
 * @example
 * ```ts
 * const workload: WorkloadSnapshot = workloadSnapshotSchema.parse({
 *   collectedAt: Date.now(), source: { kind: 'kubernetes' },
 *   deployment: { namespace: 'shop', name: 'web', replicas: { desired: 3, current: 3, ready: 3 }, selector: { matchLabels: { app: 'web' } } },
 * });
 * ```
 */
export const workloadSnapshotSchema = z.object({
  /** Epoch ms. */
  collectedAt: z.number().finite(),
  source: z.object({
    kind: z.enum(['kubernetes', 'simulated', 'fixture', 'manual']),
    /** API server URL or context name, without credentials. */
    endpoint: z.string().optional(),
  }),
  deployment: deploymentSnapshotSchema,
  hpa: hpaSnapshotSchema.optional(),
  podMetrics: z.array(podMetricsSchema).default([]),
  history: z
    .object({
      /** Total CPU in use across pods, cores. */
      cpuCores: seriesSchema.optional(),
      /** Total memory in use across pods, bytes. */
      memoryBytes: seriesSchema.optional(),
      /** Replica count over time. */
      replicas: seriesSchema.optional(),
    })
    .default({}),
  events: z.array(scalingEventSchema).default([]),
  /**
   * Every pod the Deployment selects, with readiness and metric availability (the HPA's
   * ready/unready/missing/ignored grouping). Optional: producers that cannot see pods leave it out,
   * and consumers then treat the pods in `podMetrics` as ready.
   */
  pods: z.array(workloadPodSchema).optional(),
  /** What the producer could see (HPA present, metrics-server available, pods without samples). */
  state: workloadCollectionStateSchema.optional(),
});

/**
 * A snapshot of a Kubernetes workload.
 *
 * @example
 * ```ts
 * const bounds = (workload: WorkloadSnapshot) => [workload.hpa?.spec.minReplicas ?? 1, workload.hpa?.spec.maxReplicas];
 * ```
 */
export type WorkloadSnapshot = z.infer<typeof workloadSnapshotSchema>;
