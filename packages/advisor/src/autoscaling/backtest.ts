import { ConfigError } from '@ballast/core';
import { z } from 'zod';
import { type ForecastErrors, forecastErrors } from '../forecast/error-metrics';
import { forecast } from '../forecast/forecast';
import type { ForecastModel, ForecastOutcome } from '../forecast/forecast-types';
import { fitHoltWinters, type HoltWintersParameters } from '../forecast/holt-winters';
import { seasonalNaive } from '../forecast/seasonal-naive';
import { elasticityMetrics } from './elasticity-metrics';
import { forecastAwareReplicas } from './forecast-aware-scaling';
import { emptyHpaControllerState, type HpaBehavior, type HpaControllerState } from './hpa-behavior';
import { type HpaDesiredReplicasInput, hpaDesiredReplicas } from './hpa-desired-replicas';
import type { HpaPod, HpaPodSample } from './hpa-replica-calculator';

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
  /** Demand observed so far, this step included (cores). */
  demandHistory: readonly number[];
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
 * const policies: BacktestPolicyInput[] = ['hpa', 'forecast', { name: 'fixed', decide: () => 5 }];
 * ```
 */
export type BacktestPolicyInput = 'hpa' | 'forecast' | BacktestPolicy;

const backtestScalarsSchema = z
  .object({
    stepSeconds: z.number().positive(),
    requestsPerPodCores: z.number().positive(),
    targetUtilization: z.number().positive(),
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().positive(),
    podStartupSteps: z.number().int().nonnegative(),
    initialReplicas: z.number().int().positive().optional(),
    sloUtilizationPercent: z.number().positive().optional(),
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
  /** Demand per step, in cores (equally spaced, finite, ≥ 0). */
  trace: readonly number[];
  stepSeconds: number;
  requestsPerPodCores: number;
  /** CPU target, percent of requests (as the HPA's `averageUtilization`). */
  targetUtilization: number;
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
      }
    | undefined;
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
}

function clampInteger(value: number, min: number, max: number): number {
  const rounded = Number.isFinite(value) ? Math.round(value) : min;
  return Math.min(max, Math.max(min, rounded));
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
 * Deterministic for deterministic policies.
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
  const parsed = backtestScalarsSchema.safeParse({
    stepSeconds: options.stepSeconds,
    requestsPerPodCores: options.requestsPerPodCores,
    targetUtilization: options.targetUtilization,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    podStartupSteps: options.podStartupSteps,
    initialReplicas: options.initialReplicas,
    sloUtilizationPercent: options.sloUtilizationPercent,
  });
  if (!parsed.success) throw ConfigError.fromZod('back-test options', parsed.error);
  const trace = options.trace;
  if (trace.length === 0 || trace.some((value) => !Number.isFinite(value) || value < 0)) {
    throw new ConfigError({
      message: 'Invalid back-test options: trace must be a non-empty list of finite demands ≥ 0',
      issues: [{ path: 'trace', message: 'must be non-empty, finite and ≥ 0' }],
    });
  }
  const { stepSeconds, requestsPerPodCores: request, targetUtilization, minReplicas, maxReplicas } = options;
  const steps = trace.length;
  const lead = Math.max(1, options.podStartupSteps);
  const perPodTarget = (request * targetUtilization) / 100;
  const slo = options.sloUtilizationPercent ?? 100;
  const seasonLength = options.forecast?.seasonLength ?? Math.max(2, Math.round(86_400 / stepSeconds));
  const refitEvery = options.forecast?.refitEverySteps ?? seasonLength;
  const level = options.forecast?.level ?? 0.9;
  const model = options.forecast?.model ?? 'auto';
  const demandPods = trace.map((demand) => Math.max(1, Math.ceil(demand / perPodTarget - 1e-9)));

  // Forecasts of demand made after observing step t, shared by the forecast policy and the error report.
  const forecasts: ForecastOutcome[] = [];
  let parameters: HoltWintersParameters | undefined;
  let fittedAt = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < steps; t++) {
    const history = trace.slice(0, t + 1);
    const usesHoltWinters =
      model === 'holt-winters' || (model === 'auto' && history.length >= 2 * seasonLength);
    if (usesHoltWinters && history.length >= 2 * seasonLength && t - fittedAt >= refitEvery) {
      parameters = fitHoltWinters(
        history.slice(Math.max(0, history.length - 8 * seasonLength)),
        seasonLength,
      );
      fittedAt = t;
    }
    forecasts.push(
      forecast(history, {
        horizonSteps: lead,
        model,
        stepSeconds,
        seasonLength,
        level,
        holtWintersParameters: parameters,
      }),
    );
  }

  const forecastError = (() => {
    const actual: number[] = [];
    const predicted: number[] = [];
    const naive: number[] = [];
    let covered = 0;
    let naiveCovered = 0;
    for (let t = 0; t + lead < steps; t++) {
      const outcome = forecasts[t]!;
      const baseline = seasonalNaive(trace.slice(0, t + 1), { seasonLength, horizonSteps: lead, level });
      if (outcome.status !== 'ok' || baseline.status !== 'ok') continue;
      const point = outcome.points[lead - 1]!;
      const naivePoint = baseline.points[lead - 1]!;
      const value = trace[t + lead]!;
      actual.push(value);
      predicted.push(point.mean);
      naive.push(Math.max(0, naivePoint.mean));
      if (value >= point.lower && value <= point.upper) covered++;
      if (value >= naivePoint.lower && value <= naivePoint.upper) naiveCovered++;
    }
    if (actual.length === 0) return undefined;
    return {
      horizonSteps: lead,
      forecaster: { ...forecastErrors(actual, predicted), intervalCoverage: covered / actual.length },
      seasonalNaive: { ...forecastErrors(actual, naive), intervalCoverage: naiveCovered / actual.length },
    };
  })();

  const reports: BacktestPolicyReport[] = [];
  for (const input of options.policies) {
    const name = typeof input === 'string' ? input : input.name;
    const initial = clampInteger(options.initialReplicas ?? demandPods[0]!, minReplicas, maxReplicas);
    let readyAt: number[] = Array.from({ length: initial }, () => Number.NEGATIVE_INFINITY);
    let hpaState: HpaControllerState = emptyHpaControllerState();
    let shadowState: HpaControllerState = emptyHpaControllerState();
    const replicas: number[] = [];
    const readyReplicas: number[] = [];
    let podSeconds = 0;
    let scalingActions = 0;
    let utilizationSum = 0;
    let utilizationCount = 0;
    let maxUtilization = 0;
    let violations = 0;

    for (let t = 0; t < steps; t++) {
      const demand = trace[t]!;
      const ready = readyAt.filter((at) => at <= t).length;
      const total = readyAt.length;
      const utilization =
        ready > 0 ? (demand / (ready * request)) * 100 : demand > 0 ? Number.POSITIVE_INFINITY : 0;
      readyReplicas.push(ready);
      podSeconds += total * stepSeconds;
      if (ready > 0) {
        utilizationSum += utilization;
        utilizationCount++;
        maxUtilization = Math.max(maxUtilization, utilization);
      }
      if (utilization > slo) violations++;

      const { pods, samples } = podsFor(ready, total - ready, request, demand);
      const hpaInput = (state: HpaControllerState): HpaDesiredReplicasInput => ({
        now: t * stepSeconds * 1000,
        currentReplicas: total,
        minReplicas,
        maxReplicas,
        pods,
        metrics: [
          {
            type: 'Resource',
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: targetUtilization },
            samples,
          },
        ],
        behavior: options.behavior,
        state,
      });

      let desired: number;
      if (input === 'hpa') {
        const result = hpaDesiredReplicas(hpaInput(hpaState));
        hpaState = result.state;
        desired = result.desiredReplicas;
      } else if (input === 'forecast') {
        const result = forecastAwareReplicas({
          hpa: hpaInput(hpaState),
          forecast: forecasts[t]!,
          targetPerPod: perPodTarget,
          leadSteps: lead,
        });
        hpaState = result.state;
        desired = result.desiredReplicas;
      } else {
        const shadow = hpaDesiredReplicas(hpaInput(shadowState));
        shadowState = shadow.state;
        desired = await input.decide({
          step: t,
          timeSeconds: t * stepSeconds,
          stepSeconds,
          demandHistory: trace.slice(0, t + 1),
          currentReplicas: total,
          readyReplicas: ready,
          startingReplicas: total - ready,
          utilizationPercent: utilization,
          requestsPerPodCores: request,
          targetUtilization,
          minReplicas,
          maxReplicas,
          podStartupSteps: options.podStartupSteps,
          hpaReplicas: shadow.desiredReplicas,
        });
      }
      desired = clampInteger(desired, minReplicas, maxReplicas);
      if (desired !== total) scalingActions++;
      if (desired > total) {
        readyAt = [...readyAt, ...Array.from({ length: desired - total }, () => t + lead)];
      } else if (desired < total) {
        // Remove starting pods first (newest first), then ready ones.
        readyAt = [...readyAt].sort((a, b) => a - b).slice(0, desired);
      }
      replicas.push(desired);
    }

    const elasticity = elasticityMetrics(demandPods, readyReplicas);
    reports.push({
      name,
      replicas,
      readyReplicas,
      metrics: {
        underProvisioningAccuracy: elasticity.underProvisioningAccuracy,
        underProvisioningTimeshare: elasticity.underProvisioningTimeshare,
        overProvisioningAccuracy: elasticity.overProvisioningAccuracy,
        overProvisioningTimeshare: elasticity.overProvisioningTimeshare,
        podSeconds,
        scalingActions,
        meanReplicas: replicas.reduce((sum, value) => sum + value, 0) / steps,
        maxUtilizationPercent: maxUtilization,
        meanUtilizationPercent: utilizationCount === 0 ? 0 : utilizationSum / utilizationCount,
        sloViolationSteps: violations,
        sloViolationShare: violations / steps,
      },
    });
  }
  return { steps, stepSeconds, demandPods, policies: reports, forecastError };
}
