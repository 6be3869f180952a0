import type { ChatModel, WorkloadSnapshot } from '@ballast/core';
import { createEnsembleForecaster, type EnsembleForecaster } from '../forecast/ensemble-forecaster';
import type { ForecastOutcome } from '../forecast/forecast-types';
import { FORECAST_MAX_HORIZON_STEPS, OptionChecks } from '../forecast/option-checks';
import { type AdviseScalingInput, type AdviseScalingResult, adviseScaling } from './advise-scaling';
import type { BacktestPolicy, BacktestState } from './backtest';
import type { HpaControllerState } from './hpa-behavior';

/**
 * Options of {@link llmPolicy}.
 *
 * @example
 * ```ts
 * const options: LlmPolicyOptions = { options: { timeoutMs: 20_000 }, onDecision: (step, result) => console.log(step, result.why) };
 * ```
 */
export interface LlmPolicyOptions {
  /** Policy name in the report. Default `llm`. */
  name?: string | undefined;
  /** `chosen` (default): Ballast's safety-guarded choice; `llm`: the validated model answer when there is one (pure shadow of the model). */
  decision?: 'chosen' | 'llm' | undefined;
  /** Memory request per simulated pod (for the prompt and cost). Default 512 MiB. */
  memoryPerPodBytes?: number | undefined;
  /** Epoch ms of step 0. Default 2026-03-02T00:00:00Z. */
  startTime?: number | undefined;
  /** Most history steps given to the forecaster (default 8 days). */
  maxHistorySteps?: number | undefined;
  /** Samples per season of the forecaster (default one day). */
  seasonLength?: number | undefined;
  /** Hours of forecast outlook (default 6). */
  outlookHours?: number | undefined;
  /** Settings of the predictive rule. */
  predictive?: AdviseScalingInput['predictive'];
  pricing?: AdviseScalingInput['pricing'];
  options?: AdviseScalingInput['options'];
  /** Called after each step's advice. */
  onDecision?: ((step: number, result: AdviseScalingResult) => void) | undefined;
}

/**
 * What the model did over a shadow run (the reference's LLM-specific metrics).
 *
 * @example
 * ```ts
 * const fallbackShare = (stats: LlmPolicyStats) => (stats.failed + stats.invalid) / stats.steps;
 * ```
 */
export interface LlmPolicyStats {
  steps: number;
  /** Answers that validated. */
  valid: number;
  /** Valid answers the validator had to repair (beyond deriving `action`). */
  repaired: number;
  /** Valid answers Ballast chose. */
  chosen: number;
  /** Valid answers overruled as less safe than the rule answer. */
  overruled: number;
  failed: number;
  invalid: number;
  notConfigured: number;
  /** Steps where the model's validated target equals the HPA-parity answer, over valid answers. */
  agreementWithHpa: number;
  meanLatencyMs: number | undefined;
  inputTokens: number;
  outputTokens: number;
  /** `undefined` when any call's cost was unknown. */
  costUsd: number | undefined;
}

/**
 * A back-test policy with the run's LLM statistics.
 *
 * @example
 * ```ts
 * const policy: LlmPolicy = llmPolicy(model);
 * await runBacktest({ ...options, policies: ['hpa', 'forecast', policy] });
 * console.log(policy.stats());
 * ```
 */
export interface LlmPolicy extends BacktestPolicy {
  stats(): LlmPolicyStats;
}

const checks = new OptionChecks('llm policy');

/** Checked when the policy is made, so a bad option fails before the replay, not as a silent default. */
function validateLlmPolicyOptions(options: LlmPolicyOptions): void {
  checks.object(options);
  if (options.name !== undefined && typeof options.name !== 'string')
    checks.fail('name', 'must be a string', options.name);
  checks.oneOf(options.decision, 'decision', ['chosen', 'llm']);
  checks.positive(options.memoryPerPodBytes, 'memoryPerPodBytes');
  if (
    options.startTime !== undefined &&
    (typeof options.startTime !== 'number' || !Number.isFinite(options.startTime))
  )
    checks.fail('startTime', 'must be a finite epoch ms', options.startTime);
  checks.integer(options.maxHistorySteps, 'maxHistorySteps');
  checks.integer(options.seasonLength, 'seasonLength');
  checks.positive(options.outlookHours, 'outlookHours');
  if (options.onDecision !== undefined && typeof options.onDecision !== 'function')
    checks.fail('onDecision', 'must be a function', options.onDecision);
}

/**
 * The workload a back-test step looks like to {@link adviseScaling}: ready pods sharing the demand
 * evenly (with samples), starting pods `Pending` without samples, an HPA with the back-test's CPU
 * target and bounds, and the demand history as `history.cpuCores`.
 *
 * @example
 * ```ts
 * const workload = backtestWorkload(state, { startTime: Date.UTC(2026, 2, 2), memoryPerPodBytes: 2 ** 29 });
 * ```
 */
export function backtestWorkload(
  state: BacktestState,
  settings: {
    startTime: number;
    memoryPerPodBytes: number;
    maxHistorySteps: number;
    events?: WorkloadSnapshot['events'] | undefined;
  },
): WorkloadSnapshot {
  const now = settings.startTime + state.timeSeconds * 1000;
  const demand = state.demandHistory.at(-1) ?? 0;
  const ready = state.readyReplicas;
  const request = state.requestsPerPodCores;
  const memory = settings.memoryPerPodBytes;
  const perPod = ready > 0 ? demand / ready : 0;
  const load = request > 0 ? Math.min(2, perPod / request) : 0;
  const pods: NonNullable<WorkloadSnapshot['pods']> = [];
  const podMetrics: WorkloadSnapshot['podMetrics'] = [];
  for (let index = 0; index < ready; index++) {
    const name = `pod-${index}`;
    pods.push({
      name,
      phase: 'Running',
      ready: true,
      requests: { cpuCores: request, memoryBytes: memory },
      hasMetrics: true,
    });
    podMetrics.push({
      pod: name,
      cpuCores: perPod,
      memoryBytes: Math.round(memory * (0.35 + 0.3 * load)),
      timestamp: now - 5000,
      windowSeconds: 15,
    });
  }
  for (let index = 0; index < state.startingReplicas; index++) {
    pods.push({
      name: `starting-${index}`,
      phase: 'Pending',
      ready: false,
      startTime: now - state.stepSeconds * 1000,
      requests: { cpuCores: request, memoryBytes: memory },
      hasMetrics: false,
    });
  }
  const history = state.demandHistory.slice(-settings.maxHistorySteps);
  const firstStep = state.step + 1 - history.length;
  const utilization = ready > 0 && request > 0 ? Math.floor((100 * demand) / (ready * request)) : undefined;
  return {
    collectedAt: now,
    source: { kind: 'simulated' },
    deployment: {
      namespace: 'backtest',
      name: 'workload',
      replicas: { desired: state.currentReplicas, current: state.currentReplicas, ready },
      selector: { matchLabels: { app: 'workload' } },
      containers: [{ name: 'app', requests: { cpuCores: request, memoryBytes: memory }, limits: {} }],
    },
    hpa: {
      name: 'workload',
      spec: {
        minReplicas: state.minReplicas,
        maxReplicas: state.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: state.targetUtilization },
          },
        ],
      },
      status: {
        currentReplicas: state.currentReplicas,
        desiredReplicas: state.currentReplicas,
        currentMetrics:
          utilization === undefined
            ? []
            : [{ type: 'Resource', name: 'cpu', current: { averageUtilization: utilization } }],
      },
    },
    podMetrics,
    history: {
      cpuCores: {
        timestamps: history.map(
          (_, index) => settings.startTime + (firstStep + index) * state.stepSeconds * 1000,
        ),
        values: [...history],
      },
    },
    events: settings.events ?? [],
    pods,
    state: {
      hpa: 'found',
      metrics: 'available',
      podsWithoutMetrics: pods.filter((pod) => !pod.hasMetrics).map((pod) => pod.name),
      readyPods: ready,
      notReadyPods: state.startingReplicas,
      ignoredPods: 0,
      warnings: [],
    },
  };
}

/** Demand cannot be negative: clamps means and bounds at 0. */
function nonNegativeForecast(outcome: ForecastOutcome): ForecastOutcome {
  if (outcome.status !== 'ok') return outcome;
  const clamp = (value: number) => Math.max(0, value);
  return {
    ...outcome,
    points: outcome.points.map((point) => ({
      ...point,
      mean: clamp(point.mean),
      lower: clamp(point.lower),
      upper: clamp(point.upper),
      intervals: point.intervals?.map((interval) => ({
        level: interval.level,
        lower: clamp(interval.lower),
        upper: clamp(interval.upper),
      })),
    })),
  };
}

/**
 * A back-test policy (`{ name: 'llm', decide }`) that runs {@link adviseScaling} with `model` at every
 * step — shadow mode: the model's advice is replayed against the trace without touching a cluster.
 * The decision is Ballast's safety-guarded choice (or, with `decision: 'llm'`, the validated model
 * answer when there is one). Without a model it is the rule answer. Controller state, recent
 * scaling events and a live ensemble forecaster (fed one sample per step, its 6-hour forecast
 * passed as `demandForecast`) carry over between steps.
 *
 * @example
 * ```ts
 * const policy = llmPolicy(createOpenAI().chatModel('gpt-4o-mini'), { options: { timeoutMs: 20_000 } });
 * const report = await runBacktest({ ...options, policies: ['hpa', 'forecast', policy] });
 * console.log(policy.stats().agreementWithHpa);
 * ```
 */
export function llmPolicy(model: ChatModel | undefined, options: LlmPolicyOptions = {}): LlmPolicy {
  validateLlmPolicyOptions(options);
  const startTime = options.startTime ?? Date.UTC(2026, 2, 2);
  const memoryPerPodBytes = options.memoryPerPodBytes ?? 512 * 2 ** 20;
  const maxHistorySteps = options.maxHistorySteps ?? 8 * 288;
  let controller: HpaControllerState | undefined;
  let events: WorkloadSnapshot['events'] = [];
  // One live forecaster for the whole replay: it sees each new sample once, as a deployed one would.
  let forecaster: EnsembleForecaster | undefined;
  const stats: LlmPolicyStats = {
    steps: 0,
    valid: 0,
    repaired: 0,
    chosen: 0,
    overruled: 0,
    failed: 0,
    invalid: 0,
    notConfigured: 0,
    agreementWithHpa: 0,
    meanLatencyMs: undefined,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
  let agreements = 0;
  let latencySum = 0;
  let latencyCount = 0;

  return {
    name: options.name ?? 'llm',
    async decide(state) {
      const workload = backtestWorkload(state, { startTime, memoryPerPodBytes, maxHistorySteps, events });
      const seasonLength = options.seasonLength ?? Math.max(2, Math.round(86_400 / state.stepSeconds));
      const leadSteps = Math.max(1, state.podStartupSteps);
      forecaster ??= createEnsembleForecaster({
        horizonSteps: Math.max(
          leadSteps,
          options.outlookHours === undefined
            ? Math.min(FORECAST_MAX_HORIZON_STEPS, Math.round(21_600 / state.stepSeconds))
            : Math.round((options.outlookHours * 3600) / state.stepSeconds),
        ),
        stepSeconds: state.stepSeconds,
        seasonLength,
      });
      for (let step = forecaster.length; step < state.demandHistory.length; step++) {
        forecaster.observe(state.demandHistory[step]!, { filled: state.demandFilled[step] });
      }
      const result = await adviseScaling({
        workload,
        model,
        history: { state: controller },
        demandForecast: nonNegativeForecast(forecaster.forecast()),
        predictive: options.predictive,
        forecastOptions: { leadSteps, seasonLength, stepSeconds: state.stepSeconds },
        pricing: options.pricing,
        options: { ...options.options, now: workload.collectedAt },
      });
      controller = result.state;
      const llmCandidate = result.candidates.llm;
      const target =
        options.decision === 'llm' && llmCandidate !== undefined
          ? llmCandidate.targetReplicas
          : result.chosen.targetReplicas;

      stats.steps++;
      const outcome = result.llm;
      if (outcome.status === 'used') {
        stats.valid++;
        if ((outcome.repairs ?? []).some((repair) => repair.code !== 'action_derived')) stats.repaired++;
        if (result.chosen.source === 'llm') stats.chosen++;
        else stats.overruled++;
        if (llmCandidate?.targetReplicas === result.candidates.hpa.targetReplicas) agreements++;
      } else if (outcome.status === 'failed') stats.failed++;
      else if (outcome.status === 'invalid') stats.invalid++;
      else stats.notConfigured++;
      if (outcome.latencyMs !== undefined) {
        latencySum += outcome.latencyMs;
        latencyCount++;
      }
      stats.inputTokens += outcome.usage?.inputTokens ?? 0;
      stats.outputTokens += outcome.usage?.outputTokens ?? 0;
      if (outcome.status !== 'not_configured' && outcome.usage !== undefined) {
        stats.costUsd =
          stats.costUsd === undefined || outcome.costUsd === undefined
            ? undefined
            : stats.costUsd + outcome.costUsd;
      }
      stats.agreementWithHpa = stats.valid === 0 ? 0 : agreements / stats.valid;
      stats.meanLatencyMs = latencyCount === 0 ? undefined : latencySum / latencyCount;

      const clamped = Math.min(state.maxReplicas, Math.max(state.minReplicas, target));
      if (clamped !== state.currentReplicas) {
        events = [
          ...events,
          {
            timestamp: workload.collectedAt,
            fromReplicas: state.currentReplicas,
            toReplicas: clamped,
            reason: `ballast:${result.chosen.source}`,
          },
        ].slice(-10);
      }
      options.onDecision?.(state.step, result);
      return target;
    },
    stats: () => ({ ...stats }),
  };
}
