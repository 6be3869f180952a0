import { ConfigError, ValidationError } from '@ballast/core';
import { z } from 'zod';
import { createEnsembleForecaster } from '../forecast/ensemble-forecaster';
import { type ForecastErrors, forecastErrors } from '../forecast/error-metrics';
import { forecast } from '../forecast/forecast';
import type { ForecastModel, ForecastOutcome, ForecastPoint } from '../forecast/forecast-types';
import { fitHoltWinters, type HoltWintersParameters } from '../forecast/holt-winters';
import { rescaleResult, safeScale, unscaled } from '../forecast/magnitude';
import { FORECAST_MAX_HORIZON_STEPS } from '../forecast/option-checks';
import { toRegularGrid } from '../forecast/regular-grid';
import { seasonalNaive } from '../forecast/seasonal-naive';
import { elasticityMetrics } from './elasticity-metrics';
import { forecastAwareReplicas } from './forecast-aware-scaling';
import { emptyHpaControllerState, type HpaBehavior, type HpaControllerState } from './hpa-behavior';
import { type HpaDesiredReplicasInput, hpaDesiredReplicas } from './hpa-desired-replicas';
import type { HpaPod, HpaPodSample } from './hpa-replica-calculator';
import { type PredictiveScalingSettings, predictiveReplicas } from './predictive-scaling';

/**
 * What a back-test policy sees at each step (after the step's demand is observed).
 *
 * @example
 * ```ts
 * const hot = (state: BacktestState) => state.utilizationPercent > 90;
 * ```
 */
export interface BacktestState {
  step: number;
  timeSeconds: number;
  stepSeconds: number;
  /** Demand observed so far, this step included (cores); gap steps hold the gap fill. */
  demandHistory: readonly number[];
  /** `true` for the entries of `demandHistory` that are gap fills, not observations. */
  demandFilled: readonly boolean[];
  /** Pods that exist (ready or starting). */
  currentReplicas: number;
  readyReplicas: number;
  startingReplicas: number;
  /** `demand / (ready × request) × 100`; `Infinity` when demand > 0 and no pod is ready. */
  utilizationPercent: number;
  requestsPerPodCores: number;
  targetUtilization: number;
  minReplicas: number;
  maxReplicas: number;
  podStartupSteps: number;
  /** What a reactive HPA (legacy path unless `behavior` is set), shadowing this policy, would set now. */
  hpaReplicas: number;
}

/**
 * A scaling policy under test: returns the replica count to set (rounded and clamped to
 * `[minReplicas, maxReplicas]` by the simulator). May be async (e.g. an LLM call).
 *
 * @example
 * ```ts
 * const fixed: BacktestPolicy = { name: 'fixed-10', decide: () => 10 };
 * ```
 */
export interface BacktestPolicy {
  name: string;
  decide(state: BacktestState): number | Promise<number>;
}

/**
 * Built-in policies by name, or a custom one.
 *
 * @example
 * ```ts
 * const policies: BacktestPolicyInput[] = ['hpa', 'predictive', { name: 'fixed', decide: () => 5 }];
 * ```
 */
export type BacktestPolicyInput = 'hpa' | 'forecast' | 'predictive' | BacktestPolicy;

/**
 * Most replicas the back-test simulates: it models every pod (and the HPA sees each one), so
 * `maxReplicas: 2e9` ran the process out of memory once demand grew.
 */
const BACKTEST_MAX_REPLICAS = 10_000;

const backtestScalarsSchema = z
  .object({
    stepSeconds: z.number().positive(),
    requestsPerPodCores: z.number().positive(),
    targetUtilization: z.number().positive(),
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().positive().max(BACKTEST_MAX_REPLICAS),
    podStartupSteps: z.number().int().nonnegative().max(FORECAST_MAX_HORIZON_STEPS),
    initialReplicas: z.number().int().positive().optional(),
    sloUtilizationPercent: z.number().positive().optional(),
    demandTargetUtilization: z.number().positive().optional(),
    forecast: z
      .object({
        model: z
          .enum(['auto', 'ensemble', 'holt-winters', 'linear-trend', 'seasonal-naive', 'local-level'])
          .optional(),
        level: z.number().gt(0).lt(1).optional(),
        seasonLength: z.number().int().min(1).optional(),
        refitEverySteps: z.number().int().min(1).optional(),
        outlookSteps: z.number().int().min(1).max(FORECAST_MAX_HORIZON_STEPS).optional(),
      })
      .optional(),
  })
  .refine((options) => options.maxReplicas >= options.minReplicas, {
    message: 'maxReplicas must be ≥ minReplicas',
    path: ['maxReplicas'],
  });

/**
 * Options of {@link runBacktest}.
 *
 * @example
 * ```ts
 * const options: BacktestOptions = {
 *   trace: demandCores, stepSeconds: 300, requestsPerPodCores: 0.4, targetUtilization: 70,
 *   minReplicas: 2, maxReplicas: 60, podStartupSteps: 1, policies: ['hpa', 'forecast'],
 * };
 * ```
 */
export interface BacktestOptions {
  /**
   * Demand per step, in cores (equally spaced, ≥ 0). `NaN` marks a gap: the step is simulated with
   * the gap fill of `toRegularGrid` (flagged, never scored by the forecaster) and left out of the
   * elasticity and SLO metrics (pods still cost pod-seconds).
   */
  trace: readonly number[];
  stepSeconds: number;
  requestsPerPodCores: number;
  /** CPU target, percent of requests (as the HPA's `averageUtilization`). */
  targetUtilization: number;
  /**
   * Target that defines the SPEC demand curve (`ceil(d / (request × target))` pods), default
   * `targetUtilization`. Keep it fixed while sweeping `targetUtilization` to compare HPA settings
   * on one yardstick (the HPA frontier).
   */
  demandTargetUtilization?: number | undefined;
  minReplicas: number;
  maxReplicas: number;
  /** Steps between a scale-up decision and the new pods being ready (at least the next step). */
  podStartupSteps: number;
  policies: readonly BacktestPolicyInput[];
  /** Pods at step 0, all ready; default: what the target needs for the first sample. */
  initialReplicas?: number | undefined;
  /** HPA `behavior` for the built-in policies; default none (the legacy controller path). */
  behavior?: HpaBehavior | undefined;
  /** A step violates the SLO when utilization of ready pods exceeds this (default 100 % of requests). */
  sloUtilizationPercent?: number | undefined;
  forecast?:
    | {
        model?: ForecastModel | 'auto' | undefined;
        /** Interval coverage, default 0.9. */
        level?: number | undefined;
        seasonLength?: number | undefined;
        /** Refit Holt-Winters parameters every this many steps (default: one season). */
        refitEverySteps?: number | undefined;
        /** Steps of outlook the `predictive` policy forecasts (default 6 hours of steps). */
        outlookSteps?: number | undefined;
      }
    | undefined;
  /** Settings of the `predictive` policy (lead time comes from `podStartupSteps`). */
  predictive?: Omit<PredictiveScalingSettings, 'leadSteps' | 'stepHours'> | undefined;
}

/**
 * Per-policy results.
 *
 * @example
 * ```ts
 * const cheaper = (a: BacktestMetrics, b: BacktestMetrics) => a.podSeconds < b.podSeconds;
 * ```
 */
export interface BacktestMetrics {
  /** θ_U, in [0, 1]. Demand is `ceil(d / (request × target))` pods; supply is ready pods. */
  underProvisioningAccuracy: number;
  /** τ_U, in [0, 1]. */
  underProvisioningTimeshare: number;
  /** θ_O, ≥ 0. */
  overProvisioningAccuracy: number;
  /** τ_O, in [0, 1]. */
  overProvisioningTimeshare: number;
  /** Σ pods (ready or starting) × step seconds. */
  podSeconds: number;
  scalingActions: number;
  meanReplicas: number;
  /** Over steps with ready pods. */
  maxUtilizationPercent: number;
  meanUtilizationPercent: number;
  /** Steps with utilization above the SLO threshold or no ready pod while there is demand. */
  sloViolationSteps: number;
  sloViolationShare: number;
  /** Steps scored (gap steps are left out of the elasticity and SLO metrics). */
  scoredSteps: number;
}

/**
 * One policy's decisions and metrics.
 *
 * @example
 * ```ts
 * const final = (report: BacktestPolicyReport) => report.replicas.at(-1);
 * ```
 */
export interface BacktestPolicyReport {
  name: string;
  /** Replica count set at each step (after the decision). */
  replicas: number[];
  /** Ready pods serving each step. */
  readyReplicas: number[];
  metrics: BacktestMetrics;
}

/**
 * Accuracy of the forecaster used by the `forecast` policy against seasonal-naive, on the same
 * steps, for the value `horizonSteps` ahead.
 *
 * @example
 * ```ts
 * const better = (error: BacktestForecastError) => error.forecaster.meanAbsoluteError < error.seasonalNaive.meanAbsoluteError;
 * ```
 */
export interface BacktestForecastError {
  horizonSteps: number;
  forecaster: ForecastErrors & { intervalCoverage: number };
  seasonalNaive: ForecastErrors & { intervalCoverage: number };
}

/**
 * The back-test outcome.
 *
 * @example
 * ```ts
 * const names = (report: BacktestReport) => report.policies.map((policy) => policy.name);
 * ```
 */
export interface BacktestReport {
  steps: number;
  stepSeconds: number;
  /** Demand in pods at the target, per step (the SPEC demand curve). */
  demandPods: number[];
  policies: BacktestPolicyReport[];
  /** `undefined` when no step had both forecasts (trace shorter than a season). */
  forecastError: BacktestForecastError | undefined;
  /** Steps of the trace that were gaps (filled for the simulation, not scored). */
  gapSteps: number;
}

function clampInteger(value: number, min: number, max: number): number {
  const rounded = Number.isFinite(value) ? Math.round(value) : min;
  return Math.min(max, Math.max(min, rounded));
}

/**
 * A policy's decision, rounded and clamped (±Infinity clamps to a bound); `NaN` or a non-number is
 * a bug in the policy, reported rather than read as `minReplicas`.
 */
function decidedReplicas(decided: unknown, name: string, t: number, min: number, max: number): number {
  if (typeof decided !== 'number' || Number.isNaN(decided)) {
    throw new ValidationError({
      message: `back-test policy '${name}' returned ${typeof decided === 'number' ? 'NaN' : typeof decided} at step ${t}, not a replica count`,
      issues: [{ path: 'policies.decide', code: 'invalid_decision', message: `step ${t}: not a number` }],
    });
  }
  return Math.min(max, Math.max(min, Math.round(decided)));
}

function podsFor(ready: number, starting: number, requests: number, demand: number) {
  const pods: HpaPod[] = [];
  const samples: Record<string, HpaPodSample> = {};
  for (let index = 0; index < ready; index++) {
    const name = `pod-${index}`;
    pods.push({ name, requests: { cpu: requests } });
    samples[name] = demand / ready;
  }
  for (let index = 0; index < starting; index++) {
    pods.push({ name: `starting-${index}`, phase: 'Pending', requests: { cpu: requests } });
  }
  return { pods, samples };
}

/**
 * Replays a demand trace in shadow mode against each policy and reports SPEC elasticity metrics,
 * cost and SLO proxies, plus the forecaster's error against seasonal-naive.
 *
 * Simulation per step `t`: ready pods serve demand `d(t)` (utilization `d / (ready × request)`);
 * the policy then sets a replica count; added pods become ready `max(1, podStartupSteps)` steps
 * later; removals take starting pods first. `hpa` is {@link hpaDesiredReplicas} on a CPU
 * Utilization metric with samples spread evenly over ready pods and starting pods `Pending`;
 * `forecast` is {@link forecastAwareReplicas} with a forecast of demand over the lead time.
 * Deterministic for deterministic policies. Demand of extreme magnitude is forecast and scored at
 * a power-of-two scale (exact), errors reported in cores; demand or requests beyond the HPA's
 * millicores (about 1.8e305 cores) are a `ConfigError` at the field, and a forecast beyond the
 * largest double a `ValidationError` (`magnitude_overflow`).
 *
 * @example
 * ```ts
 * const report = await runBacktest({
 *   trace: demandCores, stepSeconds: 300, requestsPerPodCores: 0.4, targetUtilization: 70,
 *   minReplicas: 2, maxReplicas: 60, podStartupSteps: 1, policies: ['hpa', 'forecast'],
 * });
 * report.policies[0]?.metrics.podSeconds;
 * ```
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  validateBacktestOptions(options);
  const setup = backtestSetup(options);
  const forecasts = forecastEachStep(setup);
  const forecastError = forecastErrorReport(setup, forecasts);
  const reports: BacktestPolicyReport[] = [];
  for (const policy of options.policies) reports.push(await replayPolicy(policy, setup, forecasts));
  return {
    steps: setup.steps,
    stepSeconds: options.stepSeconds,
    demandPods: setup.demandPods,
    policies: reports,
    forecastError,
    gapSteps: setup.gaps.filter(Boolean).length,
  };
}

/** The options with their defaults resolved, shared by every step of the replay. */
interface BacktestSetup {
  options: BacktestOptions;
  trace: readonly number[];
  steps: number;
  /** Steps until an added pod is ready (at least 1). */
  lead: number;
  /** Demand one pod serves at the target utilization, cores. */
  perPodTarget: number;
  slo: number;
  seasonLength: number;
  refitEvery: number;
  level: number;
  model: ForecastModel | 'auto';
  /** SPEC demand per step: pods needed at the target utilization. */
  demandPods: number[];
  /** `true` for the steps that were gaps in the trace. */
  gaps: boolean[];
  /** Forecast steps computed per step: max(lead, outlook). */
  horizon: number;
  /**
   * Power of two the trace is divided by for forecasting and scoring (exact): 1 for ordinary
   * demand, else its largest magnitude's, so squared errors neither overflow nor underflow.
   */
  scale: number;
}

/** One policy's simulated deployment and running totals. */
interface ReplayState {
  /** Step at which each existing pod is (or becomes) ready. */
  readyAt: number[];
  hpaState: HpaControllerState;
  /** State of the HPA a custom policy sees in shadow. */
  shadowState: HpaControllerState;
  replicas: number[];
  readyReplicas: number[];
  podSeconds: number;
  scalingActions: number;
  utilizationSum: number;
  utilizationCount: number;
  maxUtilization: number;
  violations: number;
}

/** What the deployment looks like at one step, before the policy decides. */
interface StepObservation {
  demand: number;
  ready: number;
  total: number;
  utilization: number;
}

function validateBacktestOptions(options: BacktestOptions): void {
  const parsed = backtestScalarsSchema.safeParse({
    stepSeconds: options.stepSeconds,
    requestsPerPodCores: options.requestsPerPodCores,
    targetUtilization: options.targetUtilization,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    podStartupSteps: options.podStartupSteps,
    initialReplicas: options.initialReplicas,
    sloUtilizationPercent: options.sloUtilizationPercent,
    demandTargetUtilization: options.demandTargetUtilization,
    forecast: options.forecast,
  });
  if (!parsed.success) throw ConfigError.fromZod('back-test options', parsed.error);
  validatePolicies(options.policies);
  const trace: readonly number[] = Array.isArray(options.trace) ? options.trace : [];
  const isGap = (value: number) => Number.isNaN(value);
  if (
    trace.length === 0 ||
    trace.some((value) => !isGap(value) && (!Number.isFinite(value) || value < 0)) ||
    trace.every(isGap)
  ) {
    throw new ConfigError({
      message:
        'Invalid back-test options: trace must be a non-empty list of finite demands ≥ 0 (NaN marks a gap), with at least one sample',
      issues: [{ path: 'trace', message: 'must be non-empty, finite (or NaN for a gap) and ≥ 0' }],
    });
  }
  validateDemandScale(options);
}

function validatePolicies(policies: unknown): void {
  const list: unknown[] = Array.isArray(policies) ? policies : [undefined];
  for (const [index, policy] of list.entries()) {
    const builtIn = policy === 'hpa' || policy === 'forecast' || policy === 'predictive';
    const custom =
      typeof policy === 'object' &&
      policy !== null &&
      typeof (policy as BacktestPolicy).name === 'string' &&
      typeof (policy as BacktestPolicy).decide === 'function';
    if (!builtIn && !custom) {
      throw new ConfigError({
        message: `Invalid back-test options: policies.${index} must be 'hpa', 'forecast', 'predictive' or { name, decide }, got ${JSON.stringify(policy) ?? String(policy)}`,
        issues: [
          { path: Array.isArray(policies) ? `policies.${index}` : 'policies', message: 'unknown policy' },
        ],
      });
    }
  }
}

/**
 * Demand one pod serves must keep the trace's pod counts finite: `1e308` cores over a `1e-300`
 * request overflowed to `Infinity` pods and crashed the HPA maths with a `RangeError`.
 */
function validateDemandScale(options: BacktestOptions): void {
  let peak = 0;
  // Gaps are NaN: Math.max would turn the peak into NaN.
  for (const value of options.trace) if (value > peak) peak = value;
  // The HPA counts cores as integer millicores (as Kubernetes does): 1e306 cores and more overflow
  // them to Infinity, which crashed it with a RangeError.
  for (const [path, cores] of [
    ['trace', peak],
    ['requestsPerPodCores', options.requestsPerPodCores],
  ] as const) {
    if (!Number.isFinite(cores * 1000)) {
      throw new ConfigError({
        message: `Invalid back-test options: ${path} ${cores} cores is beyond the HPA's millicores (at most about 1.8e305 cores)`,
        issues: [{ path, message: 'overflows millicores' }],
      });
    }
  }
  for (const target of [
    options.targetUtilization,
    options.demandTargetUtilization ?? options.targetUtilization,
  ]) {
    const pods = peak / ((options.requestsPerPodCores * target) / 100);
    if (!(pods <= Number.MAX_SAFE_INTEGER)) {
      throw new ConfigError({
        message: `Invalid back-test options: the trace's peak demand ${peak} needs ${pods} pods of ${options.requestsPerPodCores} cores at ${target} %, beyond any replica count`,
        issues: [{ path: 'trace', message: 'peak demand over one pod overflows the replica count' }],
      });
    }
  }
}

function backtestSetup(options: BacktestOptions): BacktestSetup {
  const { stepSeconds, requestsPerPodCores: request, targetUtilization } = options;
  const perPodTarget = (request * targetUtilization) / 100;
  const demandPerPod = (request * (options.demandTargetUtilization ?? targetUtilization)) / 100;
  const seasonLength = options.forecast?.seasonLength ?? Math.max(2, Math.round(86_400 / stepSeconds));
  const grid = toRegularGrid(options.trace, { seasonLength });
  const trace = grid.values;
  const lead = Math.max(1, options.podStartupSteps);
  // Six hours of steps, at most the forecaster's horizon cap (steps under 15 s see less than 6 h).
  const outlook =
    options.forecast?.outlookSteps ??
    Math.min(FORECAST_MAX_HORIZON_STEPS, Math.max(1, Math.round(21_600 / stepSeconds)));
  return {
    options,
    trace,
    gaps: grid.filled,
    horizon: Math.max(lead, options.policies.includes('predictive') ? outlook : lead),
    steps: trace.length,
    lead,
    perPodTarget,
    slo: options.sloUtilizationPercent ?? 100,
    seasonLength,
    refitEvery: options.forecast?.refitEverySteps ?? seasonLength,
    level: options.forecast?.level ?? 0.9,
    model: options.forecast?.model ?? 'auto',
    demandPods: trace.map((demand) => Math.max(1, Math.ceil(demand / demandPerPod - 1e-9))),
    scale: safeScale(trace),
  };
}

/**
 * Forecasts of demand made after observing each step, shared by the forecast policy and the error
 * report. Holt-Winters parameters are refitted every `refitEvery` steps, not per step.
 */
function forecastEachStep(setup: BacktestSetup): ForecastOutcome[] {
  const { steps, seasonLength, refitEvery, model, lead, level, scale } = setup;
  const trace = scaledTrace(setup);
  const stepSeconds = setup.options.stepSeconds;
  const forecasts: ForecastOutcome[] = [];
  // Forecast at the trace's safe scale, reported in cores (a ValidationError if beyond any double).
  const inCores = (outcome: ForecastOutcome) =>
    outcome.status === 'ok' ? rescaleResult(outcome, scale) : outcome;
  if (model === 'auto' || model === 'ensemble') {
    // One incremental ensemble over the whole replay: it sees each step once, as a live one would.
    const forecaster = createEnsembleForecaster({
      horizonSteps: setup.horizon,
      stepSeconds,
      seasonLength,
      level,
    });
    for (let t = 0; t < steps; t++) {
      forecaster.observe(trace[t]!, { filled: setup.gaps[t] });
      forecasts.push(nonNegative(inCores(forecaster.forecast())));
    }
    return forecasts;
  }
  let parameters: HoltWintersParameters | undefined;
  let fittedAt = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < steps; t++) {
    const history = trace.slice(0, t + 1);
    const usesHoltWinters = model === 'holt-winters';
    if (usesHoltWinters && history.length >= 2 * seasonLength && t - fittedAt >= refitEvery) {
      parameters = fitHoltWinters(
        history.slice(Math.max(0, history.length - 8 * seasonLength)),
        seasonLength,
      );
      fittedAt = t;
    }
    forecasts.push(
      inCores(
        forecast(history, {
          horizonSteps: lead,
          model,
          stepSeconds,
          seasonLength,
          level,
          holtWintersParameters: parameters,
        }),
      ),
    );
  }
  return forecasts;
}

/** The trace divided by its safe scale (the trace itself when that is 1). */
function scaledTrace(setup: BacktestSetup): readonly number[] {
  return setup.scale === 1 ? setup.trace : setup.trace.map((value) => value / setup.scale);
}

function nonNegative(outcome: ForecastOutcome): ForecastOutcome {
  if (outcome.status !== 'ok') return outcome;
  return {
    ...outcome,
    points: outcome.points.map((point) => ({
      ...point,
      mean: Math.max(0, point.mean),
      lower: Math.max(0, point.lower),
      upper: Math.max(0, point.upper),
      intervals: point.intervals?.map((interval) => ({
        level: interval.level,
        lower: Math.max(0, interval.lower),
        upper: Math.max(0, interval.upper),
      })),
    })),
  };
}

/** `lead`-step-ahead errors and interval coverage of the forecaster against seasonal-naive. */
function forecastErrorReport(
  setup: BacktestSetup,
  forecasts: readonly ForecastOutcome[],
): BacktestForecastError | undefined {
  const { steps, lead, seasonLength, level, scale } = setup;
  // Scored at the safe scale: sums of 1e300-sized errors overflowed; the means are scaled back.
  const trace = scaledTrace(setup);
  const actual: number[] = [];
  const predicted: number[] = [];
  const naive: number[] = [];
  let covered = 0;
  let naiveCovered = 0;
  for (let t = 0; t + lead < steps; t++) {
    if (setup.gaps[t + lead]) continue;
    const outcome = forecasts[t]!;
    const baseline = seasonalNaive(trace.slice(0, t + 1), { seasonLength, horizonSteps: lead, level });
    if (outcome.status !== 'ok' || baseline.status !== 'ok') continue;
    const point = atScale(outcome.points[lead - 1]!, scale);
    const naivePoint = baseline.points[lead - 1]!;
    const value = trace[t + lead]!;
    actual.push(value);
    predicted.push(point.mean);
    naive.push(Math.max(0, naivePoint.mean));
    if (value >= point.lower && value <= point.upper) covered++;
    if (value >= naivePoint.lower && value <= naivePoint.upper) naiveCovered++;
  }
  if (actual.length === 0) return undefined;
  const inCores = (errors: ForecastErrors, path: string): ForecastErrors => ({
    ...errors,
    meanAbsoluteError: unscaled(errors.meanAbsoluteError, scale, `forecastError.${path}.meanAbsoluteError`),
  });
  return {
    horizonSteps: lead,
    forecaster: {
      ...inCores(forecastErrors(actual, predicted), 'forecaster'),
      intervalCoverage: covered / actual.length,
    },
    seasonalNaive: {
      ...inCores(forecastErrors(actual, naive), 'seasonalNaive'),
      intervalCoverage: naiveCovered / actual.length,
    },
  };
}

/** Replays the whole trace against one policy: observe, decide, scale, step after step. */
async function replayPolicy(
  policy: BacktestPolicyInput,
  setup: BacktestSetup,
  forecasts: readonly ForecastOutcome[],
): Promise<BacktestPolicyReport> {
  const { options } = setup;
  const initial = clampInteger(
    options.initialReplicas ?? setup.demandPods[0]!,
    options.minReplicas,
    options.maxReplicas,
  );
  const state: ReplayState = {
    readyAt: Array.from({ length: initial }, () => Number.NEGATIVE_INFINITY),
    hpaState: emptyHpaControllerState(),
    shadowState: emptyHpaControllerState(),
    replicas: [],
    readyReplicas: [],
    podSeconds: 0,
    scalingActions: 0,
    utilizationSum: 0,
    utilizationCount: 0,
    maxUtilization: 0,
    violations: 0,
  };
  for (let t = 0; t < setup.steps; t++) {
    const observation = observeStep(state, setup, t);
    const decided = await decideReplicas(policy, state, setup, forecasts, t, observation);
    scaleTo(
      state,
      setup,
      t,
      observation.total,
      decidedReplicas(
        decided,
        typeof policy === 'string' ? policy : policy.name,
        t,
        options.minReplicas,
        options.maxReplicas,
      ),
    );
  }
  return policyReport(typeof policy === 'string' ? policy : policy.name, state, setup);
}

/** Ready pods serve this step's demand: records utilization, pod-seconds and SLO violations. */
function observeStep(state: ReplayState, setup: BacktestSetup, t: number): StepObservation {
  const { stepSeconds, requestsPerPodCores: request } = setup.options;
  const demand = setup.trace[t]!;
  const ready = state.readyAt.filter((at) => at <= t).length;
  const total = state.readyAt.length;
  const utilization =
    ready > 0 ? (demand / (ready * request)) * 100 : demand > 0 ? Number.POSITIVE_INFINITY : 0;
  state.readyReplicas.push(ready);
  state.podSeconds += total * stepSeconds;
  if (ready > 0) {
    state.utilizationSum += utilization;
    state.utilizationCount++;
    state.maxUtilization = Math.max(state.maxUtilization, utilization);
  }
  if (utilization > setup.slo && !setup.gaps[t]) state.violations++;
  return { demand, ready, total, utilization };
}

/** The policy's replica count for this step (unclamped); the HPA states carry over in `state`. */
async function decideReplicas(
  policy: BacktestPolicyInput,
  state: ReplayState,
  setup: BacktestSetup,
  forecasts: readonly ForecastOutcome[],
  t: number,
  observation: StepObservation,
): Promise<number> {
  const { options } = setup;
  const { ready, total } = observation;
  const { pods, samples } = podsFor(ready, total - ready, options.requestsPerPodCores, observation.demand);
  const hpaInput = (hpaState: HpaControllerState) => hpaInputAt(setup, t, total, pods, samples, hpaState);
  if (policy === 'hpa') {
    const result = hpaDesiredReplicas(hpaInput(state.hpaState));
    state.hpaState = result.state;
    return result.desiredReplicas;
  }
  if (policy === 'predictive') {
    const outcome = forecasts[t]!;
    // Without a usable forecast (the first samples), the reactive HPA decides.
    const reactive = hpaDesiredReplicas(hpaInput(state.hpaState));
    state.hpaState = reactive.state;
    if (outcome.status !== 'ok') return reactive.desiredReplicas;
    return predictiveReplicas({
      currentReplicas: total,
      observedDemand: observation.demand,
      points: outcome.points,
      targetPerPod: setup.perPodTarget,
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      settings: { ...options.predictive, leadSteps: setup.lead, stepHours: options.stepSeconds / 3600 },
    }).desiredReplicas;
  }
  if (policy === 'forecast') {
    const result = forecastAwareReplicas({
      hpa: hpaInput(state.hpaState),
      forecast: forecasts[t]!,
      targetPerPod: setup.perPodTarget,
      leadSteps: setup.lead,
    });
    state.hpaState = result.state;
    return result.desiredReplicas;
  }
  const shadow = hpaDesiredReplicas(hpaInput(state.shadowState));
  state.shadowState = shadow.state;
  return await policy.decide({
    step: t,
    timeSeconds: t * options.stepSeconds,
    stepSeconds: options.stepSeconds,
    demandHistory: setup.trace.slice(0, t + 1),
    demandFilled: setup.gaps.slice(0, t + 1),
    currentReplicas: total,
    readyReplicas: ready,
    startingReplicas: total - ready,
    utilizationPercent: observation.utilization,
    requestsPerPodCores: options.requestsPerPodCores,
    targetUtilization: options.targetUtilization,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    podStartupSteps: options.podStartupSteps,
    hpaReplicas: shadow.desiredReplicas,
  });
}

/** The HPA's view of the step: one CPU Utilization metric over the simulated pods. */
function hpaInputAt(
  setup: BacktestSetup,
  t: number,
  total: number,
  pods: HpaPod[],
  samples: Record<string, HpaPodSample>,
  state: HpaControllerState,
): HpaDesiredReplicasInput {
  const { options } = setup;
  return {
    now: t * options.stepSeconds * 1000,
    currentReplicas: total,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    pods,
    metrics: [
      {
        type: 'Resource',
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: options.targetUtilization },
        samples,
      },
    ],
    behavior: options.behavior,
    state,
  };
}

/** Sets the replica count: added pods are ready `lead` steps later; removals take starting pods first. */
function scaleTo(state: ReplayState, setup: BacktestSetup, t: number, total: number, desired: number): void {
  if (desired !== total) state.scalingActions++;
  if (desired > total) {
    state.readyAt = [...state.readyAt, ...Array.from({ length: desired - total }, () => t + setup.lead)];
  } else if (desired < total) {
    // Remove starting pods first (newest first), then ready ones.
    state.readyAt = [...state.readyAt].sort((a, b) => a - b).slice(0, desired);
  }
  state.replicas.push(desired);
}

function policyReport(name: string, state: ReplayState, setup: BacktestSetup): BacktestPolicyReport {
  const { steps } = setup;
  const { replicas, violations } = state;
  const scored = (values: readonly number[]) => values.filter((_, t) => !setup.gaps[t]);
  const elasticity = elasticityMetrics(scored(setup.demandPods), scored(state.readyReplicas));
  const scoredSteps = elasticity.steps;
  return {
    name,
    replicas,
    readyReplicas: state.readyReplicas,
    metrics: {
      underProvisioningAccuracy: elasticity.underProvisioningAccuracy,
      underProvisioningTimeshare: elasticity.underProvisioningTimeshare,
      overProvisioningAccuracy: elasticity.overProvisioningAccuracy,
      overProvisioningTimeshare: elasticity.overProvisioningTimeshare,
      podSeconds: state.podSeconds,
      scalingActions: state.scalingActions,
      meanReplicas: replicas.reduce((sum, value) => sum + value, 0) / steps,
      maxUtilizationPercent: state.maxUtilization,
      meanUtilizationPercent:
        state.utilizationCount === 0 ? 0 : state.utilizationSum / state.utilizationCount,
      sloViolationSteps: violations,
      sloViolationShare: scoredSteps === 0 ? 0 : violations / scoredSteps,
      scoredSteps,
    },
  };
}

/** A forecast point in cores divided by the trace's safe scale (exact: a power of two). */
function atScale(point: ForecastPoint, scale: number): Pick<ForecastPoint, 'mean' | 'lower' | 'upper'> {
  if (scale === 1) return point;
  return { mean: point.mean / scale, lower: point.lower / scale, upper: point.upper / scale };
}
