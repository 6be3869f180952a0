import type { HpaScalingRules, ScalingEvent } from '@ballast/core';

/** Scaling rules with every field set. @internal */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: NonNullable<HpaScalingRules['policies']>;
}

/** Kubernetes' default `behavior.scaleUp` (pkg/apis/autoscaling/v2/defaults.go). @internal */
export const defaultScaleUp: ResolvedScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** Kubernetes' default `behavior.scaleDown` (window: the controller's 300 s default). @internal */
export const defaultScaleDown: ResolvedScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/**
 * A past replica recommendation of the autoscaler, for the HPA stabilisation windows.
 *
 * @example
 * ```ts
 * const history: ReplicaRecommendation[] = [{ timestamp: Date.now() - 60_000, replicas: 8 }];
 * ```
 */
export interface ReplicaRecommendation {
  /** Epoch ms. */
  timestamp: number;
  replicas: number;
}

/**
 * The HPA's `stabilizeRecommendationWithBehaviors`: the result is `current` moved toward `desired`
 * no further than the lowest recommendation of the scale-up window and the highest of the
 * scale-down window allow. @internal
 */
export function stabilize(
  desired: number,
  current: number,
  history: readonly ReplicaRecommendation[],
  now: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
): number {
  let upFloor = desired;
  let downCeiling = desired;
  const upCutoff = now - upWindowSeconds * 1000;
  const downCutoff = now - downWindowSeconds * 1000;
  for (const recommendation of history) {
    if (recommendation.timestamp > upCutoff) upFloor = Math.min(upFloor, recommendation.replicas);
    if (recommendation.timestamp > downCutoff) downCeiling = Math.max(downCeiling, recommendation.replicas);
  }
  let result = current;
  if (result < upFloor) result = upFloor;
  if (result > downCeiling) result = downCeiling;
  return result;
}

function changesInPeriod(events: readonly ScalingEvent[], now: number, periodSeconds: number) {
  const cutoff = now - periodSeconds * 1000;
  let added = 0;
  let removed = 0;
  for (const event of events) {
    if (event.timestamp <= cutoff || event.timestamp > now) continue;
    const delta = event.toReplicas - event.fromReplicas;
    if (delta > 0) added += delta;
    else removed -= delta;
  }
  return { added, removed };
}

/** The HPA's `calculateScaleUpLimitWithScalingRules`. @internal */
export function scaleUpLimit(
  current: number,
  events: readonly ScalingEvent[],
  now: number,
  rules: Pick<HpaScalingRules, 'selectPolicy' | 'policies'>,
): number {
  const selectPolicy = rules.selectPolicy ?? 'Max';
  if (selectPolicy === 'Disabled') return current;
  const policies = rules.policies ?? [];
  if (policies.length === 0) return Number.POSITIVE_INFINITY;
  let result = selectPolicy === 'Min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const policy of policies) {
    const { added, removed } = changesInPeriod(events, now, policy.periodSeconds);
    const start = current - added + removed;
    const proposed =
      policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The HPA's `calculateScaleDownLimitWithBehaviors`. @internal */
export function scaleDownLimit(
  current: number,
  events: readonly ScalingEvent[],
  now: number,
  rules: Pick<HpaScalingRules, 'selectPolicy' | 'policies'>,
): number {
  const selectPolicy = rules.selectPolicy ?? 'Max';
  if (selectPolicy === 'Disabled') return current;
  const policies = rules.policies ?? [];
  if (policies.length === 0) return Number.NEGATIVE_INFINITY;
  let result = selectPolicy === 'Min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const policy of policies) {
    const { added, removed } = changesInPeriod(events, now, policy.periodSeconds);
    const start = current - added + removed;
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
