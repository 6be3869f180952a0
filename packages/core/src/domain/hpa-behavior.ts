import type { HpaScalingPolicy, HpaScalingRules, ScalingEvent } from './workload-snapshot';

// Pure HPA `behavior` primitives shared by `@ballast/advisor` (the controller port) and
// `@ballast/validator` (repairing LLM advice). A port of `pkg/apis/autoscaling/v2/defaults.go` and
// the rate-limit and stabilization helpers of `pkg/controller/podautoscaler/horizontal.go`.

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
 * The scale events the rate limits look at: pods added (`scaleUpEvents`) and removed
 * (`scaleDownEvents`), each list in the {@link HpaScaleEvent} form.
 *
 * @example
 * ```ts
 * const events: HpaScaleEvents = { scaleUpEvents: [{ timestamp: Date.now() - 10_000, replicas: 2 }], scaleDownEvents: [] };
 * ```
 */
export interface HpaScaleEvents {
  scaleUpEvents: readonly HpaScaleEvent[];
  scaleDownEvents: readonly HpaScaleEvent[];
}

/**
 * Controller flag `--horizontal-pod-autoscaler-downscale-stabilization` default, seconds.
 *
 * @example
 * ```ts
 * resolveHpaBehavior({}).scaleDown.stabilizationWindowSeconds === DEFAULT_DOWNSCALE_STABILIZATION_SECONDS; // true (300)
 * ```
 */
export const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS = 300;

/**
 * Fills a behavior with the autoscaling/v2 API defaults (`pkg/apis/autoscaling/v2/defaults.go`):
 * scale-up `{ window 0, Max, [Pods 4 / 15 s, Percent 100 / 15 s] }`, scale-down
 * `{ window = controller flag (300 s), Max, [Percent 100 / 15 s] }`. Fields set by the caller win
 * field by field, as in `copyHPAScalingRules`; a set `policies` list is kept as is, even when empty.
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
 * Splits recorded replica changes ({@link ScalingEvent}: `fromReplicas` → `toReplicas`) into the
 * scale-up and scale-down event lists the rate limits read. Changes of zero are dropped; no event is
 * filtered by time, so drop future or stale ones before calling.
 *
 * @example
 * ```ts
 * hpaScaleEventsFromHistory([{ timestamp: 0, fromReplicas: 3, toReplicas: 5 }]);
 * // { scaleUpEvents: [{ timestamp: 0, replicas: 2 }], scaleDownEvents: [] }
 * ```
 */
export function hpaScaleEventsFromHistory(events: readonly ScalingEvent[]): HpaScaleEvents {
  const scaleUpEvents: HpaScaleEvent[] = [];
  const scaleDownEvents: HpaScaleEvent[] = [];
  for (const event of events) {
    if (event.toReplicas > event.fromReplicas) {
      scaleUpEvents.push({ timestamp: event.timestamp, replicas: event.toReplicas - event.fromReplicas });
    } else if (event.toReplicas < event.fromReplicas) {
      scaleDownEvents.push({ timestamp: event.timestamp, replicas: event.fromReplicas - event.toReplicas });
    }
  }
  return { scaleUpEvents, scaleDownEvents };
}

/**
 * Sum of the replica changes of the events strictly newer than `now − periodSeconds`
 * (`getReplicasChangePerPeriod`). Events after `now` count too, as in the controller.
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
 * returns `current`. With no policies the result is `−∞` for `Max` and `+∞` for `Min` (the
 * controller's `MinInt32` / `MaxInt32`).
 *
 * @example
 * ```ts
 * scaleUpLimit(3, { scaleUpEvents: [], scaleDownEvents: [] }, resolveHpaBehavior({}).scaleUp, Date.now()); // 7 (3 + 4 pods beats 3 × 2)
 * ```
 */
export function scaleUpLimit(
  currentReplicas: number,
  events: HpaScaleEvents,
  rules: ResolvedHpaScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedInPeriod(events.scaleUpEvents, policy.periodSeconds, now);
    const removed = replicasChangedInPeriod(events.scaleDownEvents, policy.periodSeconds, now);
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
 * smallest, `Min` the largest, `Disabled` returns `current`. With no policies the result is `+∞`
 * for `Max` and `−∞` for `Min`.
 *
 * @example
 * ```ts
 * scaleDownLimit(10, { scaleUpEvents: [], scaleDownEvents: [] }, resolveHpaBehavior({}).scaleDown, Date.now()); // 0 (100 % per 15 s)
 * ```
 */
export function scaleDownLimit(
  currentReplicas: number,
  events: HpaScaleEvents,
  rules: ResolvedHpaScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedInPeriod(events.scaleUpEvents, policy.periodSeconds, now);
    const removed = replicasChangedInPeriod(events.scaleDownEvents, policy.periodSeconds, now);
    const start = currentReplicas - added + removed;
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/**
 * Stabilization of a metric recommendation over the recommendation windows
 * (`stabilizeRecommendationWithBehaviors`): `upFloor = min(recs newer than now − W_up ∪ {desired})`,
 * `downCeiling = max(recs newer than now − W_down ∪ {desired})`, result
 * `clamp(current, upFloor, downCeiling)`. Only recommendations strictly after each cutoff count.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * stabilizeRecommendation(3, 4, [{ timestamp: now - 100_000, replicas: 8 }], resolveHpaBehavior({}), now);
 * // 4: a recommendation of 8 inside the 300 s scale-down window holds the scale-down
 * ```
 */
export function stabilizeRecommendation(
  desiredReplicas: number,
  currentReplicas: number,
  recommendations: readonly HpaRecommendation[],
  behavior: ResolvedHpaBehavior,
  now: number,
): number {
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desiredReplicas;
  let downRecommendation = desiredReplicas;
  for (const rec of recommendations) {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
  }
  let stabilized = currentReplicas;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;
  return stabilized;
}
