import type { ScalingTiming } from '@ballast/core';
import { ConfigError } from '@ballast/core';
import type { ForecastPoint } from '../forecast/forecast-types';
import { OptionChecks } from '../forecast/option-checks';

/**
 * Settings of {@link predictiveReplicas}. Times are in forecast steps.
 *
 * @example
 * ```ts
 * const settings: PredictiveScalingSettings = { leadSteps: 1, scaleUpLookaheadSteps: 3, scaleDownWindowSteps: 12 };
 * ```
 */
export interface PredictiveScalingSettings {
  /** Steps until an added pod serves (pod start-up), at least 1. */
  leadSteps: number;
  /**
   * Extra steps after the lead time a scale-up already covers (pre-scaling): one larger step ahead
   * of a forecast ramp instead of several small ones. Default: 15 minutes of steps (3 at 300 s).
   */
  scaleUpLookaheadSteps?: number | undefined;
  /**
   * Scale-down stabilisation: replicas never go below what the forecast upper bound needs over
   * this many steps (default one hour), so a short dip does not cost two scale actions.
   */
  scaleDownWindowSteps?: number | undefined;
  /**
   * Cost threshold of a scale-down in pod-hours: remove pods only when the pod-hours saved before
   * the outlook needs them back reach this (default 0.5 pod-hour). Makes down-scaling cost-aware.
   */
  minimumSavingPodHours?: number | undefined;
  /**
   * Interval level whose upper bound is sized to (default 0.8: the 90th percentile). Taken from the
   * point's `intervals` when present, else the point's own `upper`.
   */
  level?: number | undefined;
  /** Hours per step, for the saving. Default 300 s = 1/12 h. */
  stepHours?: number | undefined;
  /**
   * Relative change below which a scale-down does not happen (the HPA's tolerance, default 0.1).
   */
  tolerance?: number | undefined;
  /**
   * Band above the **point forecast** a scale-up (or scale-down) lands on, as a share of pods
   * (default 0.1, the HPA's tolerance band): one slightly larger step instead of a train of
   * one-pod steps, so that scale-ups, like the HPA's, only happen when the need moves by more than
   * the band. The margin is counted once: the target is the larger of what the forecast's upper
   * bound needs and the point forecast's need plus this band, never the upper bound plus the band
   * (the upper bound already is a margin, sized to the series' own uncertainty).
   */
  scaleUpHeadroom?: number | undefined;
}

/**
 * Input of {@link predictiveReplicas}.
 *
 * @example
 * ```ts
 * const input: PredictiveScalingInput = { currentReplicas: 6, observedDemand: 2.1, points, targetPerPod: 0.28, minReplicas: 2, maxReplicas: 60, settings: { leadSteps: 1 } };
 * ```
 */
export interface PredictiveScalingInput {
  /** Pods that exist (ready or starting). */
  currentReplicas: number;
  /** Demand now, in the forecast's unit (e.g. cores in use). */
  observedDemand: number;
  /** Forecast points from the next step on; `upper` is the bound scaled to (e.g. the 95th percentile). */
  points: readonly ForecastPoint[];
  /** Demand one pod carries at the target (`request × targetUtilization / 100`). */
  targetPerPod: number;
  minReplicas: number;
  maxReplicas: number;
  settings: PredictiveScalingSettings;
}

/**
 * What {@link predictiveReplicas} decided and why, in words a reader can check.
 *
 * @example
 * ```ts
 * const line = (decision: PredictiveScalingDecision) => `${decision.timing}: ${decision.reason}`;
 * ```
 */
export interface PredictiveScalingDecision {
  desiredReplicas: number;
  /** `immediate` for a need within the lead time, `scheduled` for pre-scaling ahead of a forecast peak, `gradual` for scale-down. */
  timing: ScalingTiming;
  /** Which rule decided: `scale_up_now`, `pre_scale`, `scale_down`, `hold_stabilized`, `hold_saving_too_small`, `hold_within_tolerance`, `hold`. */
  rule:
    | 'scale_up_now'
    | 'pre_scale'
    | 'scale_down'
    | 'hold_stabilized'
    | 'hold_saving_too_small'
    | 'hold_within_tolerance'
    | 'hold';
  reason: string;
  /** Replicas the upper bound needs within the lead time. */
  neededWithinLead: number;
  /**
   * Replicas needed within lead + look-ahead: the upper bound's need within the lead time, and
   * after it the point forecast's need plus the lead time's margin (see `rampNeed` in this file).
   */
  neededForRamp: number;
  /** Replicas the upper bound needs over the scale-down window. */
  neededOverWindow: number;
}

/** `ceil` with slack so float noise (2.1 / 0.35 = 6.000000000000001) does not add a pod. */
function podsFor(demand: number, targetPerPod: number): number {
  return Math.max(0, Math.ceil(demand / targetPerPod - 1e-9));
}

/** The upper bound of `point` at `level` (from its `intervals`), else its own `upper`. */
function upperAt(point: ForecastPoint, level: number): number {
  return point.intervals?.find((interval) => interval.level === level)?.upper ?? point.upper;
}

/** Most pods the point forecast (`mean`) needs over `[from, to)`. */
function maxMeanNeed(
  points: readonly ForecastPoint[],
  from: number,
  to: number,
  targetPerPod: number,
): number {
  let need = 0;
  for (let index = from; index < Math.min(to, points.length); index++) {
    need = Math.max(need, podsFor(points[index]!.mean, targetPerPod));
  }
  return need;
}

function maxNeed(
  points: readonly ForecastPoint[],
  from: number,
  to: number,
  targetPerPod: number,
  level: number,
): number {
  let need = 0;
  for (let index = from; index < Math.min(to, points.length); index++) {
    need = Math.max(need, podsFor(upperAt(points[index]!, level), targetPerPod));
  }
  return need;
}

/**
 * Pods a forecast **peak** inside the look-ahead needs: the point forecast at each step after the
 * lead time, plus the margin (upper bound − point forecast) the interval has at the lead time.
 * Pre-scaling is for the predictable part of a rise. The interval keeps widening after the lead
 * time (as `√h` in a random walk), but that extra width is uncertainty the next decision,
 * made one step later with one more sample, resolves; paying for it now bought pods that the
 * next hour's scale-down took back (on a calm trace the first forecasts, whose intervals are the
 * random-walk spread of a few steps, scaled 27 → 30 and then back down). The margin at the lead
 * time is the one a scale-up-now uses, so a peak is covered as safely as the present.
 */
function rampNeed(
  points: readonly ForecastPoint[],
  lead: number,
  lookahead: number,
  targetPerPod: number,
  level: number,
): number {
  const atLead = points[lead - 1]!;
  const margin = Math.max(0, upperAt(atLead, level) - atLead.mean);
  let need = 0;
  for (let index = lead; index < Math.min(lead + lookahead, points.length); index++) {
    need = Math.max(need, podsFor(points[index]!.mean + margin, targetPerPod));
  }
  return need;
}

const checks = new OptionChecks('predictive scaling');

/** NaN anywhere would make the decision NaN (a "scale_down" to NaN pods): each field is checked. */
function validatePredictiveInput(input: PredictiveScalingInput): void {
  checks.integer(input.currentReplicas, 'currentReplicas', 0);
  if (typeof input.currentReplicas !== 'number')
    checks.fail('currentReplicas', 'is required', input.currentReplicas);
  const demand: unknown = input.observedDemand;
  if (typeof demand !== 'number' || !(demand >= 0))
    checks.fail('observedDemand', 'must be a number ≥ 0', demand);
  checks.integer(input.minReplicas, 'minReplicas', 0);
  checks.integer(input.maxReplicas, 'maxReplicas', 0);
  if (input.maxReplicas < input.minReplicas)
    checks.fail('maxReplicas', `must be ≥ minReplicas (${input.minReplicas})`, input.maxReplicas);
  input.points.forEach((point, index) => {
    for (const key of ['mean', 'upper'] as const) {
      const value: unknown = point[key];
      if (typeof value !== 'number' || Number.isNaN(value))
        checks.fail(`points.${index}.${key}`, 'must be a number', value);
    }
    point.intervals?.forEach((interval, intervalIndex) => {
      const value: unknown = interval.upper;
      if (typeof value !== 'number' || Number.isNaN(value))
        checks.fail(`points.${index}.intervals.${intervalIndex}.upper`, 'must be a number', value);
    });
  });
  const { settings } = input;
  checks.nonNegative(settings.scaleUpLookaheadSteps, 'settings.scaleUpLookaheadSteps');
  checks.nonNegative(settings.scaleDownWindowSteps, 'settings.scaleDownWindowSteps');
  checks.nonNegative(settings.minimumSavingPodHours, 'settings.minimumSavingPodHours');
  checks.probability(settings.level, 'settings.level');
  checks.positive(settings.stepHours, 'settings.stepHours');
  checks.nonNegative(settings.tolerance, 'settings.tolerance');
  checks.nonNegative(settings.scaleUpHeadroom, 'settings.scaleUpHeadroom');
}

/**
 * Ballast's predictive replica count, from a forecast of demand with intervals (the ensemble's):
 *
 * The bound is the upper end of the `level` interval (default 80 %, i.e. the 90th percentile).
 *
 * 1. **Scale up now** when the upper bound within the lead time (or today's demand) needs more pods
 *    than exist: to what the upper bound needs over lead + look-ahead, in one step (`immediate`).
 * 2. **Pre-scale** when the need only appears in the look-ahead after the lead time: to that need
 *    (`scheduled`), so the pods are ready before the forecast peak. After the lead time the need
 *    is the point forecast plus the lead time's margin (`rampNeed`): a peak the forecast
 *    expects, not the interval's growth with the horizon.
 * 3. **Scale down** only to what the upper bound needs over the whole stabilisation window
 *    (default 1 h), only when that drops by more than the tolerance, and only when the pod-hours
 *    saved before the outlook needs the pods again reach `minimumSavingPodHours` (`gradual`).
 *    Otherwise hold and say which of the three held it.
 *
 * Every change lands on **one margin**: the larger of what the upper bound needs and what the point
 * forecast needs plus `scaleUpHeadroom` (10 %). Sizing to the forecast's upper bound gives headroom
 * that follows the series' own uncertainty (wide when it is volatile, narrow when calm); the band
 * over the point forecast keeps steps few on calm series, whose upper bound hugs the point
 * forecast. Adding the band on top of the upper bound (as before) paid for both margins at once.
 * The window and the saving threshold cut scale actions. The result is clamped to
 * `[minReplicas, maxReplicas]`.
 *
 * @example
 * ```ts
 * const decision = predictiveReplicas({ currentReplicas: 6, observedDemand: 2.1, points: outcome.points, targetPerPod: 0.28, minReplicas: 2, maxReplicas: 60, settings: { leadSteps: 1 } });
 * decision.desiredReplicas; decision.timing; decision.reason;
 * ```
 */
export function predictiveReplicas(input: PredictiveScalingInput): PredictiveScalingDecision {
  const { currentReplicas: current, targetPerPod, points, settings } = input;
  if (!(targetPerPod > 0) || !(settings.leadSteps >= 1) || points.length === 0) {
    throw new ConfigError({
      message:
        'Invalid predictive scaling input: targetPerPod > 0, leadSteps ≥ 1 and at least one forecast point are required',
      issues: [{ path: 'targetPerPod', message: 'must be positive, with leadSteps ≥ 1 and points' }],
    });
  }
  validatePredictiveInput(input);
  const lead = Math.min(points.length, Math.ceil(settings.leadSteps));
  const stepHours = settings.stepHours ?? 300 / 3600;
  const lookahead = settings.scaleUpLookaheadSteps ?? Math.max(1, Math.round(0.25 / stepHours));
  const window = settings.scaleDownWindowSteps ?? Math.max(lead, Math.round(1 / stepHours));
  const minimumSaving = settings.minimumSavingPodHours ?? 0.5;
  const tolerance = settings.tolerance ?? 0.1;
  const headroom = settings.scaleUpHeadroom ?? 0.1;
  const withHeadroom = (pods: number) => Math.ceil(pods * (1 + headroom) - 1e-9);
  const level = settings.level ?? 0.8;
  const clamp = (replicas: number) => Math.min(input.maxReplicas, Math.max(input.minReplicas, replicas));

  const neededNow = podsFor(input.observedDemand, targetPerPod);
  const neededWithinLead = Math.max(neededNow, maxNeed(points, 0, lead, targetPerPod, level));
  const neededForRamp = Math.max(neededWithinLead, rampNeed(points, lead, lookahead, targetPerPod, level));
  const neededOverWindow = Math.max(neededForRamp, maxNeed(points, 0, window, targetPerPod, level));
  const base = { neededWithinLead, neededForRamp, neededOverWindow };
  // Where a change lands: what the upper bound needs, or the point forecast's need plus the band,
  // whichever is larger. One margin, not two: the band keeps steps few on calm series (whose
  // upper bound hugs the point forecast); on volatile ones the upper bound already exceeds it.
  const landing = (upperNeed: number, steps: number) =>
    Math.max(upperNeed, withHeadroom(Math.max(neededNow, maxMeanNeed(points, 0, steps, targetPerPod))));
  const rampTarget = clamp(landing(neededForRamp, lead + lookahead));
  const upper = (index: number) => upperAt(points[Math.min(points.length, index) - 1]!, level).toFixed(3);

  if (neededWithinLead > current) {
    const desired = rampTarget;
    return {
      ...base,
      desiredReplicas: desired,
      timing: 'immediate',
      rule: 'scale_up_now',
      reason: `predictive: demand within the ${lead}-step lead time may reach ${upper(lead)} (upper bound), which needs ${neededWithinLead} pods; scaling ${current} → ${desired} now, covering the next ${lookahead} steps of the forecast (its upper bound, or the point forecast plus ${Math.round(headroom * 100)} % headroom, whichever needs more)`,
    };
  }
  if (neededForRamp > current) {
    const desired = rampTarget;
    return {
      ...base,
      desiredReplicas: desired,
      timing: 'scheduled',
      rule: 'pre_scale',
      reason: `predictive: the point forecast rises within ${lead + lookahead} steps to a level that, with the lead time's margin, needs ${neededForRamp} pods; pre-scaling ${current} → ${desired} so they are ready before the peak`,
    };
  }
  // Scale-downs land where a scale-up would have (the same one-margin landing), so the two never chase each other.
  const proposed = clamp(landing(neededOverWindow, window));
  if (proposed >= current) {
    return {
      ...base,
      desiredReplicas: current,
      timing: 'immediate',
      rule: neededOverWindow > neededForRamp ? 'hold_stabilized' : 'hold',
      reason:
        neededOverWindow > neededForRamp
          ? `predictive: holding ${current}: the upper bound over the next ${window} steps needs ${neededOverWindow} pods (scale-down stabilisation)`
          : `predictive: holding ${current}: the forecast upper bound needs no more and no fewer pods`,
    };
  }
  if ((current - proposed) / current <= tolerance) {
    return {
      ...base,
      desiredReplicas: current,
      timing: 'gradual',
      rule: 'hold_within_tolerance',
      reason: `predictive: holding ${current}: ${proposed} pods would do, but the change is within the ${Math.round(tolerance * 100)} % tolerance`,
    };
  }
  // Cost-aware: the saving lasts until the outlook needs the pods back (or to its end).
  let stepsSaved = points.length;
  for (let index = 0; index < points.length; index++) {
    if (podsFor(upperAt(points[index]!, level), targetPerPod) > proposed) {
      stepsSaved = index;
      break;
    }
  }
  const saving = (current - proposed) * stepsSaved * stepHours;
  if (saving < minimumSaving) {
    return {
      ...base,
      desiredReplicas: current,
      timing: 'gradual',
      rule: 'hold_saving_too_small',
      reason: `predictive: holding ${current}: removing ${current - proposed} pods saves only ${saving.toFixed(2)} pod-hours before the forecast needs them back (threshold ${minimumSaving})`,
    };
  }
  return {
    ...base,
    desiredReplicas: proposed,
    timing: 'gradual',
    rule: 'scale_down',
    reason: `predictive: the upper bound over the next ${window} steps needs ${neededOverWindow} pods; scaling ${current} → ${proposed} saves ${saving.toFixed(2)} pod-hours before the outlook needs them again`,
  };
}
