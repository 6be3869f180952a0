import {
  DEFAULT_MAX_MODEL_TEXT_LENGTH,
  type HpaRecommendation,
  type HpaScalingRules,
  hpaScaleEventsFromHistory,
  hpaScalingRulesSchema,
  type ImpactLevel,
  llmScalingAdviceSchema,
  type PerformanceImpact,
  type RecommendationSource,
  recommendationSourceSchema,
  resolveHpaBehavior,
  type ScalingAction,
  type ScalingRecommendation,
  type ScalingTiming,
  safeExtractJson,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeRecommendation,
  ValidationError,
  type WorkloadSnapshot,
} from '@ballast/core';
import { describe, isRecord, type RepairSink, readEnum, readLooseNumber, recordRepair } from './normalize';
import type { Reason, Repair, ScalingReasonCode } from './reason-codes';

/**
 * A past replica recommendation of the autoscaler, for the HPA stabilisation windows (the same
 * shape as `HpaRecommendation` in `@ballast/core`).
 *
 * @example
 * ```ts
 * const history: ReplicaRecommendation[] = [{ timestamp: Date.now() - 60_000, replicas: 8 }];
 * ```
 */
export type ReplicaRecommendation = HpaRecommendation;

/**
 * Options of {@link validateScalingAdvice}.
 *
 * @example
 * ```ts
 * const options: ScalingValidationOptions = { minReplicas: 2, maxReplicas: 20, applyBehavior: true };
 * ```
 */
export interface ScalingValidationOptions {
  /** Overrides the HPA's `minReplicas` (Kubernetes default 1). */
  minReplicas?: number;
  /** Overrides the HPA's `maxReplicas`; required when the workload has no HPA. */
  maxReplicas?: number;
  /** Allow a target of 0 replicas. Default `false`: the floor is at least 1. */
  allowScaleToZero?: boolean;
  /**
   * Apply HPA stabilisation and rate-limit policies (`behavior`, or Kubernetes' defaults when the
   * HPA has none). Default: `true` when the workload has an HPA.
   */
  applyBehavior?: boolean;
  /** Replaces the HPA's `behavior` (per direction). */
  behavior?: { scaleUp?: HpaScalingRules; scaleDown?: HpaScalingRules };
  /** Earlier replica recommendations, for the stabilisation windows. */
  recommendationHistory?: readonly ReplicaRecommendation[];
  /** "Now" for windows and policy periods, epoch ms. Default: the snapshot's `collectedAt`. */
  now?: number;
  /** `source` of the resulting recommendation. Default `llm`. */
  source?: RecommendationSource;
  /**
   * Longest advice given as model text, in characters. Default `DEFAULT_MAX_MODEL_TEXT_LENGTH`
   * (1 000 000) from `@ballast/core`. Longer text is rejected (`invalid_shape`, saying so)
   * without being parsed.
   */
  maxAdviceTextLength?: number;
}

/**
 * What limited the final target, in the order applied.
 *
 * @example
 * ```ts
 * const limit: ScalingLimit = 'max_replicas';
 * ```
 */
export type ScalingLimit =
  | 'min_replicas'
  | 'max_replicas'
  | 'scale_up_stabilization'
  | 'scale_down_stabilization'
  | 'scale_up_policy'
  | 'scale_down_policy';

/**
 * Usable advice: a consistent recommendation plus everything that was changed to get there.
 *
 * @example
 * ```ts
 * const applied = (result: ScalingValidationSuccess) => result.recommendation.targetReplicas;
 * ```
 */
export interface ScalingValidationSuccess {
  ok: true;
  recommendation: ScalingRecommendation;
  repairs: Repair[];
  bounds: { minReplicas: number; maxReplicas: number };
  /** The model's target before clamping and limits (rounded up to an integer). */
  proposedReplicas: number;
  limitedBy: ScalingLimit[];
}

/**
 * Unusable advice: the caller must use the rule-based answer.
 *
 * @example
 * ```ts
 * const why = (result: ScalingValidationFailure) => result.reasons.map((reason) => reason.code).join(', ');
 * ```
 */
export interface ScalingValidationFailure {
  ok: false;
  useRuleBased: true;
  reasons: Array<Reason<ScalingReasonCode>>;
  repairs: Repair[];
}

/**
 * The outcome of {@link validateScalingAdvice}.
 *
 * @example
 * ```ts
 * const target = (result: ScalingValidationResult, fallback: number) => (result.ok ? result.recommendation.targetReplicas : fallback);
 * ```
 */
export type ScalingValidationResult = ScalingValidationSuccess | ScalingValidationFailure;

/** A target more than this many times `maxReplicas` is refused (fallback), not clamped. */
const IMPLAUSIBLE_TARGET_FACTOR = 10;
/** A fraction this close to an integer is that integer (float noise such as 4.0000001), not a reason to add a pod. */
const INTEGER_NOISE = 1e-6;

/** Fractions round up (a partial pod is a whole pod), except float noise around an integer. */
function roundUpReplicas(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) <= INTEGER_NOISE ? nearest : Math.ceil(value);
}

/** `"target_replicas": 1e1` in model text: JSON reads it as 10, but no model means 10 by writing that. */
const EXPONENT_TARGET =
  /["'](?:target_replicas|targetReplicas)["']\s*:\s*["']?\s*[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+/;

/** Every `target_replicas`/`targetReplicas` value written in model text (quotes stripped). */
const TARGET_IN_TEXT = /["'](?:target_replicas|targetReplicas)["']\s*:\s*["']?\s*([^,}\]\s"']*)/g;

/**
 * The distinct targets an answer gives: model text may hold a duplicate key (`JSON.parse` keeps
 * the last silently) or two answers (extraction keeps the first); an object may hold both spellings.
 */
function distinctTargets(advice: unknown): string[] {
  if (typeof advice === 'string') {
    return [...new Set([...advice.matchAll(TARGET_IN_TEXT)].map((match) => match[1]!.trim()))];
  }
  if (!isRecord(advice) || advice.target_replicas === undefined || advice.targetReplicas === undefined)
    return [];
  return [...new Set([advice.target_replicas, advice.targetReplicas].map((value) => String(value).trim()))];
}

const impactLevels: readonly ImpactLevel[] = ['low', 'medium', 'high'];
const performanceImpacts: readonly PerformanceImpact[] = ['positive', 'neutral', 'negative'];
const timings: readonly ScalingTiming[] = ['immediate', 'gradual', 'scheduled'];
const scalingTypes = ['hpa', 'vpa', 'both', 'maintain'] as const;

/**
 * Checks and repairs a replica recommendation (AI4K8s's JSON shape, the model's raw text, or a
 * typed {@link ScalingRecommendation}) against a workload:
 *
 * 1. schema: integer `target_replicas` (a numeric string or a fraction is repaired, rounding up,
 *    except float noise within 1e-6 of an integer: `4.0000001` is 4); a target in exponent
 *    notation in model text (`1e1`) or above 10 × `maxReplicas` (`1e308`) is refused, so the
 *    rule-based answer is used instead of a clamp to max that would scale up on garbage,
 *    `confidence` in 0..1, `reasoning` present, enums in their sets (any case);
 * 2. clamp to `[minReplicas, maxReplicas]` (HPA or options; the floor is 1 unless `allowScaleToZero`);
 * 3. optionally HPA stabilisation and `Pods`/`Percent` rate policies with `selectPolicy`;
 * 4. `action` derived from the final target vs the current `spec.replicas` (`at_max` only when the
 *    model wanted more than `maxReplicas` and the workload is already there).
 *
 * Every change is a recorded repair. Anything unrecoverable returns
 * `{ ok: false, useRuleBased: true, reasons }`; the validator never invents a target or a confidence.
 * A workload that is not a {@link WorkloadSnapshot} throws a {@link ValidationError}.
 *
 * @example
 * ```ts
 * const result = validateScalingAdvice(workload, { action: 'scale_up', target_replicas: 40, confidence: 0.7, reasoning: 'CPU 95 %' });
 * if (!result.ok) useRuleBased();
 * else console.log(result.recommendation.targetReplicas, result.limitedBy); // e.g. 12 ['max_replicas']
 * ```
 */
export function validateScalingAdvice(
  workload: WorkloadSnapshot,
  advice: unknown,
  options: ScalingValidationOptions = {},
): ScalingValidationResult {
  const current = assertWorkload(workload);
  assertOptions(options);
  assertWorkloadParts(workload, options);
  const repairs: Repair[] = [];
  const sink: RepairSink = { target: 'advice', index: -1, repairs };
  const reasons: Array<Reason<ScalingReasonCode>> = [];
  const fail = (): ScalingValidationFailure => ({ ok: false, useRuleBased: true, reasons, repairs });

  // Bounds first: without them nothing can be trusted.
  const bounds = readBounds(workload, options, reasons);
  const data = readScalingAdvice(advice, sink, reasons, options.maxAdviceTextLength);
  if (data === undefined) return fail();
  const proposed = readProposedTarget(data.target_replicas, bounds.maxReplicas, sink, reasons);
  const confidence = readConfidence(data.confidence, sink, reasons);
  if (typeof data.reasoning !== 'string' || data.reasoning.trim() === '') {
    reasons.push({ code: 'reasoning_missing', message: 'reasoning is required' });
  }
  const labels = readLabels(data, sink, reasons);
  if (
    reasons.length > 0 ||
    proposed === undefined ||
    bounds.maxReplicas === undefined ||
    confidence === undefined
  ) {
    return fail();
  }
  const { minReplicas, maxReplicas } = bounds;

  const limitedBy: ScalingLimit[] = [];
  let final = clampToBounds(proposed, minReplicas, maxReplicas, sink, limitedBy);
  if (options.applyBehavior ?? workload.hpa !== undefined) {
    final = applyHpaBehavior(final, current, workload, options, sink, limitedBy);
  }
  const action = deriveAction(
    data.action,
    current,
    final,
    proposed > maxReplicas && current === maxReplicas,
    sink,
  );

  const recommendation: ScalingRecommendation = {
    action,
    currentReplicas: current,
    targetReplicas: final,
    confidence,
    reasoning: data.reasoning as string,
    factors: readFactors(data.factors_considered, sink),
    // The advice's own `source` is never read: a model may claim to be the rule-based policy.
    source: options.source ?? 'llm',
    ...labels,
  };
  const scores = numericRecord(data.criteria_scores);
  if (scores !== undefined) recommendation.criteriaScores = scores;

  return {
    ok: true,
    recommendation,
    repairs,
    bounds: { minReplicas, maxReplicas },
    proposedReplicas: proposed,
    limitedBy,
  };
}

function refuse(path: string, message: string): never {
  throw new ValidationError({
    message: `${path} ${message}`,
    issues: [{ path, message, code: 'invalid_input' }],
  });
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** `behavior` rules for one direction, as the HPA API accepts them (a bad policy is never dropped). */
function assertRules(rules: unknown, path: string): void {
  if (rules === undefined) return;
  const parsed = hpaScalingRulesSchema.safeParse(rules);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(path, `is not valid HPA scaling rules (${issue?.path.join('.') || 'value'}: ${issue?.message})`);
  }
}

/**
 * Every option is checked before it is used: a `NaN` time, a malformed history entry or a broken
 * policy would otherwise be skipped silently and lift a rate limit or a stabilisation window.
 */
function assertOptions(options: unknown): asserts options is ScalingValidationOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({
      message: 'options must be an object',
      issues: [{ path: 'options', message: 'not an object' }],
    });
  }
  const given = options as Record<string, unknown>;
  for (const flag of ['allowScaleToZero', 'applyBehavior'] as const) {
    if (given[flag] !== undefined && typeof given[flag] !== 'boolean')
      refuse(`options.${flag}`, 'must be a boolean');
  }
  if (given.now !== undefined && !isFiniteNumber(given.now))
    refuse('options.now', 'must be a finite epoch-ms number');
  if (given.source !== undefined && !recommendationSourceSchema.safeParse(given.source).success) {
    refuse('options.source', `must be one of ${recommendationSourceSchema.options.join('|')}`);
  }
  const maxLength = given.maxAdviceTextLength;
  if (maxLength !== undefined && !(isCount(maxLength) || maxLength === Number.POSITIVE_INFINITY)) {
    refuse('options.maxAdviceTextLength', 'must be a non-negative integer');
  }
  const history = given.recommendationHistory;
  if (history !== undefined) {
    if (!Array.isArray(history)) refuse('options.recommendationHistory', 'must be an array');
    for (let position = 0; position < history.length; position++) {
      const entry: unknown = history[position];
      if (!isRecord(entry) || !isFiniteNumber(entry.timestamp) || !isCount(entry.replicas)) {
        refuse(
          `options.recommendationHistory.${position}`,
          'must be { timestamp: finite epoch ms, replicas: non-negative integer }',
        );
      }
    }
  }
  const behavior = given.behavior;
  if (behavior !== undefined) {
    if (!isRecord(behavior)) refuse('options.behavior', 'must be an object');
    assertRules(behavior.scaleUp, 'options.behavior.scaleUp');
    assertRules(behavior.scaleDown, 'options.behavior.scaleDown');
  }
}

/** The parts of the workload the HPA behaviour reads: the HPA's rules, `collectedAt` and `events`. */
function assertWorkloadParts(workload: WorkloadSnapshot, options: ScalingValidationOptions): void {
  const hpa: unknown = workload.hpa;
  if (hpa !== undefined && hpa !== null) {
    if (!isRecord(hpa) || !isRecord(hpa.spec)) refuse('workload.hpa.spec', 'must be an object');
    const behavior = hpa.spec.behavior;
    if (behavior !== undefined) {
      if (!isRecord(behavior)) refuse('workload.hpa.spec.behavior', 'must be an object');
      assertRules(behavior.scaleUp, 'workload.hpa.spec.behavior.scaleUp');
      assertRules(behavior.scaleDown, 'workload.hpa.spec.behavior.scaleDown');
    }
  }
  if (!(options.applyBehavior ?? (hpa !== undefined && hpa !== null))) return;
  if (options.now === undefined && !isFiniteNumber(workload.collectedAt)) {
    refuse('workload.collectedAt', 'must be a finite epoch-ms number (or pass options.now)');
  }
  const events: unknown = workload.events;
  if (events === undefined) return;
  if (!Array.isArray(events)) refuse('workload.events', 'must be an array');
  for (let position = 0; position < events.length; position++) {
    const event: unknown = events[position];
    if (
      !isRecord(event) ||
      !isFiniteNumber(event.timestamp) ||
      !isCount(event.fromReplicas) ||
      !isCount(event.toReplicas)
    ) {
      refuse(
        `workload.events.${position}`,
        'must be { timestamp: finite epoch ms, fromReplicas, toReplicas: non-negative integers }',
      );
    }
  }
}

/** `[minReplicas, maxReplicas]` from the options, else the HPA; a missing or broken range is a reason. */
function readBounds(
  workload: WorkloadSnapshot,
  options: ScalingValidationOptions,
  reasons: Array<Reason<ScalingReasonCode>>,
): { minReplicas: number; maxReplicas: number | undefined } {
  const hpa = workload.hpa;
  let minReplicas = options.minReplicas ?? hpa?.spec.minReplicas ?? 1;
  if (!options.allowScaleToZero) minReplicas = Math.max(1, minReplicas);
  const maxReplicas = options.maxReplicas ?? hpa?.spec.maxReplicas;
  if (maxReplicas === undefined) {
    reasons.push({
      code: 'bounds_unknown',
      message: 'no maxReplicas: the workload has no HPA and options.maxReplicas is unset',
    });
  } else if (
    !Number.isInteger(minReplicas) ||
    !Number.isInteger(maxReplicas) ||
    minReplicas < 0 ||
    minReplicas > maxReplicas
  ) {
    reasons.push({
      code: 'bounds_invalid',
      message: `minReplicas ${minReplicas} / maxReplicas ${maxReplicas} are not a valid range`,
    });
  }
  return { minReplicas, maxReplicas };
}

/** The model's target as a whole replica count, or `undefined` with a reason. */
function readProposedTarget(
  raw: unknown,
  maxReplicas: number | undefined,
  sink: RepairSink,
  reasons: Array<Reason<ScalingReasonCode>>,
): number | undefined {
  const target = readLooseNumber(raw, 'target_replicas', sink);
  if (!target.ok) {
    reasons.push({ code: 'target_invalid', message: target.message });
    return undefined;
  }
  if (target.value === undefined) {
    reasons.push({ code: 'target_missing', message: 'target_replicas is required' });
    return undefined;
  }
  if (target.value < 0) {
    reasons.push({ code: 'target_invalid', message: `target_replicas ${target.value} is negative` });
    return undefined;
  }
  if (maxReplicas !== undefined && target.value > IMPLAUSIBLE_TARGET_FACTOR * Math.max(1, maxReplicas)) {
    // A target this far beyond the bound is not a judgement to clamp but a broken answer (1e308,
    // an overflow, a unit mix-up): scaling to max on it would be a scale-up nobody asked for.
    reasons.push({
      code: 'target_invalid',
      message: `target_replicas ${target.value} is implausible (more than ${IMPLAUSIBLE_TARGET_FACTOR} × maxReplicas ${maxReplicas}); using the rule-based answer instead of clamping`,
    });
    return undefined;
  }
  // `+ 0` turns a -0 (from `-0` or `"-0"`) into 0: a replica count has no sign.
  const proposed = roundUpReplicas(target.value) + 0;
  if (proposed !== target.value) {
    recordRepair(
      sink,
      'target_replicas',
      'target_rounded',
      target.value,
      proposed,
      Math.abs(target.value - Math.round(target.value)) <= INTEGER_NOISE
        ? `target_replicas ${target.value} is ${proposed} up to float noise`
        : `target_replicas ${target.value} rounded up to ${proposed}`,
    );
  }
  return proposed;
}

/** A confidence in 0..1, or `undefined` with a reason: the validator never invents one. */
function readConfidence(
  raw: unknown,
  sink: RepairSink,
  reasons: Array<Reason<ScalingReasonCode>>,
): number | undefined {
  const confidence = readLooseNumber(raw, 'confidence', sink);
  if (!confidence.ok) {
    reasons.push({ code: 'confidence_out_of_range', message: confidence.message });
    return undefined;
  }
  if (confidence.value === undefined) {
    reasons.push({ code: 'confidence_out_of_range', message: 'confidence is required' });
    return undefined;
  }
  if (confidence.value < 0 || confidence.value > 1) {
    reasons.push({
      code: 'confidence_out_of_range',
      message: `confidence ${confidence.value} is outside 0..1`,
    });
    return undefined;
  }
  return confidence.value;
}

type ScalingLabels = Pick<
  ScalingRecommendation,
  'risk' | 'costImpact' | 'performanceImpact' | 'timing' | 'scalingType'
>;

/** The optional enum fields; a value outside its set is a reason, an absent one stays absent. */
function readLabels(
  data: ScalingView,
  sink: RepairSink,
  reasons: Array<Reason<ScalingReasonCode>>,
): ScalingLabels {
  const labels: ScalingLabels = {};
  const read = <T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined => {
    const result = readEnum(value, field, allowed, sink);
    if (result.ok) return result.value;
    reasons.push({ code: 'enum_invalid', message: result.message });
    return undefined;
  };
  const risk = read('risk_assessment', data.risk_assessment, impactLevels);
  const costImpact = read('cost_impact', data.cost_impact, impactLevels);
  const performanceImpact = read('performance_impact', data.performance_impact, performanceImpacts);
  const timing = read('recommended_timing', data.recommended_timing, timings);
  const scalingType = read('scaling_type', data.scaling_type, scalingTypes);
  if (risk !== undefined) labels.risk = risk;
  if (costImpact !== undefined) labels.costImpact = costImpact;
  if (performanceImpact !== undefined) labels.performanceImpact = performanceImpact;
  if (timing !== undefined) labels.timing = timing;
  if (scalingType !== undefined) labels.scalingType = scalingType;
  return labels;
}

function clampToBounds(
  proposed: number,
  minReplicas: number,
  maxReplicas: number,
  sink: RepairSink,
  limitedBy: ScalingLimit[],
): number {
  let final = proposed;
  if (final > maxReplicas) {
    final = maxReplicas;
    limitedBy.push('max_replicas');
  } else if (final < minReplicas) {
    final = minReplicas;
    limitedBy.push('min_replicas');
  }
  if (final !== proposed) {
    recordRepair(
      sink,
      'target_replicas',
      'target_clamped',
      proposed,
      final,
      `target ${proposed} clamped to [${minReplicas}, ${maxReplicas}]`,
    );
  }
  return final;
}

/** HPA stabilisation windows, then the `Pods`/`Percent` rate policies, as the controller applies them. */
function applyHpaBehavior(
  target: number,
  current: number,
  workload: WorkloadSnapshot,
  options: ScalingValidationOptions,
  sink: RepairSink,
  limitedBy: ScalingLimit[],
): number {
  const hpa = workload.hpa;
  const now = options.now ?? workload.collectedAt;
  const behavior = resolveHpaBehavior({
    scaleUp: mergeRules(hpa?.spec.behavior?.scaleUp, options.behavior?.scaleUp),
    scaleDown: mergeRules(hpa?.spec.behavior?.scaleDown, options.behavior?.scaleDown),
  });
  let final = target;
  const stabilized = stabilizeRecommendation(
    final,
    current,
    options.recommendationHistory ?? [],
    behavior,
    now,
  );
  if (stabilized !== final) {
    limitedBy.push(final > current ? 'scale_up_stabilization' : 'scale_down_stabilization');
    recordRepair(
      sink,
      'target_replicas',
      'stabilized',
      final,
      stabilized,
      `target ${final} held at ${stabilized} by the stabilization window`,
    );
    final = stabilized;
  }
  // Changes recorded after `now` have not happened yet from this point of view.
  const events = hpaScaleEventsFromHistory((workload.events ?? []).filter((event) => event.timestamp <= now));
  let limited = final;
  if (final > current) {
    const limit = Math.max(scaleUpLimit(current, events, behavior.scaleUp, now), current);
    if (final > limit) {
      limited = limit;
      limitedBy.push('scale_up_policy');
    }
  } else if (final < current) {
    const limit = Math.min(scaleDownLimit(current, events, behavior.scaleDown, now), current);
    if (final < limit) {
      limited = limit;
      limitedBy.push('scale_down_policy');
    }
  }
  if (limited !== final) {
    recordRepair(
      sink,
      'target_replicas',
      'rate_limited',
      final,
      limited,
      `target ${final} limited to ${limited} by the scaling policies`,
    );
  }
  return limited;
}

/**
 * The action follows from the final target, not from what the model wrote (`at_max` only when it
 * wanted more than `maxReplicas` and the workload is already there).
 */
function deriveAction(
  claimed: unknown,
  current: number,
  final: number,
  wantedBeyondMax: boolean,
  sink: RepairSink,
): ScalingAction {
  const action: ScalingAction =
    final > current ? 'scale_up' : final < current ? 'scale_down' : wantedBeyondMax ? 'at_max' : 'maintain';
  if (claimed !== action) {
    recordRepair(
      sink,
      'action',
      'action_derived',
      claimed,
      action,
      `action ${describe(claimed)} derived as "${action}" from ${current} → ${final}`,
    );
  }
  return action;
}

function readFactors(raw: readonly unknown[] | null | undefined, sink: RepairSink): string[] {
  const given = raw ?? [];
  const factors = given.filter((factor): factor is string => typeof factor === 'string');
  if (factors.length !== given.length) {
    recordRepair(
      sink,
      'factors_considered',
      'dropped_invalid_entries',
      given.length,
      factors.length,
      'non-string factors dropped',
    );
  }
  return factors;
}

function assertWorkload(workload: unknown): number {
  const deployment = isRecord(workload) ? workload.deployment : undefined;
  const replicas = isRecord(deployment) ? deployment.replicas : undefined;
  const desired = isRecord(replicas) ? replicas.desired : undefined;
  if (typeof desired !== 'number' || !Number.isInteger(desired) || desired < 0) {
    throw new ValidationError({
      message: 'workload must be a WorkloadSnapshot with deployment.replicas.desired',
      issues: [
        {
          path: 'workload.deployment.replicas.desired',
          message: 'missing or not a non-negative integer',
          code: 'invalid_input',
        },
      ],
    });
  }
  return desired;
}

interface ScalingView {
  action?: unknown;
  target_replicas?: unknown;
  confidence?: unknown;
  reasoning?: unknown;
  factors_considered?: unknown[] | null | undefined;
  risk_assessment?: unknown;
  cost_impact?: unknown;
  performance_impact?: unknown;
  recommended_timing?: unknown;
  scaling_type?: unknown;
  criteria_scores?: unknown;
}

function readScalingAdvice(
  advice: unknown,
  sink: RepairSink,
  reasons: Array<Reason<ScalingReasonCode>>,
  maxLength: number | undefined,
): ScalingView | undefined {
  let value = advice;
  const targets =
    typeof advice === 'string' && advice.length > (maxLength ?? DEFAULT_MAX_MODEL_TEXT_LENGTH)
      ? []
      : distinctTargets(advice);
  if (targets.length > 1) {
    reasons.push({
      code: 'target_invalid',
      message: `the answer gives ${targets.length} different targets (${targets.slice(0, 3).join(', ')}); it is not read as a replica count`,
    });
    return undefined;
  }
  if (typeof value === 'string') {
    if (EXPONENT_TARGET.test(value)) {
      reasons.push({
        code: 'target_invalid',
        message:
          'target_replicas is written in exponent notation (e.g. 1e1); it is not read as a replica count',
      });
      return undefined;
    }
    const extracted = safeExtractJson(value, { maxLength });
    if (!extracted.ok) {
      const tooLarge = extracted.error.issues[0]?.code === 'input_too_large';
      reasons.push({
        code: 'invalid_shape',
        message: tooLarge ? extracted.error.issues[0]!.message : 'no JSON object in the model output',
      });
      return undefined;
    }
    if (extracted.conflictingKeys !== undefined) {
      for (const path of extracted.conflictingKeys) {
        const field = path.join('.');
        const code: ScalingReasonCode =
          field === 'target_replicas' || field === 'targetReplicas'
            ? 'target_invalid'
            : field === 'confidence'
              ? 'confidence_out_of_range'
              : 'invalid_shape';
        reasons.push({
          code,
          message: `"${field}" is given twice with different values; the answer is not read (JSON keeps only the last)`,
        });
      }
      return undefined;
    }
    for (const mend of extracted.repairs) {
      recordRepair(
        sink,
        '(root)',
        'extracted_json',
        mend,
        'json',
        `JSON extracted from model text (${mend})`,
      );
    }
    value = extracted.value;
  }
  if (!isRecord(value)) {
    reasons.push({ code: 'invalid_shape', message: `advice must be a JSON object, got ${describe(value)}` });
    return undefined;
  }
  const camel = (snake: string, camelKey: string): unknown =>
    value[snake] === undefined ? value[camelKey] : value[snake];
  const view = {
    scaling_type: camel('scaling_type', 'scalingType'),
    action: value.action,
    target_replicas: camel('target_replicas', 'targetReplicas'),
    confidence: value.confidence,
    reasoning: value.reasoning,
    criteria_scores: camel('criteria_scores', 'criteriaScores'),
    factors_considered: camel('factors_considered', 'factors'),
    risk_assessment: camel('risk_assessment', 'risk'),
    cost_impact: camel('cost_impact', 'costImpact'),
    performance_impact: camel('performance_impact', 'performanceImpact'),
    recommended_timing: camel('recommended_timing', 'timing'),
  };
  const parsed = llmScalingAdviceSchema.safeParse(view);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '(root)');
      const code: ScalingReasonCode =
        field === 'target_replicas'
          ? 'target_invalid'
          : field === 'confidence'
            ? 'confidence_out_of_range'
            : field === 'reasoning'
              ? 'reasoning_missing'
              : field === 'factors_considered' || field === 'criteria_scores'
                ? 'invalid_shape'
                : 'enum_invalid';
      reasons.push({ code, message: `${field}: ${issue.message}` });
    }
    return undefined;
  }
  return parsed.data;
}

/**
 * `options.behavior` over the HPA's own rules, field by field (a set field wins, as in
 * `copyHPAScalingRules`); {@link resolveHpaBehavior} then fills what neither sets.
 */
function mergeRules(
  base: HpaScalingRules | undefined,
  override: HpaScalingRules | undefined,
): HpaScalingRules | undefined {
  if (base === undefined || override === undefined) return override ?? base;
  return {
    stabilizationWindowSeconds: override.stabilizationWindowSeconds ?? base.stabilizationWindowSeconds,
    selectPolicy: override.selectPolicy ?? base.selectPolicy,
    policies: override.policies ?? base.policies,
    tolerance: override.tolerance ?? base.tolerance,
  };
}

function numericRecord(value: unknown): Record<string, number> | undefined {
  if (!isRecord(value)) return undefined;
  const result: Record<string, number> = {};
  let count = 0;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'number' && Number.isFinite(entry)) {
      result[key] = entry;
      count++;
    }
  }
  return count > 0 ? result : undefined;
}
