import {
  CollectorError,
  type HpaMetric,
  type HpaMetricValue,
  type HpaSnapshot,
  type PodMetrics,
  ValidationError,
  type ValidationIssue,
  workloadCollectionStateSchema,
  workloadPodSchema,
  workloadSnapshotSchema,
} from '@ballast/core';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Deployment,
  type V1LabelSelector,
  type V1Pod,
  type V2HorizontalPodAutoscaler,
  type V2HPAScalingRules,
  type V2MetricSpec,
  type V2MetricStatus,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { parseDurationSeconds } from './duration';
import type { HistoryRing } from './history-ring';
import {
  createOperationControl,
  type KubeConfigInput,
  type KubernetesCallOptions,
  loadKubeConfig,
  type OperationControl,
  serverUrl,
  statusCodeOf,
} from './kube-client';
import { matchesLabelSelector, toLabelSelectorString } from './label-selector';
import { parseOptionalQuantity, parseQuantity } from './quantity';

/**
 * A pod's scaling-relevant state, as the collector always fills it: core's `WorkloadPod` with
 * `ignored` known.
 *
 * @example
 * ```ts
 * const pod: PodState = podStateSchema.parse({ name: 'web-1', phase: 'Running', ready: true, ignored: false, hasMetrics: false });
 * ```
 */
export const podStateSchema = workloadPodSchema.extend({ ignored: z.boolean() });

/**
 * A pod's scaling-relevant state.
 *
 * @example
 * ```ts
 * const missing = (pods: PodState[]) => pods.filter((pod) => !pod.ignored && !pod.hasMetrics);
 * ```
 */
export type PodState = z.infer<typeof podStateSchema>;

/**
 * What the collector could and could not see: core's `WorkloadCollectionState`.
 *
 * @example
 * ```ts
 * const state: CollectionState = collectionStateSchema.parse({ hpa: 'no_hpa', metrics: 'available' });
 * ```
 */
export const collectionStateSchema = workloadCollectionStateSchema;

/**
 * The collector's view of what it could read.
 *
 * @example
 * ```ts
 * if (snapshot.state.metrics === 'metrics_unavailable') console.warn(snapshot.state.metricsReason);
 * ```
 */
export type CollectionState = z.infer<typeof collectionStateSchema>;

/**
 * A `WorkloadSnapshot` (from `@ballast/core`) from a live cluster plus the collector's `state` and per-pod `pods`.
 * Every value of this schema is also a valid `WorkloadSnapshot` (`workloadSnapshotSchema.parse`
 * keeps the common fields).
 *
 * @example
 * ```ts
 * const snapshot = kubernetesWorkloadSnapshotSchema.parse(JSON.parse(saved));
 * ```
 */
export const kubernetesWorkloadSnapshotSchema = workloadSnapshotSchema.extend({
  state: collectionStateSchema,
  pods: z.array(podStateSchema).default([]),
});

/**
 * A workload snapshot as collected from Kubernetes.
 *
 * @example
 * ```ts
 * const asCore: WorkloadSnapshot = snapshot; // assignable
 * ```
 */
export type KubernetesWorkloadSnapshot = z.infer<typeof kubernetesWorkloadSnapshotSchema>;

/** Options of {@link collectWorkloadSnapshot}. */
export interface CollectWorkloadSnapshotOptions extends KubernetesCallOptions {
  /** A loaded `KubeConfig`, a kubeconfig YAML string, or `undefined` for the default locations. */
  kubeConfig?: KubeConfigInput;
  namespace: string;
  /** Deployment name. */
  deployment: string;
  /**
   * Name of the HPA to read directly (needs only `get`). Without it the collector lists the
   * namespace's HPAs (needs `list`) and picks the one whose `scaleTargetRef` is this Deployment.
   */
  hpa?: string | undefined;
  /** When given, the snapshot is pushed into it and `history`/`events` come from it. */
  history?: HistoryRing | undefined;
  /** Clock for `collectedAt`, epoch ms. Default `Date.now`. */
  now?: (() => number) | undefined;
}

const metricsPath = (namespace: string) => `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`;

const podMetricsListWireSchema = z.object({
  items: z
    .array(
      z.object({
        metadata: z.object({ name: z.string() }),
        timestamp: z.string().optional(),
        window: z.string().optional(),
        containers: z
          .array(
            z.object({ name: z.string(), usage: z.record(z.string(), z.union([z.string(), z.number()])) }),
          )
          .default([]),
      }),
    )
    .default([]),
});

/**
 * Reads a Deployment, its pods (through the Deployment's own `spec.selector`, `matchLabels` and
 * `matchExpressions`), the HPA that targets it and metrics.k8s.io pod metrics, and returns a
 * validated {@link KubernetesWorkloadSnapshot} (CPU in cores, memory in bytes, times in epoch ms).
 *
 * - No HPA targets the Deployment → `hpa` is left out and `state.hpa` is `'no_hpa'`.
 * - metrics.k8s.io answers 404 or 503 → `podMetrics: []` and `state.metrics` is
 *   `'metrics_unavailable'` (with the reason), not an exception.
 * - RBAC 403, a missing Deployment (404), bad credentials (401), server errors and network
 *   failures → `CollectorError` (source `kubernetes`) naming the resource and the endpoint.
 *
 * RBAC: `get` deployments.apps, `list` pods, `list` (or `get` with `hpa`) horizontalpodautoscalers
 * .autoscaling, `list` pods.metrics.k8s.io.
 *
 * @example
 * ```ts
 * const snapshot = await collectWorkloadSnapshot({ namespace: 'shop', deployment: 'web' });
 * console.log(snapshot.deployment.replicas, snapshot.state.metrics, snapshot.podMetrics.length);
 * ```
 */
export async function collectWorkloadSnapshot(
  options: CollectWorkloadSnapshotOptions,
): Promise<KubernetesWorkloadSnapshot> {
  checkOptions(options);
  const { namespace, deployment: name } = options;
  const kubeConfig = loadKubeConfig(options.kubeConfig);
  const control = createOperationControl(options);
  try {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);

    const deployment = await control.run(
      {
        verb: 'get',
        resource: 'deployments.apps',
        namespace,
        name,
        path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
      },
      (requestOptions) => apps.readNamespacedDeployment({ name, namespace }, requestOptions),
    );
    const selector = deploymentSelector(deployment);
    const labelSelector = toLabelSelectorString(selector);

    const [podList, hpaResult, metricsResult] = await Promise.all([
      control.run(
        { verb: 'list', resource: 'pods', namespace, path: `/api/v1/namespaces/${namespace}/pods` },
        (requestOptions) => core.listNamespacedPod({ namespace, labelSelector }, requestOptions),
      ),
      findHpa(control, autoscaling, namespace, name, options.hpa).then((found) => {
        if (found.hpa) checkHpaBounds(found.hpa, namespace, options.hpa);
        return found;
      }),
      readPodMetrics(control, custom, namespace, labelSelector),
    ]);

    const podItems = requireItems(podList, `/api/v1/namespaces/${namespace}/pods`, 'PodList');
    const pods = podItems.filter((pod) => matchesLabelSelector(selector, pod.metadata?.labels));
    const podNames = new Set(pods.map((pod) => pod.metadata?.name ?? ''));
    const podMetrics = metricsResult.samples.filter((sample) => podNames.has(sample.pod));
    const sampled = new Set(podMetrics.map((sample) => sample.pod));
    const podStates = pods.map((pod) => toPodState(pod, sampled));
    const live = podStates.filter((pod) => !pod.ignored);

    const snapshot = {
      collectedAt: (options.now ?? Date.now)(),
      source: { kind: 'kubernetes' as const, ...optional('endpoint', serverUrl(kubeConfig)) },
      deployment: toDeploymentSnapshot(deployment, namespace, name, selector),
      ...(hpaResult.hpa ? { hpa: toHpaSnapshot(hpaResult.hpa) } : {}),
      podMetrics,
      history: {},
      events: [],
      pods: podStates,
      state: {
        hpa: hpaResult.hpa ? ('found' as const) : ('no_hpa' as const),
        metrics: metricsResult.available ? ('available' as const) : ('metrics_unavailable' as const),
        ...optional('metricsReason', metricsResult.reason),
        podsWithoutMetrics: metricsResult.available
          ? live.filter((pod) => !pod.hasMetrics).map((pod) => pod.name)
          : live.map((pod) => pod.name),
        readyPods: live.filter((pod) => pod.ready).length,
        notReadyPods: live.filter((pod) => !pod.ready).length,
        ignoredPods: podStates.length - live.length,
        warnings: [...hpaResult.warnings, ...metricsResult.warnings],
      },
    };
    const parsed = kubernetesWorkloadSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new CollectorError({
        message: `The Kubernetes objects of deployment "${name}" did not form a valid snapshot: ${parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; ')}`,
        source: 'kubernetes',
        endpoint: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
        cause: parsed.error,
      });
    }
    if (!options.history) return parsed.data;
    options.history.push(parsed.data);
    return { ...parsed.data, history: options.history.series(), events: options.history.events() };
  } finally {
    control.dispose();
  }
}

const objectName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Names and hooks are checked before any request: an empty, `undefined` or malformed name used to
 * reach the API server (a retryable `CollectorError` for what is a caller's mistake), and a
 * `history` without `push` failed as a `TypeError` after every request had been made.
 */
function checkOptions(options: CollectWorkloadSnapshotOptions): void {
  const issues: ValidationIssue[] = [];
  const name = (path: string, value: unknown, required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || value.length > 253 || !objectName.test(value))
      issues.push({ path, message: 'must be a Kubernetes object name (lowercase letters, digits, - and .)' });
  };
  if (typeof options !== 'object' || options === null) {
    issues.push({ path: '(root)', message: 'options are required ({ namespace, deployment })' });
  } else {
    name('namespace', options.namespace, true);
    name('deployment', options.deployment, true);
    name('hpa', options.hpa, false);
    const history = options.history as Partial<HistoryRing> | undefined;
    if (
      history !== undefined &&
      (typeof history !== 'object' ||
        history === null ||
        typeof history.push !== 'function' ||
        typeof history.series !== 'function' ||
        typeof history.events !== 'function')
    )
      issues.push({ path: 'history', message: 'must be a HistoryRing (createHistoryRing())' });
    if (options.now !== undefined && typeof options.now !== 'function')
      issues.push({ path: 'now', message: 'must be a function returning epoch ms' });
  }
  if (issues.length === 0) return;
  throw new ValidationError({
    message: `Invalid collectWorkloadSnapshot options: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues,
  });
}

/**
 * `maxReplicas` is required by the API and `minReplicas ≤ maxReplicas` is enforced by it: an HPA
 * body without them is broken, and reading a missing `maxReplicas` as 1 made every plan clamp the
 * deployment to one replica.
 */
function checkHpaBounds(hpa: V2HorizontalPodAutoscaler, namespace: string, named: string | undefined): void {
  const base = `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`;
  const label = `HPA "${hpa.metadata?.name ?? named ?? '?'}"`;
  const max = hpa.spec?.maxReplicas;
  const min = hpa.spec?.minReplicas ?? 1;
  let problem: string | undefined;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1)
    problem = `has no valid spec.maxReplicas (got ${JSON.stringify(max ?? null)})`;
  else if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0)
    problem = `has no valid spec.minReplicas (got ${JSON.stringify(min)})`;
  else if (min > max) problem = `is contradictory: minReplicas (${min}) exceeds maxReplicas (${max})`;
  if (problem === undefined) return;
  throw new CollectorError({
    message: `Kubernetes ${label} in namespace "${namespace}" ${problem}`,
    source: 'kubernetes',
    endpoint: named === undefined ? base : `${base}/${named}`,
    statusCode: 200,
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function deploymentSelector(deployment: V1Deployment): {
  matchLabels: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
} {
  const selector: V1LabelSelector | undefined = deployment.spec?.selector;
  const expressions = selector?.matchExpressions?.map((expression) => ({
    key: expression.key,
    operator: expression.operator,
    ...(expression.values ? { values: [...expression.values] } : {}),
  }));
  return {
    matchLabels: { ...(selector?.matchLabels ?? {}) },
    ...(expressions && expressions.length > 0 ? { matchExpressions: expressions } : {}),
  };
}

function toDeploymentSnapshot(
  deployment: V1Deployment,
  namespace: string,
  name: string,
  selector: ReturnType<typeof deploymentSelector>,
) {
  const status = deployment.status;
  return {
    namespace: deployment.metadata?.namespace ?? namespace,
    name: deployment.metadata?.name ?? name,
    replicas: {
      // The API defaults spec.replicas to 1 and omits zero-valued status fields.
      desired: deployment.spec?.replicas ?? 1,
      current: status?.replicas ?? 0,
      ready: status?.readyReplicas ?? 0,
      available: status?.availableReplicas ?? 0,
    },
    selector,
    containers: (deployment.spec?.template.spec?.containers ?? []).map((container) => ({
      name: container.name,
      requests: resourceAmounts(container.resources?.requests),
      limits: resourceAmounts(container.resources?.limits),
    })),
  };
}

function resourceAmounts(values: Record<string, string> | undefined): {
  cpuCores?: number;
  memoryBytes?: number;
} {
  const cpuCores = parseOptionalQuantity(values?.cpu);
  const memoryBytes = parseOptionalQuantity(values?.memory);
  return { ...optional('cpuCores', cpuCores), ...optional('memoryBytes', memoryBytes) };
}

async function findHpa(
  control: OperationControl,
  api: AutoscalingV2Api,
  namespace: string,
  deployment: string,
  hpaName: string | undefined,
): Promise<{ hpa: V2HorizontalPodAutoscaler | undefined; warnings: string[] }> {
  const base = `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`;
  const resource = 'horizontalpodautoscalers.autoscaling';
  if (hpaName !== undefined) {
    try {
      const hpa = await control.run(
        { verb: 'get', resource, namespace, name: hpaName, path: `${base}/${hpaName}` },
        (requestOptions) =>
          api.readNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace }, requestOptions),
      );
      if (targetsDeployment(hpa, deployment)) return { hpa, warnings: [] };
      return {
        hpa: undefined,
        warnings: [`HPA "${hpaName}" does not target deployment "${deployment}"`],
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { hpa: undefined, warnings: [] };
      throw error;
    }
  }
  const list = await control.run({ verb: 'list', resource, namespace, path: base }, (requestOptions) =>
    api.listNamespacedHorizontalPodAutoscaler({ namespace }, requestOptions),
  );
  const matches = requireItems(list, base, 'HorizontalPodAutoscalerList')
    .filter((hpa) => targetsDeployment(hpa, deployment))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const warnings =
    matches.length > 1
      ? [
          `${matches.length} HPAs target deployment "${deployment}" (${matches
            .map((hpa) => hpa.metadata?.name)
            .join(', ')}); the controller refuses to scale with conflicting HPAs. Using the first.`,
        ]
      : [];
  return { hpa: matches[0], warnings };
}

function targetsDeployment(hpa: V2HorizontalPodAutoscaler, deployment: string): boolean {
  const ref = hpa.spec?.scaleTargetRef;
  if (ref?.kind !== 'Deployment' || ref.name !== deployment) return false;
  return ref.apiVersion === undefined || ref.apiVersion.startsWith('apps/');
}

async function readPodMetrics(
  control: OperationControl,
  api: CustomObjectsApi,
  namespace: string,
  labelSelector: string,
): Promise<{ available: boolean; samples: PodMetrics[]; warnings: string[]; reason?: string }> {
  let body: unknown;
  try {
    body = await control.run(
      { verb: 'list', resource: 'pods.metrics.k8s.io', namespace, path: metricsPath(namespace) },
      (requestOptions) =>
        api.listNamespacedCustomObject(
          { group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods', labelSelector },
          requestOptions,
        ) as Promise<unknown>,
    );
  } catch (error) {
    const status = statusCodeOf(error);
    if (status === 404 || status === 503) {
      return {
        available: false,
        samples: [],
        warnings: [],
        reason: `metrics.k8s.io answered ${status}${
          status === 404 ? ' (metrics-server is not installed)' : ' (metrics-server is unavailable)'
        }`,
      };
    }
    throw error;
  }
  const parsed = podMetricsListWireSchema.safeParse(body);
  if (!parsed.success) {
    throw new CollectorError({
      message: 'metrics.k8s.io returned something that is not a PodMetricsList',
      source: 'kubernetes',
      endpoint: metricsPath(namespace),
      isRetryable: true,
      cause: parsed.error,
    });
  }
  const samples: PodMetrics[] = [];
  const warnings: string[] = [];
  for (const item of parsed.data.items) {
    // A container without `cpu` or `memory` usage has unknown usage, not zero: reading it as 0
    // made three busy pods look idle and the advisor recommend scaling 3 → 1. The whole sample is
    // left out, so the pod counts as one without metrics (`state.podsWithoutMetrics`), which is
    // what the HPA controller does with a pod it has no usable sample for.
    const incomplete = item.containers.filter(
      (container) => container.usage.cpu === undefined || container.usage.memory === undefined,
    );
    if (incomplete.length > 0 || item.containers.length === 0) {
      warnings.push(
        item.containers.length === 0
          ? `pod "${item.metadata.name}": metrics sample has no containers; usage unknown, sample ignored`
          : `pod "${item.metadata.name}": metrics sample lacks cpu or memory for container(s) ${incomplete
              .map((container) => `"${container.name}"`)
              .join(', ')}; usage unknown, sample ignored`,
      );
      continue;
    }
    // An unparseable or negative usage is as unknown as a missing one: that sample is left out
    // (it used to fail the whole collection with a ValidationError, or with a CollectorError).
    const containers: Array<{ name: string; cpuCores: number; memoryBytes: number }> = [];
    let invalidUsage: string | undefined;
    for (const container of item.containers) {
      const cpuCores = usageAmount(container.usage.cpu);
      const memoryBytes = usageAmount(container.usage.memory);
      if (cpuCores === undefined || memoryBytes === undefined) {
        invalidUsage = container.name;
        break;
      }
      containers.push({ name: container.name, cpuCores, memoryBytes });
    }
    if (invalidUsage !== undefined) {
      warnings.push(
        `pod "${item.metadata.name}": metrics sample has an invalid usage for container "${invalidUsage}" (not a non-negative quantity); sample ignored`,
      );
      continue;
    }
    const timestamp = item.timestamp ? Date.parse(item.timestamp) : Number.NaN;
    const windowSeconds = item.window === undefined ? undefined : durationOrUndefined(item.window);
    if (!Number.isFinite(timestamp) || windowSeconds === undefined) {
      // A sample without a time or window cannot be placed (epoch 0 made it look ancient).
      warnings.push(
        `pod "${item.metadata.name}": metrics sample has no valid timestamp or window; sample ignored`,
      );
      continue;
    }
    samples.push({
      pod: item.metadata.name,
      cpuCores: round(containers.reduce((sum, container) => sum + container.cpuCores, 0)),
      memoryBytes: containers.reduce((sum, container) => sum + container.memoryBytes, 0),
      timestamp,
      windowSeconds,
      containers,
    });
  }
  return { available: true, samples: newestPerPod(samples, warnings), warnings };
}

function usageAmount(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const amount = parseQuantity(value);
    return amount >= 0 ? amount : undefined;
  } catch {
    return undefined;
  }
}

function durationOrUndefined(text: string): number | undefined {
  try {
    const seconds = parseDurationSeconds(text);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One sample per pod: a metrics API that lists a pod twice (a broken aggregator or proxy) had its
 * usage counted twice in every total and utilization. The newest sample wins.
 */
function newestPerPod(samples: PodMetrics[], warnings: string[]): PodMetrics[] {
  const byPod = new Map<string, { sample: PodMetrics; count: number }>();
  for (const sample of samples) {
    const seen = byPod.get(sample.pod);
    if (!seen) byPod.set(sample.pod, { sample, count: 1 });
    else {
      seen.count++;
      if (sample.timestamp > seen.sample.timestamp) seen.sample = sample;
    }
  }
  for (const [pod, { count }] of byPod)
    if (count > 1)
      warnings.push(`pod "${pod}": metrics.k8s.io listed it ${count} times; the newest sample is used`);
  return [...byPod.values()].map((entry) => entry.sample);
}

/**
 * The `items` of a list response. The API server always sends an array (empty when nothing
 * matches); `null` or a missing field means a broken server or proxy, which must not pass as "no
 * pods" nor crash as a `TypeError` deep in the collector.
 */
function requireItems<T>(
  list: { items?: T[] | null } | null | undefined,
  endpoint: string,
  kind: string,
): T[] {
  const items = list?.items;
  if (Array.isArray(items)) return items;
  throw new CollectorError({
    message: `Kubernetes API ${endpoint} returned a ${kind} without an items array (got ${
      items === null ? 'null' : typeof items
    })`,
    source: 'kubernetes',
    endpoint,
    isRetryable: true,
  });
}

/** Rounds away float noise from summing nano-core values (12 significant decimals). */
function round(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

function toPodState(pod: V1Pod, sampled: ReadonlySet<string>): PodState {
  const name = pod.metadata?.name ?? '';
  const phase = pod.status?.phase ?? 'Unknown';
  const readyCondition = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  const containers = pod.spec?.containers ?? [];
  const sum = (resource: 'cpu' | 'memory'): number | undefined => {
    if (containers.length === 0) return undefined;
    let total = 0;
    for (const container of containers) {
      const value = parseOptionalQuantity(container.resources?.requests?.[resource]);
      if (value === undefined) return undefined;
      total += value;
    }
    return resource === 'cpu' ? round(total) : total;
  };
  return {
    name,
    phase,
    ready: readyCondition?.status === 'True',
    ignored: pod.metadata?.deletionTimestamp !== undefined || phase === 'Failed' || phase === 'Succeeded',
    ...optional('startTime', toEpoch(pod.status?.startTime)),
    ...optional('readyTransitionTime', toEpoch(readyCondition?.lastTransitionTime)),
    requests: { ...optional('cpuCores', sum('cpu')), ...optional('memoryBytes', sum('memory')) },
    hasMetrics: sampled.has(name),
  };
}

function toEpoch(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

function toHpaSnapshot(hpa: V2HorizontalPodAutoscaler): HpaSnapshot {
  const spec = hpa.spec;
  const status = hpa.status;
  const behavior = spec?.behavior;
  return {
    name: hpa.metadata?.name ?? spec?.scaleTargetRef.name ?? 'hpa',
    spec: {
      minReplicas: spec?.minReplicas ?? 1,
      maxReplicas: spec?.maxReplicas ?? 1,
      metrics: (spec?.metrics ?? []).map(toMetricSpec),
      ...(behavior
        ? {
            behavior: {
              ...(behavior.scaleUp ? { scaleUp: toScalingRules(behavior.scaleUp) } : {}),
              ...(behavior.scaleDown ? { scaleDown: toScalingRules(behavior.scaleDown) } : {}),
            },
          }
        : {}),
    },
    status: {
      currentReplicas: status?.currentReplicas ?? 0,
      desiredReplicas: status?.desiredReplicas ?? 0,
      currentMetrics: (status?.currentMetrics ?? []).map(toMetricStatus),
      ...optional('lastScaleTime', toEpoch(status?.lastScaleTime)),
      ...(status?.conditions
        ? {
            conditions: status.conditions.map((condition) => ({
              type: condition.type,
              status: condition.status,
              ...optional('reason', condition.reason),
              ...optional('message', condition.message),
            })),
          }
        : {}),
    },
  };
}

function toScalingRules(rules: V2HPAScalingRules) {
  return {
    ...optional('stabilizationWindowSeconds', rules.stabilizationWindowSeconds),
    ...optional('selectPolicy', rules.selectPolicy as 'Max' | 'Min' | 'Disabled' | undefined),
    ...(rules.policies
      ? {
          policies: rules.policies.map((policy) => ({
            type: policy.type as 'Pods' | 'Percent',
            value: policy.value,
            periodSeconds: policy.periodSeconds,
          })),
        }
      : {}),
    ...optional('tolerance', parseOptionalQuantity(rules.tolerance)),
  };
}

type MetricKind = 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';

function toMetricValue(
  value: { type?: string; averageUtilization?: number; averageValue?: string; value?: string } | undefined,
): HpaMetricValue | undefined {
  if (!value) return undefined;
  return {
    ...optional('type', value.type as HpaMetricValue['type']),
    ...optional('averageUtilization', value.averageUtilization),
    ...optional('averageValue', parseOptionalQuantity(value.averageValue)),
    ...optional('value', parseOptionalQuantity(value.value)),
  };
}

function metricIdentity(metric: V2MetricSpec | V2MetricStatus): {
  name: string;
  container?: string;
  selector?: Record<string, string>;
} {
  switch (metric.type) {
    case 'Resource':
      return { name: metric.resource?.name ?? 'unknown' };
    case 'ContainerResource':
      return {
        name: metric.containerResource?.name ?? 'unknown',
        ...optional('container', metric.containerResource?.container),
      };
    default: {
      const identifier = metric.pods?.metric ?? metric.object?.metric ?? metric.external?.metric;
      return {
        name: identifier?.name ?? 'unknown',
        ...optional('selector', identifier?.selector?.matchLabels),
      };
    }
  }
}

function toMetricSpec(metric: V2MetricSpec): HpaMetric {
  const target =
    metric.resource?.target ??
    metric.containerResource?.target ??
    metric.pods?.target ??
    metric.object?.target ??
    metric.external?.target;
  return {
    type: metric.type as MetricKind,
    ...metricIdentity(metric),
    ...optional('target', toMetricValue(target)),
  };
}

function toMetricStatus(metric: V2MetricStatus): HpaMetric {
  const current =
    metric.resource?.current ??
    metric.containerResource?.current ??
    metric.pods?.current ??
    metric.object?.current ??
    metric.external?.current;
  return {
    type: metric.type as MetricKind,
    ...metricIdentity(metric),
    ...optional('current', toMetricValue(current)),
  };
}
