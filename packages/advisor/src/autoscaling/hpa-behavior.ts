import {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  type HpaBehavior,
  type HpaRecommendation,
  type HpaScaleEvent,
  type ResolvedHpaBehavior,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeRecommendation,
} from '@ballast/core';

// The pure behavior primitives (API defaults, rate limits, stabilization) live in `@ballast/core`
// so that `@ballast/validator` shares them; they are re-exported here unchanged. This module keeps
// the controller parts: its memory, the legacy path, conditions and `normalizeHpaReplicas`.
export {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  type HpaBehavior,
  type HpaRecommendation,
  type HpaScaleEvent,
  type ResolvedHpaBehavior,
  type ResolvedHpaScalingRules,
  replicasChangedInPeriod,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
} from '@ballast/core';

/**
 * The per-HPA memory the controller keeps between syncs. Pass the `state` returned by one call into
 * the next; start with {@link emptyHpaControllerState}.
 *
 * @example
 * ```ts
 * let state: HpaControllerState = emptyHpaControllerState();
 * ```
 */
export interface HpaControllerState {
  recommendations: readonly HpaRecommendation[];
  scaleUpEvents: readonly HpaScaleEvent[];
  scaleDownEvents: readonly HpaScaleEvent[];
}

/**
 * A fresh controller state (no recommendations, no scale events).
 *
 * @example
 * ```ts
 * const state = emptyHpaControllerState(); // { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] }
 * ```
 */
export function emptyHpaControllerState(): HpaControllerState {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** `scaleUpLimitFactor` of the legacy (no `behavior`) path. */
export const LEGACY_SCALE_UP_LIMIT_FACTOR = 2;
/** `scaleUpLimitMinimum` of the legacy (no `behavior`) path. */
export const LEGACY_SCALE_UP_LIMIT_MINIMUM = 4;

/**
 * A status condition as the HPA controller sets it.
 *
 * @example
 * ```ts
 * const condition: HpaCondition = { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
 * ```
 */
export interface HpaCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * The result of normalizing a metric recommendation: the replica count to apply, the stabilized
 * value before rate limits, the `AbleToScale` and `ScalingLimited` conditions, and the next state.
 *
 * @example
 * ```ts
 * const limited = (result: HpaNormalization) => result.scalingLimited.status === 'True';
 * ```
 */
export interface HpaNormalization {
  desiredReplicas: number;
  stabilizedReplicas: number;
  ableToScale: HpaCondition;
  scalingLimited: HpaCondition;
  state: HpaControllerState;
}

/**
 * Input of {@link normalizeHpaReplicas}.
 *
 * @example
 * ```ts
 * const input: HpaNormalizationInput = { now: 0, currentReplicas: 3, desiredReplicas: 8, minReplicas: 1, maxReplicas: 10 };
 * ```
 */
export interface HpaNormalizationInput {
  /** Epoch ms of this sync. */
  now: number;
  currentReplicas: number;
  /** The metric recommendation (max over metrics), before stabilization and limits. */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** `spec.behavior`; `undefined` takes the legacy path (no behavior field on the HPA). */
  behavior?: HpaBehavior | undefined;
  state?: HpaControllerState | undefined;
  /** Controller flag, default 300 s; also the legacy stabilization window. */
  downscaleStabilizationSeconds?: number | undefined;
}

const within: HpaCondition = {
  status: 'False',
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};

function pruneRecommendations(
  recommendations: readonly HpaRecommendation[],
  cutoff: number,
  next: HpaRecommendation,
): HpaRecommendation[] {
  return [...recommendations.filter((rec) => rec.timestamp >= cutoff), next];
}

/**
 * Stabilization, rate limits and min/max clamping of a metric recommendation, as the HPA controller
 * does after computing replicas from metrics (`normalizeDesiredReplicas` when `behavior` is absent,
 * `normalizeDesiredReplicasWithBehaviors` otherwise).
 *
 * - Legacy path: `stabilized = max(recommendations in the last 300 s ∪ {desired})`, then clamp to
 *   `[min, min(max, max(2 × current, 4))]` (`ScaleUpLimit`, `TooManyReplicas`, `TooFewReplicas`).
 * - Behavior path: `upFloor = min(recs newer than now − W_up ∪ {desired})`, `downCeil = max(recs newer
 *   than now − W_down ∪ {desired})`, `s = clamp(current, upFloor, downCeil)`; then scale-up is capped
 *   by `min(max, max(scaleUpLimit, current))` and scale-down floored by `max(min, min(scaleDownLimit, current))`.
 *
 * The returned state records the unstabilized recommendation and, on the behavior path, the scale
 * event (assuming the scale is applied, as the controller records it after a successful update).
 *
 * @example
 * ```ts
 * normalizeHpaReplicas({ now: 0, currentReplicas: 3, desiredReplicas: 20, minReplicas: 1, maxReplicas: 30 }).desiredReplicas;
 * // 6: legacy limit max(2 × 3, 4)
 * ```
 */
export function normalizeHpaReplicas(input: HpaNormalizationInput): HpaNormalization {
  const state = input.state ?? emptyHpaControllerState();
  const downWindow = input.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS;
  if (input.behavior === undefined) return normalizeLegacy(input, state, downWindow);
  return normalizeWithBehaviors(input, input.behavior, state, downWindow);
}

/** A replica count after the limits, and the `ScalingLimited` condition that explains it. */
interface LimitedReplicas {
  result: number;
  scalingLimited: HpaCondition;
}

/** `normalizeDesiredReplicas`: the path without `behavior` (downscale window, legacy rate). */
function normalizeLegacy(
  input: HpaNormalizationInput,
  state: HpaControllerState,
  downWindow: number,
): HpaNormalization {
  const { now, currentReplicas: current, desiredReplicas: desired, minReplicas, maxReplicas } = input;
  // stabilizeRecommendation: samples older than the cutoff are ignored, the rest (including one
  // exactly at the cutoff) may raise the recommendation.
  const cutoff = now - downWindow * 1000;
  let stabilized = desired;
  for (const rec of state.recommendations) {
    if (rec.timestamp >= cutoff && rec.replicas > stabilized) stabilized = rec.replicas;
  }
  const ableToScale: HpaCondition =
    stabilized !== desired
      ? {
          status: 'True',
          reason: 'ScaleDownStabilized',
          message:
            'recent recommendations were higher than current one, applying the highest recent recommendation',
        }
      : { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const { result, scalingLimited } = convertWithRules(stabilized, current, minReplicas, maxReplicas);
  return {
    desiredReplicas: result,
    stabilizedReplicas: stabilized,
    ableToScale,
    scalingLimited,
    state: {
      recommendations: pruneRecommendations(state.recommendations, cutoff, {
        timestamp: now,
        replicas: desired,
      }),
      scaleUpEvents: state.scaleUpEvents,
      scaleDownEvents: state.scaleDownEvents,
    },
  };
}

/** `convertDesiredReplicasWithRules`: clamp to `[min, min(max, max(2 · current, 4))]`. */
function convertWithRules(
  stabilized: number,
  current: number,
  minReplicas: number,
  maxReplicas: number,
): LimitedReplicas {
  const legacyLimit = Math.max(LEGACY_SCALE_UP_LIMIT_FACTOR * current, LEGACY_SCALE_UP_LIMIT_MINIMUM);
  let maximumAllowed: number;
  let limiting: HpaCondition;
  if (maxReplicas > legacyLimit) {
    maximumAllowed = legacyLimit;
    limiting = {
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    };
  } else {
    maximumAllowed = maxReplicas;
    limiting = {
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };
  }
  if (stabilized < minReplicas) {
    return {
      result: minReplicas,
      scalingLimited: {
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      },
    };
  }
  if (stabilized > maximumAllowed) return { result: maximumAllowed, scalingLimited: limiting };
  return { result: stabilized, scalingLimited: within };
}

/** `normalizeDesiredReplicasWithBehaviors`: stabilization windows, then the policies' rate limits. */
function normalizeWithBehaviors(
  input: HpaNormalizationInput,
  configured: HpaBehavior,
  state: HpaControllerState,
  downWindow: number,
): HpaNormalization {
  const { now, currentReplicas: current, desiredReplicas: desired } = input;
  const behavior = resolveHpaBehavior(configured, downWindow);
  // stabilizeRecommendationWithBehaviors: only samples strictly after each cutoff count.
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  const stabilized = stabilizeRecommendation(desired, current, state.recommendations, behavior, now);
  const { result, scalingLimited } = convertWithBehaviorRate(input, stabilized, state, behavior);
  return {
    desiredReplicas: result,
    stabilizedReplicas: stabilized,
    ableToScale: stabilizationCondition(stabilized, desired, current),
    scalingLimited,
    state: {
      recommendations: pruneRecommendations(state.recommendations, Math.min(upCutoff, downCutoff), {
        timestamp: now,
        replicas: desired,
      }),
      ...recordScaleEvents(state, behavior, now, current, result),
    },
  };
}

/** `AbleToScale` after stabilization with behaviors: which window held the recommendation back. */
function stabilizationCondition(stabilized: number, desired: number, current: number): HpaCondition {
  if (stabilized === desired) {
    return { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  }
  if (desired >= current) {
    return {
      status: 'True',
      reason: 'ScaleUpStabilized',
      message:
        'recent recommendations were lower than current one, applying the lowest recent recommendation',
    };
  }
  return {
    status: 'True',
    reason: 'ScaleDownStabilized',
    message:
      'recent recommendations were higher than current one, applying the highest recent recommendation',
  };
}

/** `convertDesiredReplicasWithBehaviorRate`: the scale-up or scale-down policy limit, then min/max. */
function convertWithBehaviorRate(
  input: HpaNormalizationInput,
  stabilized: number,
  state: HpaControllerState,
  behavior: ResolvedHpaBehavior,
): LimitedReplicas {
  const { now, currentReplicas: current, minReplicas, maxReplicas } = input;
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(current, state, behavior.scaleUp, now), current);
    let maximumAllowed = maxReplicas;
    let limiting: HpaCondition;
    if (maximumAllowed > limit) {
      maximumAllowed = limit;
      limiting = {
        status: 'True',
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      };
    } else {
      limiting = {
        status: 'True',
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      };
    }
    if (stabilized > maximumAllowed) return { result: maximumAllowed, scalingLimited: limiting };
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimit(current, state, behavior.scaleDown, now), current);
    let minimumAllowed = minReplicas;
    let limiting: HpaCondition;
    if (minimumAllowed < limit) {
      minimumAllowed = limit;
      limiting = {
        status: 'True',
        reason: 'ScaleDownLimit',
        message: 'the desired replica count is decreasing faster than the maximum scale rate',
      };
    } else {
      limiting = {
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    }
    if (stabilized < minimumAllowed) return { result: minimumAllowed, scalingLimited: limiting };
  }
  return { result: stabilized, scalingLimited: within };
}

/** Scale events still inside the longest policy period, plus this sync's change (assumed applied). */
function recordScaleEvents(
  state: HpaControllerState,
  behavior: ResolvedHpaBehavior,
  now: number,
  current: number,
  result: number,
): Pick<HpaControllerState, 'scaleUpEvents' | 'scaleDownEvents'> {
  const longestUp = Math.max(0, ...behavior.scaleUp.policies.map((policy) => policy.periodSeconds));
  const longestDown = Math.max(0, ...behavior.scaleDown.policies.map((policy) => policy.periodSeconds));
  let scaleUpEvents = state.scaleUpEvents.filter((event) => event.timestamp > now - longestUp * 1000);
  let scaleDownEvents = state.scaleDownEvents.filter((event) => event.timestamp > now - longestDown * 1000);
  if (result > current) scaleUpEvents = [...scaleUpEvents, { timestamp: now, replicas: result - current }];
  if (result < current)
    scaleDownEvents = [...scaleDownEvents, { timestamp: now, replicas: current - result }];
  return { scaleUpEvents, scaleDownEvents };
}
