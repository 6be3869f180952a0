import { ConfigError } from '@ballast/core';
import type { ForecastOutcome } from '../forecast/forecast-types';
import { type HpaCondition, type HpaControllerState, normalizeHpaReplicas } from './hpa-behavior';
import {
  type HpaDesiredReplicasInput,
  type HpaDesiredReplicasResult,
  hpaDesiredReplicas,
} from './hpa-desired-replicas';
import { DEFAULT_HPA_TOLERANCE } from './hpa-replica-calculator';

/**
 * Input of {@link forecastAwareReplicas}: the reactive HPA input plus a forecast of the total
 * demand of the workload (the same unit as `targetPerPod`, e.g. CPU cores in use across pods).
 *
 * @example
 * ```ts
 * const input: ForecastAwareInput = { hpa: hpaInput, forecast: outcome, targetPerPod: 0.35, leadSteps: 1 };
 * ```
 */
export interface ForecastAwareInput {
  hpa: HpaDesiredReplicasInput;
  forecast: ForecastOutcome;
  /**
   * Demand one pod should carry at the target, in the forecast's unit: for a CPU Utilization target
   * `request × targetUtilization / 100`. Derived from the first CPU Utilization metric and the
   * pods' requests when left out.
   */
  targetPerPod?: number | undefined;
  /** Forecast steps covering the pod start-up lead time; the peak over steps 1..leadSteps is used. Default: all points. */
  leadSteps?: number | undefined;
  /**
   * `reactive-floor` (default, PHPA's `decisionType: maximum`): the proposal is
   * `max(reactive, predictive)`, so it is never below the reactive HPA. `none`: predictive alone.
   */
  guard?: 'reactive-floor' | 'none' | undefined;
}

/**
 * What {@link forecastAwareReplicas} decided and why.
 *
 * @example
 * ```ts
 * const explain = (result: ForecastAwareResult) => `${result.source}: ${result.reactiveReplicas} vs ${result.predictiveReplicas}`;
 * ```
 */
export interface ForecastAwareResult {
  desiredReplicas: number;
  currentReplicas: number;
  rescale: boolean;
  /** The reactive HPA metric recommendation (before stabilization), if one was computed. */
  reactiveReplicas: number | undefined;
  /** Replicas for the forecast bound (upper when scaling up, lower when scaling down), if the forecast was usable. */
  predictiveReplicas: number | undefined;
  /** The recommendation fed to stabilization and rate limits. */
  proposedReplicas: number | undefined;
  /** Which recommendation won (`reactive` when equal or when the forecast was unusable). */
  source: 'reactive' | 'predictive';
  forecastStatus: ForecastOutcome['status'];
  /** Peak upper / lower bound over the lead time. */
  forecastUpper: number | undefined;
  forecastLower: number | undefined;
  reason: string;
  ableToScale: HpaCondition;
  scalingLimited: HpaCondition;
  /** The reactive HPA evaluation on its own (its `state` is not the one to keep). */
  reactive: HpaDesiredReplicasResult;
  /** Pass as `hpa.state` into the next call. */
  state: HpaControllerState;
}

function deriveTargetPerPod(input: HpaDesiredReplicasInput): number | undefined {
  const metric = input.metrics.find(
    (spec) => spec.type === 'Resource' && spec.name === 'cpu' && spec.target.type === 'Utilization',
  );
  if (metric === undefined || metric.type !== 'Resource' || metric.target.type !== 'Utilization')
    return undefined;
  const requests = (input.pods ?? [])
    .map((pod) => pod.requests?.cpu)
    .filter((value): value is number => value !== undefined);
  if (requests.length === 0) return undefined;
  const mean = requests.reduce((sum, value) => sum + value, 0) / requests.length;
  return (mean * metric.target.averageUtilization) / 100;
}

/**
 * Forecast-aware replica count, PHPA-style but forecasting the metric instead of replicas:
 *
 * 1. The reactive proposal is the HPA metric recommendation ({@link hpaDesiredReplicas}).
 * 2. Over the lead time, `U = max upper`, `L = max lower`. If `U / (current × targetPerPod)` is above
 *    `1 + tolerance`, predictive = `ceil(U / targetPerPod)` (scale-up on the upper bound); else if
 *    `L / (current × targetPerPod)` is below `1 − tolerance`, predictive = `ceil(L / targetPerPod)`
 *    (scale-down on the lower bound); else `current`.
 * 3. Guard (default): proposal = `max(reactive, predictive)`, never below the reactive HPA.
 * 4. The proposal goes through the same stabilization, policies and min/max clamping as the HPA
 *    ({@link normalizeHpaReplicas}).
 *
 * When the forecast is `insufficient_data`, or the HPA would not compute (scaling disabled,
 * replicas out of range, invalid metrics), the result is exactly the reactive HPA's.
 *
 * @example
 * ```ts
 * const result = forecastAwareReplicas({ hpa: hpaInput, forecast: forecast(history, { horizonSteps: 1, stepSeconds: 300 }), leadSteps: 1 });
 * result.desiredReplicas >= hpaDesiredReplicas(hpaInput).desiredReplicas; // true when scaling up
 * ```
 */
export function forecastAwareReplicas(input: ForecastAwareInput): ForecastAwareResult {
  const reactive = hpaDesiredReplicas(input.hpa);
  const current = input.hpa.currentReplicas;
  const base = {
    currentReplicas: current,
    reactiveReplicas: reactive.metricReplicas,
    forecastStatus: input.forecast.status,
    reactive,
  };
  let forecastUpper: number | undefined;
  let forecastLower: number | undefined;
  let predictive: number | undefined;
  if (input.forecast.status === 'ok') {
    const points = input.forecast.points.slice(0, input.leadSteps ?? input.forecast.points.length);
    if (points.length > 0) {
      forecastUpper = Math.max(...points.map((point) => point.upper));
      forecastLower = Math.max(...points.map((point) => point.lower));
      const targetPerPod = input.targetPerPod ?? deriveTargetPerPod(input.hpa);
      if (targetPerPod === undefined || !(targetPerPod > 0)) {
        throw new ConfigError({
          message:
            'Invalid forecast-aware input: targetPerPod must be positive (or derivable from a CPU Utilization metric and pod requests)',
          issues: [{ path: 'targetPerPod', message: 'must be a positive number' }],
        });
      }
      const globalTolerance = input.hpa.tolerance ?? DEFAULT_HPA_TOLERANCE;
      const toleranceUp = input.hpa.behavior?.scaleUp?.tolerance ?? globalTolerance;
      const toleranceDown = input.hpa.behavior?.scaleDown?.tolerance ?? globalTolerance;
      const capacity = Math.max(current, 1) * targetPerPod;
      // ceil with a 1e-9 slack so that float noise (2.1 / 0.35 = 6.000000000000001) does not add a pod.
      const podsFor = (demand: number) => Math.ceil(demand / targetPerPod - 1e-9);
      if (forecastUpper / capacity > 1 + toleranceUp) predictive = podsFor(forecastUpper);
      else if (forecastLower / capacity < 1 - toleranceDown) predictive = podsFor(forecastLower);
      else predictive = current;
    }
  }

  if (reactive.metricReplicas === undefined || predictive === undefined) {
    return {
      ...base,
      desiredReplicas: reactive.desiredReplicas,
      rescale: reactive.rescale,
      predictiveReplicas: predictive,
      proposedReplicas: reactive.metricReplicas,
      source: 'reactive',
      forecastUpper,
      forecastLower,
      reason: reactive.reason,
      ableToScale: reactive.conditions.ableToScale,
      scalingLimited: reactive.conditions.scalingLimited,
      state: reactive.state,
    };
  }
  const guard = input.guard ?? 'reactive-floor';
  const proposed = guard === 'reactive-floor' ? Math.max(reactive.metricReplicas, predictive) : predictive;
  const normalized = normalizeHpaReplicas({
    now: input.hpa.now,
    currentReplicas: current,
    desiredReplicas: proposed,
    minReplicas: input.hpa.minReplicas ?? 1,
    maxReplicas: input.hpa.maxReplicas,
    behavior: input.hpa.behavior,
    state: input.hpa.state,
    downscaleStabilizationSeconds: input.hpa.downscaleStabilizationSeconds,
  });
  const source = proposed !== reactive.metricReplicas ? 'predictive' : 'reactive';
  let reason = reactive.reason;
  if (source === 'predictive') {
    reason =
      proposed > current
        ? `forecast upper bound ${forecastUpper?.toFixed(3)} over the lead time needs ${predictive} replicas`
        : `forecast lower bound ${forecastLower?.toFixed(3)} over the lead time needs ${predictive} replicas`;
  }
  return {
    ...base,
    desiredReplicas: normalized.desiredReplicas,
    rescale: normalized.desiredReplicas !== current,
    predictiveReplicas: predictive,
    proposedReplicas: proposed,
    source,
    forecastUpper,
    forecastLower,
    reason,
    ableToScale: normalized.ableToScale,
    scalingLimited: normalized.scalingLimited,
    state: normalized.state,
  };
}
