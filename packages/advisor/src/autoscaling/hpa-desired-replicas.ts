import {
  emptyHpaControllerState,
  type HpaBehavior,
  type HpaCondition,
  type HpaControllerState,
  normalizeHpaReplicas,
} from './hpa-behavior';
import {
  DEFAULT_HPA_TOLERANCE,
  type HpaCalculatorContext,
  type HpaMetricProposal,
  type HpaMetricSpec,
  type HpaPod,
  hpaMetricReplicas,
} from './hpa-replica-calculator';

/**
 * Everything one HPA sync needs: the scale target's replica count, the HPA spec, the current
 * readings and the controller memory from the previous sync.
 *
 * @example
 * ```ts
 * const input: HpaDesiredReplicasInput = {
 *   now: Date.now(), currentReplicas: 4, minReplicas: 2, maxReplicas: 12,
 *   metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 }, samples: {} }],
 *   pods: [],
 * };
 * ```
 */
export interface HpaDesiredReplicasInput {
  /** Epoch ms of this sync. */
  now: number;
  /** `scale.spec.replicas` of the target. */
  currentReplicas: number;
  /** `status.currentReplicas` of the HPA (per-pod Object/External targets); defaults to `currentReplicas`. */
  statusReplicas?: number | undefined;
  /** Default 1. */
  minReplicas?: number | undefined;
  maxReplicas: number;
  metrics: readonly HpaMetricSpec[];
  pods?: readonly HpaPod[] | undefined;
  /** `spec.behavior`; leave out for the legacy path (stabilization only, 2×/4 scale-up limit). */
  behavior?: HpaBehavior | undefined;
  /** Controller memory from the previous call's result. */
  state?: HpaControllerState | undefined;
  /** Controller flag `--horizontal-pod-autoscaler-tolerance`, default 0.1 (overridden per direction by `behavior.*.tolerance`). */
  tolerance?: number | undefined;
  /** Controller flag, default 300 s. */
  downscaleStabilizationSeconds?: number | undefined;
  /** Controller flag, default 300 s. */
  cpuInitializationPeriodSeconds?: number | undefined;
  /** Controller flag, default 30 s. */
  initialReadinessDelaySeconds?: number | undefined;
}

/**
 * The outcome of one HPA sync: the replica count to set, how it was reached and the conditions the
 * controller would report.
 *
 * @example
 * ```ts
 * const explain = (result: HpaDesiredReplicasResult) => `${result.currentReplicas}→${result.desiredReplicas}: ${result.reason}`;
 * ```
 */
export interface HpaDesiredReplicasResult {
  desiredReplicas: number;
  currentReplicas: number;
  /** `desiredReplicas !== currentReplicas` (and scaling not disabled). */
  rescale: boolean;
  /** Max proposal over valid metrics, before stabilization and limits; `undefined` if no metric was computed. */
  metricReplicas: number | undefined;
  /** The metric that produced `metricReplicas`. */
  metricName: string | undefined;
  /** After stabilization, before rate limits and clamping. */
  stabilizedReplicas: number | undefined;
  /** Each metric's proposal or error. */
  metrics: HpaMetricProposal[];
  /** Rescale reason as in the controller's event (`cpu resource utilization (percentage of request) above target`, ...). */
  reason: string;
  conditions: { ableToScale: HpaCondition; scalingActive: HpaCondition; scalingLimited: HpaCondition };
  /** Pass into the next call. */
  state: HpaControllerState;
}

const failedReason: Record<HpaMetricSpec['type'], string> = {
  Resource: 'FailedGetResourceMetric',
  ContainerResource: 'FailedGetContainerResourceMetric',
  Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric',
  External: 'FailedGetExternalMetric',
};

function describe(metric: HpaMetricSpec): string {
  if (metric.type === 'Resource' || metric.type === 'ContainerResource') {
    const container = metric.type === 'ContainerResource' ? ` on container ${metric.container}` : '';
    return metric.target.type === 'Utilization'
      ? `${metric.name} resource utilization (percentage of request)${container}`
      : `${metric.name} resource${container}`;
  }
  if (metric.type === 'Pods') return `pods metric ${metric.name}`;
  return `${metric.type.toLowerCase()} metric ${metric.name}`;
}

const notLimited: HpaCondition = {
  status: 'False',
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};

/**
 * A faithful port of one HPA controller sync (`reconcileAutoscaler` of `horizontal.go`): guards,
 * per-metric replica calculation ({@link hpaMetricReplicas}), max over metrics, then stabilization,
 * scaling policies and min/max clamping ({@link normalizeHpaReplicas}).
 *
 * - `currentReplicas == 0 && minReplicas != 0` → scaling disabled (`ScalingDisabled`).
 * - `current > max` → max; `current < min` → min (no metric maths).
 * - All metrics invalid → no change (`ScalingActive=False`); some invalid and the max proposal is
 *   below current → no change (scale-up still allowed).
 *
 * Pure: the returned `state` carries the recommendation and scale-event history for the next call.
 *
 * @example
 * ```ts
 * const pods = ['a', 'b', 'c'].map((name) => ({ name, requests: { cpu: 1 } }));
 * const result = hpaDesiredReplicas({
 *   now: 0, currentReplicas: 3, maxReplicas: 10, pods,
 *   metrics: [{ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 30 }, samples: { a: 0.3, b: 0.5, c: 0.7 } }],
 * });
 * result.desiredReplicas; // 5
 * ```
 */
export function hpaDesiredReplicas(input: HpaDesiredReplicasInput): HpaDesiredReplicasResult {
  const current = input.currentReplicas;
  const minReplicas = input.minReplicas ?? 1;
  const state = input.state ?? emptyHpaControllerState();
  const guarded = guardReplicas(input, state);
  if (guarded !== undefined) return guarded;

  const computed = computeReplicasForMetrics(input);
  const { proposals, metricReplicas, invalid, firstInvalid } = computed;
  if (
    input.metrics.length === 0 ||
    invalid >= input.metrics.length ||
    (invalid > 0 && metricReplicas < current)
  ) {
    const error = firstInvalid?.error ?? 'no metrics specified';
    return unchanged(
      input,
      state,
      current,
      `failed to compute desired number of replicas based on listed metrics: ${error}`,
      {
        status: 'False',
        reason: firstInvalid === undefined ? 'InvalidMetricSourceType' : failedReason[firstInvalid.spec.type],
        message: `the HPA was unable to compute the replica count: ${error}`,
      },
      proposals,
    );
  }

  let reason = '';
  if (metricReplicas > current) reason = `${computed.metricLabel} above target`;
  if (metricReplicas < current) reason = 'All metrics below target';
  const normalized = normalizeHpaReplicas({
    now: input.now,
    currentReplicas: current,
    desiredReplicas: metricReplicas,
    minReplicas,
    maxReplicas: input.maxReplicas,
    behavior: input.behavior,
    state,
    downscaleStabilizationSeconds: input.downscaleStabilizationSeconds,
  });
  return {
    desiredReplicas: normalized.desiredReplicas,
    currentReplicas: current,
    rescale: normalized.desiredReplicas !== current,
    metricReplicas,
    metricName: computed.metricName,
    stabilizedReplicas: normalized.stabilizedReplicas,
    metrics: proposals,
    reason: reason || 'recommended size matches current size',
    conditions: {
      ableToScale: normalized.ableToScale,
      scalingActive: {
        status: 'True',
        reason: 'ValidMetricFound',
        message: `the HPA was able to successfully calculate a replica count from ${computed.metricLabel}`,
      },
      scalingLimited: normalized.scalingLimited,
    },
    state: normalized.state,
  };
}

/** A fresh `AbleToScale` condition per result, as before (callers may hold on to it). */
function gotScale(): HpaCondition {
  return {
    status: 'True',
    reason: 'SucceededGetScale',
    message: 'the HPA controller was able to get the target scale',
  };
}

/** A result that sets `desired` without metric maths or normalization (guards, invalid metrics). */
function unchanged(
  input: HpaDesiredReplicasInput,
  state: HpaControllerState,
  desired: number,
  reason: string,
  scalingActive: HpaCondition,
  metrics: HpaMetricProposal[] = [],
  scalingLimited: HpaCondition = notLimited,
): HpaDesiredReplicasResult {
  const current = input.currentReplicas;
  return {
    desiredReplicas: desired,
    currentReplicas: current,
    rescale: desired !== current && scalingActive.reason !== 'ScalingDisabled',
    metricReplicas: undefined,
    metricName: undefined,
    stabilizedReplicas: undefined,
    metrics,
    reason,
    conditions: { ableToScale: gotScale(), scalingActive, scalingLimited },
    state,
  };
}

/** The controller's guards before any metric: scaling disabled at 0 replicas, current outside [min, max]. */
function guardReplicas(
  input: HpaDesiredReplicasInput,
  state: HpaControllerState,
): HpaDesiredReplicasResult | undefined {
  const current = input.currentReplicas;
  const minReplicas = input.minReplicas ?? 1;
  const maxReplicas = input.maxReplicas;
  if (current === 0 && minReplicas !== 0) {
    return unchanged(
      input,
      state,
      current,
      'scaling is disabled since the replica count of the target is zero',
      {
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      },
    );
  }
  const active: HpaCondition = {
    status: 'True',
    reason: 'ValidMetricFound',
    message: 'the HPA was able to successfully calculate a replica count',
  };
  if (current > maxReplicas) {
    return unchanged(
      input,
      state,
      maxReplicas,
      'Current number of replicas above Spec.MaxReplicas',
      active,
      [],
      {
        status: 'True',
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      },
    );
  }
  if (current < minReplicas) {
    return unchanged(
      input,
      state,
      minReplicas,
      'Current number of replicas below Spec.MinReplicas',
      active,
      [],
      {
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      },
    );
  }
  return undefined;
}

/** `computeReplicasForMetrics`: each metric's proposal, the largest valid one and the invalid count. */
function computeReplicasForMetrics(input: HpaDesiredReplicasInput): {
  proposals: HpaMetricProposal[];
  metricReplicas: number;
  metricName: string | undefined;
  metricLabel: string;
  invalid: number;
  firstInvalid: { spec: HpaMetricSpec; error: string } | undefined;
} {
  const context = calculatorContext(input);
  const proposals: HpaMetricProposal[] = [];
  let metricReplicas = 0;
  let metricName: string | undefined;
  let metricLabel = '';
  let invalid = 0;
  let firstInvalid: { spec: HpaMetricSpec; error: string } | undefined;
  for (const spec of input.metrics) {
    const proposal = hpaMetricReplicas(spec, context);
    proposals.push(proposal);
    if (proposal.replicas === undefined) {
      if (firstInvalid === undefined) firstInvalid = { spec, error: proposal.error ?? 'invalid metric' };
      invalid++;
      continue;
    }
    if (metricReplicas === 0 || proposal.replicas > metricReplicas) {
      metricReplicas = proposal.replicas;
      metricName = spec.name;
      metricLabel = describe(spec);
    }
  }
  return { proposals, metricReplicas, metricName, metricLabel, invalid, firstInvalid };
}

/** What the replica calculator needs; tolerances per direction from `behavior`, else the global one. */
function calculatorContext(input: HpaDesiredReplicasInput): HpaCalculatorContext {
  const globalTolerance = input.tolerance ?? DEFAULT_HPA_TOLERANCE;
  const tolerances = {
    scaleUp: input.behavior?.scaleUp?.tolerance ?? globalTolerance,
    scaleDown: input.behavior?.scaleDown?.tolerance ?? globalTolerance,
  };
  return {
    now: input.now,
    currentReplicas: input.currentReplicas,
    statusReplicas: input.statusReplicas,
    pods: input.pods ?? [],
    tolerances,
    cpuInitializationPeriodSeconds: input.cpuInitializationPeriodSeconds,
    initialReadinessDelaySeconds: input.initialReadinessDelaySeconds,
  };
}
