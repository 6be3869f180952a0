/**
 * A pod as the HPA replica calculator sees it. Times are epoch ms.
 *
 * Shorthands: `phase` defaults to `Running`; `ready` defaults to `true`; `startTime` left out means
 * "started long before now" (outside the CPU initialization period), `null` means the pod has no
 * start time yet; `readyTransitionTime` defaults to `startTime`.
 *
 * @example
 * ```ts
 * const pod: HpaPod = { name: 'web-1', requests: { cpu: 0.5 } };
 * ```
 */
export interface HpaPod {
  name: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' | undefined;
  /** `metadata.deletionTimestamp` is set. */
  deleting?: boolean | undefined;
  startTime?: number | null | undefined;
  /** Status of the `Ready` condition; `null` when the pod has no `Ready` condition. */
  ready?: boolean | null | undefined;
  /** `lastTransitionTime` of the `Ready` condition. */
  readyTransitionTime?: number | undefined;
  /** Requests of the whole pod per resource name (sum over containers), e.g. `{ cpu: 0.5 }` in cores. */
  requests?: Readonly<Record<string, number>> | undefined;
  /** Requests per container, for `ContainerResource` metrics: `{ app: { cpu: 0.5 } }`. */
  containerRequests?: Readonly<Record<string, Readonly<Record<string, number>>>> | undefined;
}

/**
 * One pod's metric sample: a bare value, or the value with the sample time and window (needed only
 * for the CPU initialization-period rules). Values are in the metric's unit (cores for `cpu`, bytes
 * for `memory`); they are converted to milli-units and computed with integer arithmetic as upstream.
 *
 * @example
 * ```ts
 * const sample: HpaPodSample = { value: 0.43, timestamp: Date.now(), windowSeconds: 15 };
 * ```
 */
export type HpaPodSample =
  | number
  | { value: number; timestamp?: number | undefined; windowSeconds?: number | undefined };

/**
 * A target for Resource and ContainerResource metrics: percent of requests or an average value.
 *
 * @example
 * ```ts
 * const target: HpaResourceTarget = { type: 'Utilization', averageUtilization: 70 };
 * ```
 */
export type HpaResourceTarget =
  | { type: 'Utilization'; averageUtilization: number }
  | { type: 'AverageValue'; averageValue: number };

/**
 * A target for Object and External metrics: a total value or a per-pod average.
 *
 * @example
 * ```ts
 * const target: HpaObjectTarget = { type: 'AverageValue', averageValue: 100 };
 * ```
 */
export type HpaObjectTarget =
  | { type: 'Value'; value: number }
  | { type: 'AverageValue'; averageValue: number };

/**
 * One entry of `spec.metrics` together with the current readings the controller would fetch.
 * `samples` is keyed by pod name; a pod without a sample is a "missing" pod. `Object` carries the
 * object's value, `External` the list of values the external metrics API returned (summed).
 *
 * @example
 * ```ts
 * const metric: HpaMetricSpec = {
 *   type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 },
 *   samples: { 'web-1': 0.43, 'web-2': 0.5 },
 * };
 * ```
 */
export type HpaMetricSpec =
  | {
      type: 'Resource';
      name: string;
      target: HpaResourceTarget;
      samples: Readonly<Record<string, HpaPodSample>>;
    }
  | {
      type: 'ContainerResource';
      name: string;
      container: string;
      target: HpaResourceTarget;
      samples: Readonly<Record<string, HpaPodSample>>;
    }
  | {
      type: 'Pods';
      name: string;
      target: { type: 'AverageValue'; averageValue: number };
      samples: Readonly<Record<string, HpaPodSample>>;
    }
  | { type: 'Object'; name: string; target: HpaObjectTarget; value: number | undefined }
  | { type: 'External'; name: string; target: HpaObjectTarget; values: readonly number[] };

/**
 * Tolerance band around a usage ratio of 1: no change while `1 − scaleDown ≤ ratio ≤ 1 + scaleUp`.
 *
 * @example
 * ```ts
 * const tolerances: HpaTolerances = { scaleUp: 0.1, scaleDown: 0.1 };
 * ```
 */
export interface HpaTolerances {
  scaleUp: number;
  scaleDown: number;
}

/**
 * Controller settings used by the replica calculator (defaults from `config/v1alpha1/defaults.go`).
 *
 * @example
 * ```ts
 * const context: HpaCalculatorContext = { now: Date.now(), currentReplicas: 3, pods: [] };
 * ```
 */
export interface HpaCalculatorContext {
  /** Epoch ms. */
  now: number;
  /** `scale.spec.replicas`. */
  currentReplicas: number;
  /** `status.currentReplicas` used by per-pod Object/External targets; defaults to `currentReplicas`. */
  statusReplicas?: number | undefined;
  pods: readonly HpaPod[];
  /** Default 0.1 both ways. */
  tolerances?: HpaTolerances | undefined;
  /** Default 300 s. */
  cpuInitializationPeriodSeconds?: number | undefined;
  /** Default 30 s. */
  initialReadinessDelaySeconds?: number | undefined;
}

/**
 * What the calculator found for one metric: a replica proposal, or an error (the metric is invalid).
 *
 * @example
 * ```ts
 * const ok = (result: HpaMetricProposal) => result.error === undefined;
 * ```
 */
export interface HpaMetricProposal {
  type: HpaMetricSpec['type'];
  name: string;
  replicas?: number;
  /** Integer percent of requests (Utilization targets). */
  utilization?: number;
  /** Current average (or total for Value targets) in the metric's unit. */
  value?: number;
  /** First-pass usage ratio (current / target). */
  usageRatio?: number;
  /** Why the metric could not be used. */
  error?: string;
}

/**
 * Pods split as `groupPods` does: ignored (deleting or Failed), unready (Pending; for CPU also not
 * ready or within the initialization period without a fresh sample), missing (no sample), and ready.
 *
 * @example
 * ```ts
 * const unreadyCount = (groups: HpaPodGroups) => groups.unready.size;
 * ```
 */
export interface HpaPodGroups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

const LONG_AGO = -8.64e15;

/** Default controller tolerance (`--horizontal-pod-autoscaler-tolerance`). */
export const DEFAULT_HPA_TOLERANCE = 0.1;

function sampleValue(sample: HpaPodSample): number {
  return typeof sample === 'number' ? sample : sample.value;
}

/** Kubernetes quantities are handled as integer milli-units by the controller. */
function milli(value: number): bigint {
  return BigInt(Math.round(value * 1000));
}

/**
 * `isWithin` of the controller: `1 − scaleDown ≤ ratio ≤ 1 + scaleUp`.
 *
 * @example
 * ```ts
 * isWithinTolerance(1.1, { scaleUp: 0.1, scaleDown: 0.1 }); // true
 * ```
 */
export function isWithinTolerance(usageRatio: number, tolerances: HpaTolerances): boolean {
  return 1 - tolerances.scaleDown <= usageRatio && usageRatio <= 1 + tolerances.scaleUp;
}

/**
 * Port of `groupPods` from `replica_calculator.go`. `resource` is the resource name for Resource
 * metrics (the CPU readiness rules apply only to `cpu`), `undefined` for Pods metrics.
 *
 * @example
 * ```ts
 * groupHpaPods([{ name: 'a', phase: 'Pending' }], {}, 'cpu', { now: 0 }).unready; // Set { 'a' }
 * ```
 */
export function groupHpaPods(
  pods: readonly HpaPod[],
  samples: Readonly<Record<string, HpaPodSample>>,
  resource: string | undefined,
  options: {
    now: number;
    cpuInitializationPeriodSeconds?: number | undefined;
    initialReadinessDelaySeconds?: number | undefined;
  },
): HpaPodGroups {
  const initialization = (options.cpuInitializationPeriodSeconds ?? 300) * 1000;
  const readinessDelay = (options.initialReadinessDelaySeconds ?? 30) * 1000;
  const groups: HpaPodGroups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const phase = pod.phase ?? 'Running';
    if (pod.deleting === true || phase === 'Failed') {
      groups.ignored.add(pod.name);
      continue;
    }
    if (phase === 'Pending') {
      groups.unready.add(pod.name);
      continue;
    }
    const sample = samples[pod.name];
    if (sample === undefined) {
      groups.missing.add(pod.name);
      continue;
    }
    if (resource === 'cpu') {
      let unready: boolean;
      const ready = pod.ready === undefined ? true : pod.ready;
      // Left out: "long ago", like Go's zero time in the upstream tests (finite, so `+ delay` compares).
      const startTime = pod.startTime === undefined ? LONG_AGO : pod.startTime;
      if (ready === null || startTime === null) {
        unready = true;
      } else {
        const transition = pod.readyTransitionTime ?? startTime;
        if (startTime + initialization > options.now) {
          // Within the initialization period: ignore the sample if the pod is unready or the
          // sample window began before the last readiness transition.
          const timestamp = typeof sample === 'number' ? options.now : (sample.timestamp ?? options.now);
          const window = typeof sample === 'number' ? 0 : (sample.windowSeconds ?? 0) * 1000;
          unready = !ready || timestamp < transition + window;
        } else {
          // After it: ignore the sample only if the pod is unready and has never been ready.
          unready = !ready && startTime + readinessDelay > transition;
        }
      }
      if (unready) {
        groups.unready.add(pod.name);
        continue;
      }
    }
    groups.readyCount++;
  }
  return groups;
}

function podRequests(
  pods: readonly HpaPod[],
  resource: string,
  container: string | undefined,
): Map<string, bigint> | string {
  const requests = new Map<string, bigint>();
  for (const pod of pods) {
    const request =
      container === undefined ? pod.requests?.[resource] : pod.containerRequests?.[container]?.[resource];
    if (request === undefined) {
      return `missing request for ${resource}${container === undefined ? '' : ` in container ${container}`} of Pod ${pod.name}`;
    }
    requests.set(pod.name, milli(request));
  }
  return requests;
}

/** `GetResourceUtilizationRatio`: integer percent over pods that have both a sample and a request. */
function utilizationRatio(
  metrics: Map<string, bigint>,
  requests: Map<string, bigint>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: bigint } | string {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let entries = 0n;
  for (const [pod, value] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue; // extraneous metric
    metricsTotal += value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0n) return 'no metrics returned matched known pods';
  const utilization = Number((metricsTotal * 100n) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: metricsTotal / entries };
}

/** `GetMetricUsageRatio`: integer average over the samples, divided by the target. */
function usageRatioOf(metrics: Map<string, bigint>, target: bigint): { ratio: number; average: bigint } {
  let total = 0n;
  for (const value of metrics.values()) total += value;
  const average = total / BigInt(metrics.size);
  return { ratio: Number(average) / Number(target), average };
}

type Ratio = (metrics: Map<string, bigint>) => { ratio: number } | string;

/**
 * The shared body of `GetResourceReplicas` and `calcPlainMetricReplicas`: fast path, then the
 * "rebalance ignored pods" second pass with missing/unready pods filled in.
 */
function replicasFromPodMetrics(
  context: HpaCalculatorContext,
  groups: HpaPodGroups,
  metrics: Map<string, bigint>,
  computeRatio: Ratio,
  fillMissing: (ratio: number) => Map<string, bigint> | undefined,
  tolerances: HpaTolerances,
): { replicas: number; usageRatio: number } | string {
  const first = computeRatio(metrics);
  if (typeof first === 'string') return first;
  const usageRatio = first.ratio;
  const current = context.currentReplicas;
  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithinTolerance(usageRatio, tolerances)) return { replicas: current, usageRatio };
    return { replicas: Math.ceil(usageRatio * groups.readyCount), usageRatio };
  }
  if (groups.missing.size > 0) {
    const fill = fillMissing(usageRatio);
    if (fill !== undefined) for (const [pod, value] of fill) metrics.set(pod, value);
  }
  if (scaleUpWithUnready) for (const pod of groups.unready) metrics.set(pod, 0n);
  const second = computeRatio(metrics);
  if (typeof second === 'string') return second;
  const newRatio = second.ratio;
  if (
    isWithinTolerance(newRatio, tolerances) ||
    (usageRatio < 1 && newRatio > 1) ||
    (usageRatio > 1 && newRatio < 1)
  ) {
    return { replicas: current, usageRatio };
  }
  const replicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) {
    return { replicas: current, usageRatio };
  }
  return { replicas, usageRatio };
}

function readyPodsCount(pods: readonly HpaPod[]): number | string {
  if (pods.length === 0) return 'no pods returned by selector while calculating replica count';
  return pods.filter((pod) => (pod.phase ?? 'Running') === 'Running' && (pod.ready ?? true) === true).length;
}

/** `getUsageRatioReplicaCount` for Object/External Value targets. */
function usageRatioReplicas(
  context: HpaCalculatorContext,
  usageRatio: number,
  tolerances: HpaTolerances,
): number | string {
  if (context.currentReplicas === 0) return Math.ceil(usageRatio);
  if (isWithinTolerance(usageRatio, tolerances)) return context.currentReplicas;
  const ready = readyPodsCount(context.pods);
  if (typeof ready === 'string') return `unable to calculate ready pods: ${ready}`;
  return Math.ceil(usageRatio * ready);
}

/** `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`. */
function perPodReplicas(
  statusReplicas: number,
  total: number,
  targetPerPod: number,
  tolerances: HpaTolerances,
): { replicas: number; value: number; usageRatio: number } {
  const usage = Number(milli(total));
  const target = Number(milli(targetPerPod));
  const usageRatio = usage / (target * statusReplicas);
  const replicas = isWithinTolerance(usageRatio, tolerances) ? statusReplicas : Math.ceil(usage / target);
  return { replicas, value: Math.ceil(usage / statusReplicas) / 1000, usageRatio };
}

/**
 * Port of `replica_calculator.go`: the replica count one metric asks for.
 *
 * - Resource / ContainerResource, Utilization: `U = floor(100 · Σusage / Σrequest)` (integer
 *   percent) over ready pods with samples; `ratio = U / target`.
 * - Resource AverageValue and Pods: `ratio = floor(mean usage) / target` (milli-units).
 * - Fast path (no missing pods, and no unready pods or ratio ≤ 1): `current` within tolerance, else
 *   `ceil(ratio × ready)`.
 * - Otherwise: missing pods count as `max(100 %, target)` of request (raw: exactly target) when
 *   ratio < 1 and 0 when ratio > 1; unready pods count 0 when ratio > 1; the ratio is recomputed and
 *   `current` is kept if it lands within tolerance or flips direction, else `ceil(ratio' × n)`.
 * - Object/External Value: `ceil(ratio × readyPods)` (or `ceil(ratio)` when current is 0);
 *   AverageValue: `ceil(total / targetPerPod)` unless within tolerance of `statusReplicas`.
 *
 * @example
 * ```ts
 * hpaMetricReplicas(
 *   { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 30 }, samples: { a: 0.3, b: 0.5, c: 0.7 } },
 *   { now: 0, currentReplicas: 3, pods: ['a', 'b', 'c'].map((name) => ({ name, requests: { cpu: 1 } })) },
 * ).replicas; // 5 (utilization 50 %, ratio 1.67)
 * ```
 */
export function hpaMetricReplicas(metric: HpaMetricSpec, context: HpaCalculatorContext): HpaMetricProposal {
  const tolerances = context.tolerances ?? {
    scaleUp: DEFAULT_HPA_TOLERANCE,
    scaleDown: DEFAULT_HPA_TOLERANCE,
  };
  const base = { type: metric.type, name: metric.name };
  const groupOptions = {
    now: context.now,
    cpuInitializationPeriodSeconds: context.cpuInitializationPeriodSeconds,
    initialReadinessDelaySeconds: context.initialReadinessDelaySeconds,
  };

  if (metric.type === 'Resource' || metric.type === 'ContainerResource' || metric.type === 'Pods') {
    if (Object.keys(metric.samples).length === 0) {
      return { ...base, error: `unable to get metrics for ${metric.name}: no metrics returned` };
    }
    if (context.pods.length === 0) {
      return { ...base, error: 'no pods returned by selector while calculating replica count' };
    }
    const resource = metric.type === 'Pods' ? undefined : metric.name;
    const groups = groupHpaPods(context.pods, metric.samples, resource, groupOptions);
    const metrics = new Map<string, bigint>();
    for (const [pod, sample] of Object.entries(metric.samples)) {
      if (!groups.ignored.has(pod) && !groups.unready.has(pod)) metrics.set(pod, milli(sampleValue(sample)));
    }
    if (metrics.size === 0) {
      return { ...base, error: 'did not receive metrics for targeted pods (pods might be unready)' };
    }

    if (metric.type !== 'Pods' && metric.target.type === 'Utilization') {
      const targetUtilization = metric.target.averageUtilization;
      const requests = podRequests(
        context.pods,
        metric.name,
        metric.type === 'ContainerResource' ? metric.container : undefined,
      );
      if (typeof requests === 'string') return { ...base, error: requests };
      const first = utilizationRatio(metrics, requests, targetUtilization);
      if (typeof first === 'string') return { ...base, error: first };
      const fallbackPercent = BigInt(Math.max(100, targetUtilization));
      const result = replicasFromPodMetrics(
        context,
        groups,
        metrics,
        (current) => utilizationRatio(current, requests, targetUtilization),
        (ratio) => {
          if (ratio < 1) {
            // scale-down: missing pods use max(100 %, target) of their request
            return new Map(
              [...groups.missing].map((pod) => [pod, ((requests.get(pod) ?? 0n) * fallbackPercent) / 100n]),
            );
          }
          if (ratio > 1) return new Map([...groups.missing].map((pod) => [pod, 0n]));
          return undefined;
        },
        tolerances,
      );
      if (typeof result === 'string') return { ...base, error: result };
      return {
        ...base,
        replicas: result.replicas,
        utilization: first.utilization,
        value: Number(first.rawAverage) / 1000,
        usageRatio: result.usageRatio,
      };
    }

    // AverageValue on Resource/ContainerResource (GetRawResourceReplicas) and Pods metrics.
    if (metric.target.type !== 'AverageValue') return { ...base, error: 'unsupported target type' };
    const target = milli(metric.target.averageValue);
    const first = usageRatioOf(metrics, target);
    const result = replicasFromPodMetrics(
      context,
      groups,
      metrics,
      (current) => usageRatioOf(current, target),
      (ratio) => {
        if (ratio < 1) return new Map([...groups.missing].map((pod) => [pod, target]));
        if (ratio > 1) return new Map([...groups.missing].map((pod) => [pod, 0n]));
        return undefined;
      },
      tolerances,
    );
    if (typeof result === 'string') return { ...base, error: result };
    return {
      ...base,
      replicas: result.replicas,
      value: Number(first.average) / 1000,
      usageRatio: result.usageRatio,
    };
  }

  const statusReplicas = context.statusReplicas ?? context.currentReplicas;
  const total =
    metric.type === 'Object' ? metric.value : metric.values.reduce((sum, value) => sum + value, 0);
  if (total === undefined || (metric.type === 'External' && metric.values.length === 0)) {
    return { ...base, error: `unable to get ${metric.type.toLowerCase()} metric ${metric.name}` };
  }
  if (metric.target.type === 'AverageValue') {
    const perPod = perPodReplicas(statusReplicas, total, metric.target.averageValue, tolerances);
    return { ...base, replicas: perPod.replicas, value: perPod.value, usageRatio: perPod.usageRatio };
  }
  const usageRatio = Number(milli(total)) / Number(milli(metric.target.value));
  const replicas = usageRatioReplicas(context, usageRatio, tolerances);
  if (typeof replicas === 'string') return { ...base, error: replicas };
  return { ...base, replicas, value: total, usageRatio };
}
