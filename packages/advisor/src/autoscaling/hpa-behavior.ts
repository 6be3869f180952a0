import type { HpaScalingPolicy, HpaScalingRules } from '@ballast/core';

/**
 * `spec.behavior` of an autoscaling/v2 HPA: scaling rules per direction. Any field left out takes
 * the API default (see {@link resolveHpaBehavior}).
 *
 * @example
 * ```ts
 * const behavior: HpaBehavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
 * ```
 */
export interface HpaBehavior {
  scaleUp?: HpaScalingRules | undefined;
  scaleDown?: HpaScalingRules | undefined;
}

/**
 * Scaling rules with every field filled in, as the controller sees them after API defaulting.
 *
 * @example
 * ```ts
 * const rules: ResolvedHpaScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [] };
 * ```
 */
export interface ResolvedHpaScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: readonly HpaScalingPolicy[];
  /** KEP-4951 per-direction tolerance, when set on the HPA. */
  tolerance?: number | undefined;
}

/**
 * A behavior with both directions resolved.
 *
 * @example
 * ```ts
 * const resolved: ResolvedHpaBehavior = resolveHpaBehavior({});
 * ```
 */
export interface ResolvedHpaBehavior {
  scaleUp: ResolvedHpaScalingRules;
  scaleDown: ResolvedHpaScalingRules;
}

/**
 * One recommendation the controller remembers for stabilization (`timestampedRecommendation`).
 *
 * @example
 * ```ts
 * const rec: HpaRecommendation = { timestamp: Date.now(), replicas: 4 };
 * ```
 */
export interface HpaRecommendation {
  /** Epoch ms. */
  timestamp: number;
  replicas: number;
}

/**
 * One scale event the controller remembers for rate limiting (`timestampedScaleEvent`):
 * `replicas` is the number of pods added (scale-up list) or removed (scale-down list).
 *
 * @example
 * ```ts
 * const event: HpaScaleEvent = { timestamp: Date.now(), replicas: 2 };
 * ```
 */
export interface HpaScaleEvent {
  /** Epoch ms. */
  timestamp: number;
  replicas: number;
}

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

/** Controller flag `--horizontal-pod-autoscaler-downscale-stabilization` default, seconds. */
export const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS = 300;
/** `scaleUpLimitFactor` of the legacy (no `behavior`) path. */
export const LEGACY_SCALE_UP_LIMIT_FACTOR = 2;
/** `scaleUpLimitMinimum` of the legacy (no `behavior`) path. */
export const LEGACY_SCALE_UP_LIMIT_MINIMUM = 4;

/**
 * Fills a behavior with the autoscaling/v2 API defaults (`pkg/apis/autoscaling/v2/defaults.go`):
 * scale-up `{ window 0, Max, [Pods 4 / 15 s, Percent 100 / 15 s] }`, scale-down
 * `{ window = controller flag (300 s), Max, [Percent 100 / 15 s] }`. Fields set by the caller win
 * field by field, as in `copyHPAScalingRules`.
 *
 * @example
 * ```ts
 * resolveHpaBehavior({ scaleUp: { selectPolicy: 'Min' } }).scaleUp.policies.length; // 2 (defaults kept)
 * ```
 */
export function resolveHpaBehavior(
  behavior: HpaBehavior,
  downscaleStabilizationSeconds: number = DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
): ResolvedHpaBehavior {
  const up = behavior.scaleUp;
  const down = behavior.scaleDown;
  return {
    scaleUp: {
      stabilizationWindowSeconds: up?.stabilizationWindowSeconds ?? 0,
      selectPolicy: up?.selectPolicy ?? 'Max',
      policies: up?.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      tolerance: up?.tolerance,
    },
    scaleDown: {
      stabilizationWindowSeconds: down?.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
      selectPolicy: down?.selectPolicy ?? 'Max',
      policies: down?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      tolerance: down?.tolerance,
    },
  };
}

/**
 * Sum of the replica changes of the events strictly newer than `now − periodSeconds`
 * (`getReplicasChangePerPeriod`).
 *
 * @example
 * ```ts
 * replicasChangedInPeriod([{ timestamp: 10_000, replicas: 2 }], 15, 20_000); // 2
 * ```
 */
export function replicasChangedInPeriod(
  events: readonly HpaScaleEvent[],
  periodSeconds: number,
  now: number,
): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const event of events) if (event.timestamp > cutoff) replicas += event.replicas;
  return replicas;
}

/**
 * The highest replica count the scale-up policies allow now (`calculateScaleUpLimitWithScalingRules`):
 * per policy `start = current − added + removed` over its period, then Pods `start + value` or
 * Percent `ceil(start × (1 + value/100))`; `Max` takes the largest, `Min` the smallest, `Disabled`
 * returns `current`.
 *
 * @example
 * ```ts
 * scaleUpLimit(3, emptyHpaControllerState(), resolveHpaBehavior({}).scaleUp, Date.now()); // 7 (3 + 4 pods beats 3 × 2)
 * ```
 */
export function scaleUpLimit(
  currentReplicas: number,
  state: HpaControllerState,
  rules: ResolvedHpaScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedInPeriod(state.scaleUpEvents, policy.periodSeconds, now);
    const removed = replicasChangedInPeriod(state.scaleDownEvents, policy.periodSeconds, now);
    const start = currentReplicas - added + removed;
    const proposed =
      policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/**
 * The lowest replica count the scale-down policies allow now (`calculateScaleDownLimitWithBehaviors`):
 * Pods `start − value`, Percent `trunc(start × (1 − value/100))`; `Max` (largest change) takes the
 * smallest, `Min` the largest, `Disabled` returns `current`.
 *
 * @example
 * ```ts
 * scaleDownLimit(10, emptyHpaControllerState(), resolveHpaBehavior({}).scaleDown, Date.now()); // 0 (100 % per 15 s)
 * ```
 */
export function scaleDownLimit(
  currentReplicas: number,
  state: HpaControllerState,
  rules: ResolvedHpaScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedInPeriod(state.scaleUpEvents, policy.periodSeconds, now);
    const removed = replicasChangedInPeriod(state.scaleDownEvents, policy.periodSeconds, now);
    const start = currentReplicas - added + removed;
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

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
  const { now, currentReplicas: current, desiredReplicas: desired, minReplicas, maxReplicas } = input;
  const state = input.state ?? emptyHpaControllerState();
  const downWindow = input.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS;

  if (input.behavior === undefined) {
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
    // convertDesiredReplicasWithRules
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
    let result = stabilized;
    let scalingLimited = within;
    if (stabilized < minReplicas) {
      result = minReplicas;
      scalingLimited = {
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    } else if (stabilized > maximumAllowed) {
      result = maximumAllowed;
      scalingLimited = limiting;
    }
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

  const behavior = resolveHpaBehavior(input.behavior, downWindow);
  // stabilizeRecommendationWithBehaviors: only samples strictly after each cutoff count.
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  for (const rec of state.recommendations) {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
  }
  let stabilized = current;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;
  const ableToScale: HpaCondition =
    stabilized === desired
      ? { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
      : desired >= current
        ? {
            status: 'True',
            reason: 'ScaleUpStabilized',
            message:
              'recent recommendations were lower than current one, applying the lowest recent recommendation',
          }
        : {
            status: 'True',
            reason: 'ScaleDownStabilized',
            message:
              'recent recommendations were higher than current one, applying the highest recent recommendation',
          };

  // convertDesiredReplicasWithBehaviorRate
  let result = stabilized;
  let scalingLimited = within;
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
    if (stabilized > maximumAllowed) {
      result = maximumAllowed;
      scalingLimited = limiting;
    }
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
    if (stabilized < minimumAllowed) {
      result = minimumAllowed;
      scalingLimited = limiting;
    }
  }

  const oldest = Math.min(upCutoff, downCutoff);
  const longestUp = Math.max(0, ...behavior.scaleUp.policies.map((policy) => policy.periodSeconds));
  const longestDown = Math.max(0, ...behavior.scaleDown.policies.map((policy) => policy.periodSeconds));
  let scaleUpEvents = state.scaleUpEvents.filter((event) => event.timestamp > now - longestUp * 1000);
  let scaleDownEvents = state.scaleDownEvents.filter((event) => event.timestamp > now - longestDown * 1000);
  if (result > current) scaleUpEvents = [...scaleUpEvents, { timestamp: now, replicas: result - current }];
  if (result < current)
    scaleDownEvents = [...scaleDownEvents, { timestamp: now, replicas: current - result }];
  return {
    desiredReplicas: result,
    stabilizedReplicas: stabilized,
    ableToScale,
    scalingLimited,
    state: {
      recommendations: pruneRecommendations(state.recommendations, oldest, {
        timestamp: now,
        replicas: desired,
      }),
      scaleUpEvents,
      scaleDownEvents,
    },
  };
}
