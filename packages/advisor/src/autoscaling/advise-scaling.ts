import {
  AbortedError,
  type ChatModel,
  ConfigError,
  type GenerateObjectResult,
  generateObject,
  type HpaMetric,
  hpaScaleEventsFromHistory,
  type ImpactLevel,
  type LlmScalingAdvice,
  llmScalingAdviceSchema,
  type PerformanceImpact,
  type ScalingAction,
  type ScalingRecommendation,
  type ScalingTiming,
  type Series,
  type Usage,
  type WorkloadSnapshot,
} from '@ballast/core';
import {
  type ModelTextFinding,
  type Reason,
  type Repair,
  type ScalingReasonCode,
  screenModelText,
  validateScalingAdvice,
} from '@ballast/validator';
import { type ForecastOptions, forecast } from '../forecast/forecast';
import type { ForecastOutcome, ForecastResult } from '../forecast/forecast-types';
import { FORECAST_MAX_HORIZON_STEPS } from '../forecast/option-checks';
import type { HistoryOptions } from '../history/recommendation-history';
import { type ForecastAwareResult, forecastAwareReplicas } from './forecast-aware-scaling';
import type { HpaControllerState } from './hpa-behavior';
import {
  type HpaDesiredReplicasInput,
  type HpaDesiredReplicasResult,
  hpaDesiredReplicas,
} from './hpa-desired-replicas';
import type { HpaMetricSpec, HpaPod, HpaPodSample } from './hpa-replica-calculator';
import {
  type PredictiveScalingDecision,
  type PredictiveScalingSettings,
  predictiveReplicas,
} from './predictive-scaling';
import {
  DEFAULT_SCALING_HOLD_MS,
  loadScalingHistory,
  scalingHistoryAction,
  scalingHistoryPrompt,
  scalingSubject,
} from './scaling-history';
import { type ScalingHistoryItem, type ScalingHoldVerdict, scalingHold } from './scaling-hysteresis';
import { type ScalingOutlook, scalingOutlook } from './scaling-outlook';
import { workloadFingerprint } from './workload-fingerprint';

/**
 * Who produced a scaling answer: the HPA-parity rule, the predictive (forecast) rule, or the model.
 *
 * @example
 * ```ts
 * const source: ScalingSource = 'forecast';
 * ```
 */
export type ScalingSource = 'hpa' | 'forecast' | 'llm';

/**
 * Cost and performance of moving to a target, computed by Ballast from the snapshot (never taken
 * from a model). Utilization "after" assumes today's usage spread evenly over the target's pods.
 *
 * @example
 * ```ts
 * const monthly = (impact: ScalingImpact) => (impact.costDeltaUsdPerHour ?? 0) * 730;
 * ```
 */
export interface ScalingImpact {
  replicaDelta: number;
  /** Requests of one pod (sum over the template's containers). */
  perPodCpuCores: number | undefined;
  perPodMemoryBytes: number | undefined;
  /** `Δreplicas × per-pod requests × price`, USD per hour; `undefined` without pricing. */
  costDeltaUsdPerHour: number | undefined;
  /** Requests of all target replicas × price, USD per hour; `undefined` without pricing. */
  costUsdPerHour: number | undefined;
  /** The HPA's CPU target (percent of requests), when it has one. */
  targetCpuUtilizationPercent: number | undefined;
  /** Usage over the requests of the pods that have samples, now. */
  cpuUtilizationNowPercent: number | undefined;
  /** Usage now over the target's requests. */
  cpuUtilizationAfterPercent: number | undefined;
  /** Peak forecast upper bound over the lead time over the target's requests. */
  forecastCpuUtilizationAfterPercent: number | undefined;
  memoryUtilizationAfterPercent: number | undefined;
}

/**
 * A candidate or chosen answer: the domain {@link ScalingRecommendation} with a precise `source`
 * and the deterministic {@link ScalingImpact}.
 *
 * @example
 * ```ts
 * const line = (advice: AdvisedScaling) => `${advice.source}: ${advice.currentReplicas} → ${advice.targetReplicas}`;
 * ```
 */
export type AdvisedScaling = Omit<ScalingRecommendation, 'source'> & {
  source: ScalingSource;
  impact: ScalingImpact;
  /** The next six hours of demand (or why there is no outlook), the same for every candidate. */
  outlook: ScalingOutlook;
};

/**
 * What happened to the model, if any.
 * - `used`: called, and its answer validated (whether or not it was chosen: see `chosen.source`);
 * - `not_configured`: no model given;
 * - `failed`: the call threw (timeout, rate limit, provider down, no JSON after the repairs);
 * - `invalid`: the answer was unusable for `validateScalingAdvice` (reasons in `reasons`).
 *
 * @example
 * ```ts
 * const spent = (outcome: LlmScalingOutcome) => outcome.costUsd ?? 0;
 * ```
 */
export interface LlmScalingOutcome {
  status: 'used' | 'not_configured' | 'failed' | 'invalid';
  reason?: string;
  usage?: Usage;
  costUsd?: number;
  /** Model calls made (1 + schema repairs). */
  calls?: number;
  latencyMs?: number;
  /** Validator reasons when `invalid`. */
  reasons?: Array<Reason<ScalingReasonCode>>;
  /** Repairs the validator made to a usable answer (clamping, rounding, action derived, ...). */
  repairs?: Repair[];
  /** The model's raw answer (AI4K8s shape), when one was parsed. */
  raw?: unknown;
  /** What `screenModelText` found in the model's text when it made the answer `invalid`. */
  textFindings?: ModelTextFinding[];
}

/**
 * Input of {@link adviseScaling}.
 *
 * @example
 * ```ts
 * const input: AdviseScalingInput = { workload: snapshot, model, options: { timeoutMs: 15_000 } };
 * ```
 */
export interface AdviseScalingInput {
  workload: WorkloadSnapshot;
  /** When left out, the rule answer is returned and `llm.status` is `not_configured`. */
  model?: ChatModel | undefined;
  /**
   * Memory between calls and an optional demand series:
   * - `state`: the `state` returned by the previous call (stabilization windows, scale events);
   *   without it the recent `workload.events` seed the rate limits;
   * - `cpuCores`: total CPU in use per step, instead of `workload.history.cpuCores`.
   */
  history?:
    | { state?: HpaControllerState | undefined; cpuCores?: Series | readonly number[] | undefined }
    | undefined;
  /**
   * Forecast settings (`horizonSteps` defaults to the 6-hour outlook, and at least `leadSteps`).
   * `leadSteps` is the pod start-up time in forecast steps (default 1).
   */
  forecastOptions?: (Partial<ForecastOptions> & { leadSteps?: number | undefined }) | undefined;
  /**
   * A demand forecast the caller already has (e.g. from a live `createEnsembleForecaster` fed one
   * sample per step), used instead of forecasting `history.cpuCores` again. It must start at the
   * step after the latest sample and use `forecastOptions.stepSeconds` (default 300 s) steps.
   */
  demandForecast?: ForecastOutcome | undefined;
  /** Settings of the predictive rule (`leadSteps` comes from `forecastOptions.leadSteps`). */
  predictive?: Omit<PredictiveScalingSettings, 'leadSteps' | 'stepHours'> | undefined;
  /** Prices for the deterministic cost impact. */
  pricing?: { perCoreHourUsd: number; perGiBHourUsd: number } | undefined;
  /** Replica bounds for a workload without an HPA (then the HPA default CPU target, 80 %, is used). */
  bounds?: { minReplicas?: number | undefined; maxReplicas: number } | undefined;
  /**
   * Recommendation history (e.g. `@ballast/store`'s RecommendationHistoryStore) for hysteresis,
   * the same shape `adviseMigrations` takes (`history` here is the controller's memory). The
   * deployment's recommendations of the last `holdMs` (default 30 min) hold a change back when it
   * would reverse an applied change, repeat an applied one that did not stick, or repeat one the
   * user rejected (`ScalingHoldRule`); the answer then keeps the current count and its
   * reasoning names the rule. They are cited in the prompt (at most ten: times, replica counts,
   * statuses, the user's redacted reason). The answer is recorded with the workload's fingerprint,
   * its source and, for a model answer, the validator's verdict. A failing history never fails
   * the advice: `history.error` says what went wrong.
   */
  recommendationHistory?: HistoryOptions | undefined;
  options?:
    | {
        /** Deadline of the model call (all repairs included). */
        timeoutMs?: number | undefined;
        /** Cancels the model call; a cancelled call rethrows `AbortedError` (the caller asked to stop). */
        signal?: AbortSignal | undefined;
        /** Schema repairs `generateObject` may ask for. Default 1. */
        maxRepairs?: number | undefined;
        /** Epoch ms of this decision. Default `workload.collectedAt`. */
        now?: number | undefined;
        /** Default 700. */
        maxTokens?: number | undefined;
      }
    | undefined;
}

/**
 * The outcome of {@link adviseScaling}.
 *
 * @example
 * ```ts
 * const result = await adviseScaling({ workload });
 * console.log(result.chosen.targetReplicas, result.chosen.source, result.why);
 * ```
 */
export interface AdviseScalingResult {
  chosen: AdvisedScaling;
  /** One sentence: what was chosen and why the others were not. */
  why: string;
  candidates: { hpa: AdvisedScaling; forecast?: AdvisedScaling; llm?: AdvisedScaling };
  /** The demand forecast, or why there is no forecast candidate. */
  forecast:
    | { status: 'ok'; result: ForecastResult }
    | { status: 'insufficient_data' | 'unavailable'; reason: string };
  llm: LlmScalingOutcome;
  bounds: { minReplicas: number; maxReplicas: number };
  /** The HPA-parity evaluation in full (conditions, per-metric proposals). */
  hpa: HpaDesiredReplicasResult;
  /** The forecast-aware (HPA-style) evaluation, when the forecast was usable; the prompt shows it. */
  forecastAware: ForecastAwareResult | undefined;
  /** The predictive rule's decision (the `forecast` candidate), when the forecast was usable. */
  predictive: PredictiveScalingDecision | undefined;
  /** The six-hour outlook every candidate carries. */
  outlook: ScalingOutlook;
  /** Pass as `history.state` into the next call. */
  state: HpaControllerState;
  /** Things Ballast could not use (unsupported metric types, metrics-server down, ...). */
  notes: string[];
  /**
   * With `recommendationHistory`: earlier recommendations cited, the hysteresis verdict (held, or
   * matched but overridden for safety), whether this answer was recorded, and a history failure.
   */
  history?: {
    cited: number;
    hold?: ScalingHoldVerdict;
    recorded: boolean;
    error?: string;
  };
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const HPA_DEFAULT_CPU_TARGET = 80;
/** Hours of demand outlook every recommendation carries. */
const OUTLOOK_HOURS = 6;

function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sumDefined(values: Array<number | undefined>): number | undefined {
  let total = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    total += value;
  }
  return values.length === 0 ? undefined : total;
}

/** Requests of one pod from the Deployment template: `undefined` when any container lacks one. */
function templateRequests(workload: WorkloadSnapshot): {
  cpu: number | undefined;
  memory: number | undefined;
} {
  const containers = workload.deployment.containers;
  return {
    cpu: sumDefined(containers.map((container) => container.requests.cpuCores)),
    memory: sumDefined(containers.map((container) => container.requests.memoryBytes)),
  };
}

interface HpaView {
  input: HpaDesiredReplicasInput;
  bounds: { minReplicas: number; maxReplicas: number };
  cpuTarget: number | undefined;
  notes: string[];
}

function toRequests(cpu: number | undefined, memory: number | undefined): Record<string, number> {
  const requests: Record<string, number> = {};
  if (cpu !== undefined) requests.cpu = cpu;
  if (memory !== undefined) requests.memory = memory;
  return requests;
}

function hpaPods(workload: WorkloadSnapshot): HpaPod[] {
  const template = templateRequests(workload);
  const containerRequests: Record<string, Record<string, number>> = {};
  for (const container of workload.deployment.containers) {
    containerRequests[container.name] = toRequests(
      container.requests.cpuCores,
      container.requests.memoryBytes,
    );
  }
  const phases = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
  if (workload.pods !== undefined) {
    return workload.pods.map((pod) => {
      const hasOwn = pod.requests.cpuCores !== undefined || pod.requests.memoryBytes !== undefined;
      return {
        name: pod.name,
        phase: (phases.has(pod.phase) ? pod.phase : 'Unknown') as HpaPod['phase'],
        deleting: pod.ignored === true && pod.phase !== 'Failed' && pod.phase !== 'Succeeded',
        ready: pod.ready,
        startTime: pod.startTime,
        readyTransitionTime: pod.readyTransitionTime,
        requests: hasOwn
          ? toRequests(pod.requests.cpuCores, pod.requests.memoryBytes)
          : toRequests(template.cpu, template.memory),
        containerRequests,
      };
    });
  }
  // A producer without pod states: the pods with samples are taken as ready and running.
  return workload.podMetrics.map((sample) => ({
    name: sample.pod,
    requests: toRequests(template.cpu, template.memory),
    containerRequests,
  }));
}

function samplesFor(
  workload: WorkloadSnapshot,
  resource: string,
  container: string | undefined,
): Record<string, HpaPodSample> {
  const samples: Record<string, HpaPodSample> = {};
  for (const sample of workload.podMetrics) {
    let value: number | undefined;
    if (container === undefined) {
      value = resource === 'cpu' ? sample.cpuCores : resource === 'memory' ? sample.memoryBytes : undefined;
    } else {
      const entry = sample.containers?.find((candidate) => candidate.name === container);
      value = entry === undefined ? undefined : resource === 'cpu' ? entry.cpuCores : entry.memoryBytes;
    }
    if (value === undefined) continue;
    samples[sample.pod] = { value, timestamp: sample.timestamp, windowSeconds: sample.windowSeconds };
  }
  return samples;
}

function metricSpec(workload: WorkloadSnapshot, metric: HpaMetric, notes: string[]): HpaMetricSpec {
  const target = metric.target;
  if (metric.type === 'Resource' || metric.type === 'ContainerResource') {
    const resourceTarget =
      target?.averageUtilization !== undefined && target.type !== 'AverageValue'
        ? ({ type: 'Utilization', averageUtilization: target.averageUtilization } as const)
        : target?.averageValue !== undefined
          ? ({ type: 'AverageValue', averageValue: target.averageValue } as const)
          : undefined;
    if (resourceTarget !== undefined) {
      if (metric.type === 'Resource') {
        return {
          type: 'Resource',
          name: metric.name,
          target: resourceTarget,
          samples: samplesFor(workload, metric.name, undefined),
        };
      }
      const container = metric.container ?? '';
      return {
        type: 'ContainerResource',
        name: metric.name,
        container,
        target: resourceTarget,
        samples: samplesFor(workload, metric.name, container),
      };
    }
    notes.push(`${metric.type} metric ${metric.name} has no usable target; treated as unavailable`);
  } else {
    notes.push(
      `${metric.type} metric ${metric.name} is not collected by Ballast; treated as unavailable (as the HPA treats a failing metrics API)`,
    );
  }
  // An invalid metric: the HPA keeps the current count unless another metric asks for more.
  return { type: 'Object', name: metric.name, target: { type: 'Value', value: 1 }, value: undefined };
}

function hpaView(
  workload: WorkloadSnapshot,
  now: number,
  state: HpaControllerState,
  bounds: AdviseScalingInput['bounds'],
): HpaView {
  const notes: string[] = [];
  const hpa = workload.hpa;
  let minReplicas: number;
  let maxReplicas: number;
  let specMetrics: HpaMetric[];
  if (hpa !== undefined) {
    minReplicas = hpa.spec.minReplicas;
    maxReplicas = hpa.spec.maxReplicas;
    specMetrics = hpa.spec.metrics;
  } else {
    if (bounds === undefined) {
      throw new ConfigError({
        message: `Workload ${workload.deployment.namespace}/${workload.deployment.name} has no HPA: pass bounds.maxReplicas`,
        issues: [{ path: 'bounds.maxReplicas', message: 'required when the workload has no HPA' }],
      });
    }
    minReplicas = bounds.minReplicas ?? 1;
    maxReplicas = bounds.maxReplicas;
    specMetrics = [];
    notes.push(`no HPA: bounds [${minReplicas}, ${maxReplicas}] from the caller`);
  }
  if (specMetrics.length === 0) {
    specMetrics = [
      {
        type: 'Resource',
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: HPA_DEFAULT_CPU_TARGET },
      },
    ];
    notes.push(
      `no metrics in the HPA spec: the Kubernetes default, CPU at ${HPA_DEFAULT_CPU_TARGET} %, is used`,
    );
  }
  if (workload.state?.metrics === 'metrics_unavailable') {
    notes.push(`metrics unavailable: ${workload.state.metricsReason ?? 'metrics.k8s.io did not answer'}`);
  }
  const cpuMetric = specMetrics.find(
    (metric) =>
      metric.type === 'Resource' && metric.name === 'cpu' && metric.target?.averageUtilization !== undefined,
  );
  const input: HpaDesiredReplicasInput = {
    now,
    currentReplicas: workload.deployment.replicas.desired,
    statusReplicas: hpa?.status.currentReplicas,
    minReplicas,
    maxReplicas,
    metrics: specMetrics.map((metric) => metricSpec(workload, metric, notes)),
    pods: hpaPods(workload),
    behavior: hpa?.spec.behavior,
    state,
  };
  return {
    input,
    bounds: { minReplicas, maxReplicas },
    cpuTarget: cpuMetric?.target?.averageUtilization,
    notes,
  };
}

/** Seeds the rate-limit memory from the snapshot's recent replica changes (no stabilization memory). */
function seededState(workload: WorkloadSnapshot, now: number): HpaControllerState {
  const recent = workload.events.filter(
    (event) => event.timestamp <= now && now - event.timestamp <= 3_600_000,
  );
  return { recommendations: [], ...hpaScaleEventsFromHistory(recent) };
}

interface CurrentUsage {
  cpuCores: number | undefined;
  memoryBytes: number | undefined;
  /** CPU requests of the pods with samples. */
  sampledCpuRequests: number | undefined;
}

function currentUsage(workload: WorkloadSnapshot, pods: readonly HpaPod[]): CurrentUsage {
  const live = new Map(
    pods
      .filter((pod) => !pod.deleting && pod.phase !== 'Failed' && pod.phase !== 'Succeeded')
      .map((pod) => [pod.name, pod]),
  );
  let cpu = 0;
  let memory = 0;
  let requests = 0;
  let count = 0;
  for (const sample of workload.podMetrics) {
    const pod = live.get(sample.pod);
    if (pod === undefined) continue;
    cpu += sample.cpuCores;
    memory += sample.memoryBytes;
    requests += pod.requests?.cpu ?? 0;
    count++;
  }
  if (count === 0) return { cpuCores: undefined, memoryBytes: undefined, sampledCpuRequests: undefined };
  return { cpuCores: cpu, memoryBytes: memory, sampledCpuRequests: requests > 0 ? requests : undefined };
}

function impactOf(
  target: number,
  current: number,
  workload: WorkloadSnapshot,
  usage: CurrentUsage,
  cpuTarget: number | undefined,
  forecastPeak: number | undefined,
  pricing: AdviseScalingInput['pricing'],
): ScalingImpact {
  const template = templateRequests(workload);
  const perPodPrice =
    pricing === undefined
      ? undefined
      : (template.cpu ?? 0) * pricing.perCoreHourUsd + ((template.memory ?? 0) / GiB) * pricing.perGiBHourUsd;
  const percent = (used: number | undefined, capacity: number | undefined) =>
    used === undefined || capacity === undefined || capacity <= 0
      ? undefined
      : round((100 * used) / capacity, 1);
  const cpuCapacity = template.cpu === undefined ? undefined : target * template.cpu;
  return {
    replicaDelta: target - current,
    perPodCpuCores: template.cpu,
    perPodMemoryBytes: template.memory,
    costDeltaUsdPerHour: perPodPrice === undefined ? undefined : round((target - current) * perPodPrice, 6),
    costUsdPerHour: perPodPrice === undefined ? undefined : round(target * perPodPrice, 6),
    targetCpuUtilizationPercent: cpuTarget,
    cpuUtilizationNowPercent: percent(usage.cpuCores, usage.sampledCpuRequests),
    cpuUtilizationAfterPercent: percent(usage.cpuCores, cpuCapacity),
    forecastCpuUtilizationAfterPercent: percent(forecastPeak, cpuCapacity),
    memoryUtilizationAfterPercent: percent(
      usage.memoryBytes,
      template.memory === undefined ? undefined : target * template.memory,
    ),
  };
}

/** Relative cost change: ≤ 0 or ≤ 25 % → low, ≤ 50 % → medium, else high. */
function costLevel(impact: ScalingImpact, current: number): ImpactLevel {
  if (impact.replicaDelta <= 0) return 'low';
  const relative = impact.replicaDelta / Math.max(1, current);
  return relative <= 0.25 ? 'low' : relative <= 0.5 ? 'medium' : 'high';
}

/** Relieves pressure above the target → positive; pushes utilization above target (+10 %) → negative. */
function performanceLevel(impact: ScalingImpact): PerformanceImpact {
  const now = impact.cpuUtilizationNowPercent;
  const after = impact.cpuUtilizationAfterPercent;
  const target = impact.targetCpuUtilizationPercent ?? HPA_DEFAULT_CPU_TARGET;
  if (now === undefined || after === undefined) return 'neutral';
  if (after < now - 1 && now > target) return 'positive';
  if (after > target * 1.1 && after > now + 1) return 'negative';
  return 'neutral';
}

function riskLevel(impact: ScalingImpact): ImpactLevel {
  const target = impact.targetCpuUtilizationPercent ?? HPA_DEFAULT_CPU_TARGET;
  const values = [impact.cpuUtilizationAfterPercent, impact.forecastCpuUtilizationAfterPercent].filter(
    (value): value is number => value !== undefined,
  );
  if (values.length === 0) return 'medium';
  const worst = Math.max(...values);
  return worst > 100 ? 'high' : worst > target * 1.1 ? 'medium' : 'low';
}

function actionFor(target: number, current: number, wanted: number | undefined, max: number): ScalingAction {
  if (target > current) return 'scale_up';
  if (target < current) return 'scale_down';
  return wanted !== undefined && wanted > max && current === max ? 'at_max' : 'maintain';
}

function describeUsage(impact: ScalingImpact): string {
  const now = impact.cpuUtilizationNowPercent;
  const target = impact.targetCpuUtilizationPercent;
  if (now === undefined) return 'no CPU samples';
  return `CPU ${now} % of requests${target === undefined ? '' : ` vs target ${target} %`}`;
}

function historySeries(input: AdviseScalingInput): Series | readonly number[] | undefined {
  return input.history?.cpuCores ?? input.workload.history.cpuCores;
}

function seriesLength(series: Series | readonly number[] | undefined): number {
  if (series === undefined) return 0;
  return Array.isArray(series) ? series.length : (series as Series).values.length;
}

const SYSTEM_PROMPT = [
  'You are a Kubernetes autoscaling advisor. Recommend a replica count for one Deployment from the metrics given.',
  'Weigh these criteria: performance 0.30, stability 0.25, cost 0.20, forecast alignment 0.15, response time 0.10.',
  'Rules: target_replicas is an integer within [min_replicas, max_replicas]. Scale up when CPU utilization of ready pods is above the target or the forecast upper bound needs more pods within the lead time; scale down only when utilization and the forecast upper bound stay below the target with fewer pods; prefer small, stable changes.',
  'Use only the numbers given. Ballast computes cost and performance impact itself; give your qualitative view.',
  'When recent_recommendations is present, it lists earlier advice for this deployment (newest first) and what became of it: do not reverse an applied change or repeat a rejected one unless the current utilization requires it.',
  'Answer with one JSON object: {"scaling_type": "hpa"|"vpa"|"both"|"maintain", "action": "scale_up"|"scale_down"|"maintain"|"at_max", "target_replicas": integer, "confidence": number 0..1, "reasoning": string, "factors_considered": string[], "risk_assessment": "low"|"medium"|"high", "cost_impact": "low"|"medium"|"high", "performance_impact": "positive"|"neutral"|"negative", "recommended_timing": "immediate"|"gradual"|"scheduled", "criteria_scores": {"performance": 0..1, "stability": 0..1, "cost": 0..1, "forecast_alignment": 0..1, "response_time": 0..1}}',
].join('\n');

/**
 * The user prompt {@link adviseScaling} sends: real metrics in a JSON document, after a first line
 * `Current replicas: N (min A, max B)`.
 *
 * @example
 * ```ts
 * const text = buildScalingAdvicePrompt({ workload, bounds: { minReplicas: 2, maxReplicas: 12 }, hpa, forecast: outcome });
 * ```
 */
export function buildScalingAdvicePrompt(context: {
  workload: WorkloadSnapshot;
  bounds: { minReplicas: number; maxReplicas: number };
  hpa: HpaDesiredReplicasResult;
  forecastAware?: ForecastAwareResult | undefined;
  forecast?: ForecastOutcome | undefined;
  leadSteps?: number | undefined;
  cpuTarget?: number | undefined;
  now?: number | undefined;
  /** Earlier recommendations for this deployment ({@link scalingHistoryPrompt}); left out when absent. */
  recentRecommendations?: ReturnType<typeof scalingHistoryPrompt> | undefined;
}): string {
  const { workload, bounds, hpa } = context;
  const deployment = workload.deployment;
  const template = templateRequests(workload);
  const { pods, notListed } = promptPods(workload, template);
  const document = {
    deployment: `${deployment.namespace}/${deployment.name}`,
    collected_at: new Date(context.now ?? workload.collectedAt).toISOString(),
    replicas: {
      current: deployment.replicas.desired,
      ready: deployment.replicas.ready,
      not_ready: Math.max(0, deployment.replicas.current - deployment.replicas.ready),
      min_replicas: bounds.minReplicas,
      max_replicas: bounds.maxReplicas,
    },
    requests_per_pod: {
      cpu_cores: template.cpu ?? null,
      memory_mib: template.memory === undefined ? null : round(template.memory / MiB, 1),
    },
    utilization: promptUtilization(workload, template, context.cpuTarget),
    pods,
    pods_not_listed: notListed,
    collection: workload.state ?? null,
    hpa: promptHpa(workload),
    hpa_parity: {
      target_replicas: hpa.desiredReplicas,
      metric_replicas: hpa.metricReplicas ?? null,
      reason: hpa.reason,
      scaling_limited: hpa.conditions.scalingLimited.reason,
    },
    forecast: promptForecast(context, template),
    recent_scaling: workload.events.slice(-5).map((event) => ({
      time: new Date(event.timestamp).toISOString(),
      from: event.fromReplicas,
      to: event.toReplicas,
      reason: event.reason ?? null,
    })),
    ...(context.recentRecommendations === undefined
      ? {}
      : { recent_recommendations: context.recentRecommendations }),
  };
  return [
    `Current replicas: ${deployment.replicas.desired} (min ${bounds.minReplicas}, max ${bounds.maxReplicas})`,
    'Metrics (CPU in cores, memory in MiB, times UTC):',
    JSON.stringify(document, null, 1),
  ].join('\n');
}

/** What {@link buildScalingAdvicePrompt} reads. */
type ScalingPromptContext = Parameters<typeof buildScalingAdvicePrompt>[0];

type TemplateRequests = ReturnType<typeof templateRequests>;

/** The first 25 pods with their usage against requests (pods from the metrics when not listed). */
function promptPods(workload: WorkloadSnapshot, template: TemplateRequests) {
  const samples = new Map(workload.podMetrics.map((sample) => [sample.pod, sample]));
  const podsSource =
    workload.pods ??
    workload.podMetrics.map((sample) => ({
      name: sample.pod,
      phase: 'Running',
      ready: true,
      hasMetrics: true,
    }));
  const pods = podsSource.slice(0, 25).map((pod) => {
    const sample = samples.get(pod.name);
    return {
      name: pod.name,
      phase: pod.phase,
      ready: pod.ready,
      has_metrics: sample !== undefined,
      cpu_cores: sample === undefined ? null : round(sample.cpuCores),
      cpu_percent_of_request:
        sample === undefined || template.cpu === undefined
          ? null
          : round((100 * sample.cpuCores) / template.cpu, 1),
      memory_mib: sample === undefined ? null : round(sample.memoryBytes / MiB, 1),
      memory_percent_of_request:
        sample === undefined || template.memory === undefined
          ? null
          : round((100 * sample.memoryBytes) / template.memory, 1),
    };
  });
  return { pods, notListed: Math.max(0, podsSource.length - pods.length) };
}

/** Totals over the sampled pods and their share of the requests, with the HPA's CPU target. */
function promptUtilization(
  workload: WorkloadSnapshot,
  template: TemplateRequests,
  cpuTarget: number | undefined,
) {
  const totalCpu = workload.podMetrics.reduce((sum, sample) => sum + sample.cpuCores, 0);
  const totalMemory = workload.podMetrics.reduce((sum, sample) => sum + sample.memoryBytes, 0);
  const sampled = workload.podMetrics.length;
  return {
    total_cpu_cores: sampled === 0 ? null : round(totalCpu),
    total_memory_mib: sampled === 0 ? null : round(totalMemory / MiB, 1),
    cpu_percent_of_requests:
      sampled === 0 || template.cpu === undefined
        ? null
        : round((100 * totalCpu) / (sampled * template.cpu), 1),
    memory_percent_of_requests:
      sampled === 0 || template.memory === undefined
        ? null
        : round((100 * totalMemory) / (sampled * template.memory), 1),
    target_cpu_percent: cpuTarget ?? null,
  };
}

/** The HPA's spec and status as the API reports them; `null` without an HPA. */
function promptHpa(workload: WorkloadSnapshot) {
  if (!workload.hpa) return null;
  return {
    name: workload.hpa.name,
    spec: {
      min_replicas: workload.hpa.spec.minReplicas,
      max_replicas: workload.hpa.spec.maxReplicas,
      metrics: workload.hpa.spec.metrics,
      behavior: workload.hpa.spec.behavior ?? null,
    },
    status: {
      current_replicas: workload.hpa.status.currentReplicas,
      desired_replicas: workload.hpa.status.desiredReplicas,
      current_metrics: workload.hpa.status.currentMetrics,
      last_scale_time:
        workload.hpa.status.lastScaleTime === undefined
          ? null
          : new Date(workload.hpa.status.lastScaleTime).toISOString(),
      conditions: workload.hpa.status.conditions ?? [],
    },
  };
}

/** Forecast points with the replicas the upper bound needs, or why there is no forecast. */
function promptForecast(context: ScalingPromptContext, template: TemplateRequests) {
  const forecastOutcome = context.forecast;
  if (forecastOutcome === undefined) return null;
  if (forecastOutcome.status !== 'ok') {
    return { status: forecastOutcome.status, needed: forecastOutcome.needed, have: forecastOutcome.have };
  }
  const targetPerPod =
    template.cpu === undefined || context.cpuTarget === undefined
      ? undefined
      : (template.cpu * context.cpuTarget) / 100;
  return {
    metric: 'total CPU cores in use',
    model: forecastOutcome.model,
    level: forecastOutcome.level,
    lead_steps: context.leadSteps ?? 1,
    points: forecastOutcome.points.map((point) => ({
      step: point.step,
      mean: round(point.mean),
      lower: round(point.lower),
      upper: round(point.upper),
      replicas_for_upper: targetPerPod === undefined ? null : Math.ceil(point.upper / targetPerPod - 1e-9),
    })),
    forecast_aware_target: context.forecastAware?.desiredReplicas ?? null,
  };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Recommends a replica count for one workload, safety first:
 *
 * 1. **HPA parity** — {@link hpaDesiredReplicas} on the snapshot (pods' readiness, missing metrics,
 *    tolerance, stabilization, policies, bounds). Always computed.
 * 2. **Forecast-aware** — {@link forecastAwareReplicas} on a forecast of total CPU in use
 *    (`history.cpuCores` or `workload.history.cpuCores`); absent, with the reason, when the history
 *    is too short or there is no CPU Utilization target to convert it.
 * 3. **LLM** (only with `model`) — `generateObject` with `llmScalingAdviceSchema` (AI4K8s's shape,
 *    temperature 0.1) over a prompt of the real metrics, then `validateScalingAdvice` (bounds,
 *    stabilization, policies, action consistency).
 *
 * Choice: the rule answer is the predictive one when present, else HPA parity. The LLM answer is
 * chosen only when it validated (clamped into `[min, max]`) and is not less safe than the rule
 * answer: when either rule scales up, it must be ≥ the rule answer; below the rule answer it is
 * accepted only if CPU utilization after the change (today's usage and the forecast's upper bound)
 * stays at or under the HPA target. Otherwise the rule answer stands, and `why` says so — also when
 * the model is absent, fails or answers nonsense. Cost and performance impact always come from
 * {@link ScalingImpact}, never from the model.
 *
 * @example
 * ```ts
 * const result = await adviseScaling({ workload: snapshot, model, pricing: { perCoreHourUsd: 0.031, perGiBHourUsd: 0.004 }, options: { timeoutMs: 15_000 } });
 * await scaleDeployment({ namespace, deployment, replicas: result.chosen.targetReplicas });
 * ```
 */
export async function adviseScaling(input: AdviseScalingInput): Promise<AdviseScalingResult> {
  const context = scalingContext(input);

  // 1. HPA parity.
  const hpa = hpaDesiredReplicas(context.view.input);

  // 2. Forecast-aware.
  const demand = forecastDemand(input, context);
  const impact = (target: number) =>
    impactOf(
      target,
      context.current,
      context.workload,
      context.usage,
      context.cpuTarget,
      demand.peak,
      input.pricing,
    );
  const hpaCandidate = hpaParityCandidate(hpa, context, impact, demand.outlook);
  const forecastCandidate = predictiveCandidate(demand, context, impact);
  const rule = forecastCandidate ?? hpaCandidate;
  const historyOptions = input.recommendationHistory;
  const historyNow = historyOptions ? (historyOptions.now ?? Date.now)() : 0;
  const subject = scalingSubject(context.workload.deployment);
  const past = historyOptions ? await loadScalingHistory(historyOptions, subject, historyNow) : undefined;

  // 3. LLM.
  const answer: ModelScalingAnswer =
    input.model === undefined
      ? { llm: { status: 'not_configured', reason: 'no model configured' }, candidate: undefined }
      : await askScalingModel(input.model, context, hpa, demand, impact, past?.items);

  // Choice, then hysteresis over the deployment's recent recommendations.
  const choice = chooseScaling(context, { rule, hpaCandidate, forecastCandidate, demand }, answer);
  const hold =
    historyOptions && past
      ? scalingHold({
          currentReplicas: context.current,
          targetReplicas: choice.chosen.targetReplicas,
          bounds: context.bounds,
          scaleUpNeeded: hpaCandidate.targetReplicas > context.current,
          recent: past.items,
          now: historyNow,
          holdMs: historyOptions.holdMs ?? DEFAULT_SCALING_HOLD_MS,
        })
      : undefined;
  const { chosen, why } = applyHold(context, impact, choice, hold);
  const { llm } = choice;
  const history =
    historyOptions && past
      ? {
          cited: scalingHistoryPrompt(past.items).length,
          ...(hold ? { hold } : {}),
          ...(await recordScaling(historyOptions, {
            subject,
            fingerprint: workloadFingerprint(context.workload),
            current: context.current,
            chosen,
            llm,
            hold,
            past: past.items,
            at: historyNow,
            ...(past.error ? { error: past.error } : {}),
          })),
        }
      : undefined;
  const candidates: AdviseScalingResult['candidates'] = { hpa: hpaCandidate };
  if (forecastCandidate !== undefined) candidates.forecast = forecastCandidate;
  if (answer.candidate !== undefined) candidates.llm = { ...answer.candidate, outlook: demand.outlook };
  return {
    chosen: { ...chosen, outlook: demand.outlook },
    why,
    candidates,
    forecast: demand.info,
    llm,
    bounds: context.bounds,
    hpa,
    forecastAware: demand.aware,
    predictive: demand.predictive,
    outlook: demand.outlook,
    state: demand.aware?.state ?? hpa.state,
    notes: context.notes,
    ...(history ? { history } : {}),
  };
}

/**
 * The chosen answer after hysteresis: held at the current count when a rule holds it (reasoning and
 * `why` name the rule and the earlier recommendation), annotated when safety overrode the rule.
 */
function applyHold(
  context: ScalingContext,
  impact: ImpactOf,
  choice: { chosen: AdvisedScaling; why: string },
  hold: ScalingHoldVerdict | undefined,
): { chosen: AdvisedScaling; why: string } {
  const { chosen, why } = choice;
  if (hold === undefined) return choice;
  if (!hold.held) {
    const note = `history rule ${hold.rule}: ${hold.message}`;
    return {
      chosen: { ...chosen, reasoning: `${chosen.reasoning}; ${note}` },
      why: `${why} ${capitalize(note)}.`,
    };
  }
  const { current } = context;
  const heldImpact = impact(current);
  const without = `${chosen.action} to ${chosen.targetReplicas}`;
  return {
    chosen: {
      ...chosen,
      action: 'maintain',
      targetReplicas: current,
      scalingType: 'maintain',
      timing: 'immediate',
      reasoning: `Held at ${current} by history rule ${hold.rule}: ${hold.message}. Without the hold: ${without} (${chosen.reasoning})`,
      factors: [...chosen.factors, 'recent recommendation history (hysteresis)'],
      risk: riskLevel(heldImpact),
      costImpact: costLevel(heldImpact, current),
      performanceImpact: performanceLevel(heldImpact),
      impact: heldImpact,
    },
    why: `Held at ${current} by history rule ${hold.rule} (${hold.message}); without the hold: ${why}`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Records the answer in the history: the workload's fingerprint, the source (`rule` for the HPA and
 * predictive answers, which are in the payload) and, for a model answer, the validator's verdict
 * (`repaired` with the repairs when it changed anything). The same advice on the same snapshot as
 * the newest record is not written twice (a dashboard polling the endpoint adds nothing new).
 */
async function recordScaling(
  options: HistoryOptions,
  advice: {
    subject: string;
    fingerprint: string;
    current: number;
    chosen: AdvisedScaling;
    llm: LlmScalingOutcome;
    hold: ScalingHoldVerdict | undefined;
    past: readonly ScalingHistoryItem[];
    at: number;
    error?: string;
  },
): Promise<{ recorded: boolean; error?: string }> {
  const { chosen, current } = advice;
  const action = scalingHistoryAction(current, chosen.targetReplicas);
  const newest = advice.past[0];
  if (
    newest !== undefined &&
    newest.snapshotFingerprint === advice.fingerprint &&
    scalingHistoryAction(newest.from, newest.to) === action
  )
    return { recorded: false, ...(advice.error ? { error: advice.error } : {}) };
  const repairs = (advice.llm.repairs ?? []).filter((repair) => repair.code !== 'action_derived');
  try {
    await options.history.record({
      kind: 'scaling',
      createdAt: advice.at,
      snapshotFingerprint: advice.fingerprint,
      source: chosen.source === 'llm' ? 'llm' : 'rule',
      subject: advice.subject,
      action,
      payload: {
        source: chosen.source,
        action: chosen.action,
        currentReplicas: current,
        targetReplicas: chosen.targetReplicas,
        confidence: chosen.confidence,
        ...(advice.hold ? { hysteresis: { rule: advice.hold.rule, held: advice.hold.held } } : {}),
      },
      ...(chosen.source === 'llm'
        ? {
            verdict: {
              status: repairs.length > 0 ? ('repaired' as const) : ('accepted' as const),
              reasons: repairs.map((repair) => repair.message.slice(0, 2_000)).slice(0, 50),
            },
          }
        : {}),
    });
    return { recorded: true, ...(advice.error ? { error: advice.error } : {}) };
  } catch (caught) {
    return { recorded: false, error: advice.error ?? `history write failed: ${(caught as Error).name}` };
  }
}

/** What every step of {@link adviseScaling} reads: the workload seen as an HPA sees it. */
interface ScalingContext {
  workload: WorkloadSnapshot;
  options: NonNullable<AdviseScalingInput['options']>;
  now: number;
  /** Controller state of the previous call, or seeded from the workload's recent events. */
  state: HpaControllerState;
  view: HpaView;
  bounds: { minReplicas: number; maxReplicas: number };
  cpuTarget: number | undefined;
  notes: string[];
  current: number;
  usage: CurrentUsage;
  /** Pod start-up time in forecast steps. */
  leadSteps: number;
  /** Forecast step, seconds (`forecastOptions.stepSeconds`, else the history's spacing, else 300). */
  stepSeconds: number;
  predictiveSettings: AdviseScalingInput['predictive'];
}

/** The demand forecast and the predictive (and forecast-aware) answers on it, or why there is none. */
interface DemandForecast {
  info: AdviseScalingResult['forecast'];
  aware: ForecastAwareResult | undefined;
  /** Forecast upper bound of CPU over the lead time, cores (impact "forecast after"). */
  peak: number | undefined;
  /** The forecaster's outcome, for the prompt; `undefined` without history. */
  outcome: ForecastOutcome | undefined;
  predictive: PredictiveScalingDecision | undefined;
  outlook: ScalingOutlook;
}

/** The model's outcome and, when its advice validated, the candidate built from it. */
interface ModelScalingAnswer {
  llm: LlmScalingOutcome;
  candidate: AdvisedScaling | undefined;
}

type ImpactOf = (target: number) => ScalingImpact;

function scalingContext(input: AdviseScalingInput): ScalingContext {
  const { workload } = input;
  const options = input.options ?? {};
  const now = options.now ?? workload.collectedAt;
  const state = input.history?.state ?? seededState(workload, now);
  const view = hpaView(workload, now, state, input.bounds);
  const pods = view.input.pods ?? [];
  return {
    workload,
    options,
    now,
    state,
    view,
    bounds: view.bounds,
    cpuTarget: view.cpuTarget,
    notes: [...view.notes],
    current: workload.deployment.replicas.desired,
    usage: currentUsage(workload, pods),
    leadSteps: Math.max(1, input.forecastOptions?.leadSteps ?? 1),
    stepSeconds: input.forecastOptions?.stepSeconds ?? historyStepSeconds(historySeries(input)) ?? 300,
    predictiveSettings: input.predictive,
  };
}

/** Median spacing of a history Series, seconds (`undefined` for a plain array). */
function historyStepSeconds(series: Series | readonly number[] | undefined): number | undefined {
  if (series === undefined || Array.isArray(series)) return undefined;
  const timestamps = (series as Series).timestamps;
  const steps: number[] = [];
  for (let index = 1; index < timestamps.length; index++)
    steps.push(timestamps[index]! - timestamps[index - 1]!);
  if (steps.length === 0) return undefined;
  steps.sort((a, b) => a - b);
  const median = steps[Math.floor(steps.length / 2)]!;
  return median > 0 ? median / 1000 : undefined;
}

/** Forecasts total CPU in use and turns it into replicas; the reason when either is not possible. */
function forecastDemand(input: AdviseScalingInput, context: ScalingContext): DemandForecast {
  const targetPerPod = targetPerPodOf(context);
  const outlookOf = (outcome: ForecastOutcome | undefined) =>
    scalingOutlook(outcome, { stepSeconds: context.stepSeconds, targetPerPod });
  const series = historySeries(input);
  let outcome = input.demandForecast;
  if (outcome === undefined) {
    if (seriesLength(series) === 0 || series === undefined) {
      return {
        info: { status: 'insufficient_data', reason: 'no CPU history in the snapshot (history.cpuCores)' },
        aware: undefined,
        peak: undefined,
        outcome: undefined,
        predictive: undefined,
        outlook: outlookOf(undefined),
      };
    }
    const { leadSteps: _lead, ...forecastSettings } = input.forecastOptions ?? {};
    // Six hours of steps, at most the forecaster's horizon cap (steps under 15 s see less than 6 h).
    const outlookSteps = Math.min(
      FORECAST_MAX_HORIZON_STEPS,
      Math.max(1, Math.round(OUTLOOK_HOURS * (3600 / context.stepSeconds))),
    );
    outcome = forecast(series as Series | number[], {
      ...forecastSettings,
      horizonSteps:
        forecastSettings.horizonSteps ??
        Math.min(FORECAST_MAX_HORIZON_STEPS, Math.max(context.leadSteps, outlookSteps)),
    });
  }
  const outlook = outlookOf(outcome);
  if (outcome.status !== 'ok') {
    return {
      info: {
        status: 'insufficient_data',
        reason: `insufficient history for a forecast: need ${outcome.needed} samples, have ${outcome.have}`,
      },
      aware: undefined,
      peak: undefined,
      outcome,
      predictive: undefined,
      outlook,
    };
  }
  try {
    const aware = forecastAwareReplicas({
      hpa: context.view.input,
      forecast: outcome,
      leadSteps: context.leadSteps,
    });
    const predictive =
      targetPerPod === undefined
        ? undefined
        : predictiveReplicas({
            currentReplicas: context.current,
            observedDemand: context.usage.cpuCores ?? 0,
            points: outcome.points,
            targetPerPod,
            minReplicas: context.bounds.minReplicas,
            maxReplicas: context.bounds.maxReplicas,
            settings: {
              ...context.predictiveSettings,
              leadSteps: context.leadSteps,
              stepHours: context.stepSeconds / 3600,
            },
          });
    return {
      info: { status: 'ok', result: outcome },
      aware,
      peak: aware.forecastUpper,
      outcome,
      predictive,
      outlook,
    };
  } catch (error) {
    return {
      info: {
        status: 'unavailable',
        // Only a demand per pod that cannot be derived means a missing target; any other refusal
        // (an HPA whose minReplicas exceeds its maxReplicas, say) says what it is.
        reason:
          error instanceof ConfigError && error.issues.some((issue) => issue.path === 'targetPerPod')
            ? 'no CPU Utilization target and pod requests to turn the forecast into replicas'
            : errorMessage(error),
      },
      aware: undefined,
      peak: undefined,
      outcome,
      predictive: undefined,
      outlook,
    };
  }
}

/** Demand one pod carries at the CPU target: mean CPU request × target / 100. */
function targetPerPodOf(context: ScalingContext): number | undefined {
  const requests = (context.view.input.pods ?? [])
    .map((pod) => pod.requests?.cpu)
    .filter((value): value is number => value !== undefined && value > 0);
  if (requests.length === 0 || context.cpuTarget === undefined) return undefined;
  return ((requests.reduce((sum, value) => sum + value, 0) / requests.length) * context.cpuTarget) / 100;
}

/** A rule answer as a candidate, with its levels derived from the deterministic impact. */
function ruleCandidate(
  context: ScalingContext,
  impact: ImpactOf,
  answer: {
    source: 'hpa' | 'forecast';
    target: number;
    wanted: number | undefined;
    reasoning: string;
    factors: string[];
    confidence: number;
    timing?: ScalingTiming | undefined;
    outlook: ScalingOutlook;
  },
): AdvisedScaling {
  const { current } = context;
  const { target } = answer;
  const candidateImpact = impact(target);
  return {
    action: actionFor(target, current, answer.wanted, context.bounds.maxReplicas),
    currentReplicas: current,
    targetReplicas: target,
    confidence: answer.confidence,
    reasoning: answer.reasoning,
    factors: answer.factors,
    risk: riskLevel(candidateImpact),
    costImpact: costLevel(candidateImpact, current),
    performanceImpact: performanceLevel(candidateImpact),
    timing: answer.timing ?? 'immediate',
    scalingType: target === current ? 'maintain' : 'hpa',
    source: answer.source,
    impact: candidateImpact,
    outlook: answer.outlook,
  };
}

function hpaParityCandidate(
  hpa: HpaDesiredReplicasResult,
  context: ScalingContext,
  impact: ImpactOf,
  outlook: ScalingOutlook,
): AdvisedScaling {
  const hpaImpact = impact(hpa.desiredReplicas);
  return ruleCandidate(context, impact, {
    source: 'hpa',
    target: hpa.desiredReplicas,
    wanted: hpa.metricReplicas,
    reasoning: `HPA parity: ${hpa.reason} (${describeUsage(hpaImpact)}); ${context.current} → ${hpa.desiredReplicas}, ${hpa.conditions.scalingLimited.reason}`,
    factors: [
      'cpu utilization vs target',
      'pod readiness and missing metrics',
      'tolerance, stabilization and policies',
    ],
    confidence: hpa.conditions.scalingActive.status === 'True' ? 1 : 0.5,
    outlook,
  });
}

/**
 * The forecast candidate: the predictive rule ({@link predictiveReplicas}) on the ensemble forecast,
 * with its timing (`immediate` / `scheduled` pre-scale / `gradual` scale-down) and its own reason.
 */
function predictiveCandidate(
  demand: DemandForecast,
  context: ScalingContext,
  impact: ImpactOf,
): AdvisedScaling | undefined {
  const { predictive, info } = demand;
  if (predictive === undefined || info.status !== 'ok') return undefined;
  const target = Math.min(
    context.bounds.maxReplicas,
    Math.max(context.bounds.minReplicas, predictive.desiredReplicas),
  );
  const outlookText =
    demand.outlook.status === 'ok'
      ? `; 6 h outlook: peak ${round(demand.outlook.peak.upper)} cores (${demand.outlook.peak.replicasNeeded ?? '?'} pods) in ${demand.outlook.peak.inHours} h, trough ${round(demand.outlook.trough.mean)} cores in ${demand.outlook.trough.inHours} h`
      : '';
  return ruleCandidate(context, impact, {
    source: 'forecast',
    target,
    wanted: predictive.desiredReplicas,
    reasoning: `${predictive.reason} (${info.result.model} forecast, ${predictive.rule})${outlookText}`,
    factors: [
      'forecast upper bound over the pod start-up lead time and look-ahead',
      'scale-down stabilisation over the next hour',
      'pod-hours saved vs scale actions',
    ],
    confidence: info.result.level,
    timing: predictive.timing,
    outlook: demand.outlook,
  });
}

/**
 * Asks the model over the metrics prompt and validates its answer. A failed call becomes `failed`;
 * only the caller's abort rethrows.
 */
async function askScalingModel(
  model: ChatModel,
  context: ScalingContext,
  hpa: HpaDesiredReplicasResult,
  demand: DemandForecast,
  impact: ImpactOf,
  past: readonly ScalingHistoryItem[] | undefined,
): Promise<ModelScalingAnswer> {
  const { options } = context;
  const prompt = buildScalingAdvicePrompt({
    recentRecommendations: past === undefined ? undefined : scalingHistoryPrompt(past),
    workload: context.workload,
    bounds: context.bounds,
    hpa,
    forecastAware: demand.aware,
    forecast: demand.outcome,
    leadSteps: context.leadSteps,
    cpuTarget: context.cpuTarget,
    now: context.now,
  });
  const started = performance.now();
  try {
    const callOptions: { timeoutMs?: number; signal?: AbortSignal } = {};
    if (options.timeoutMs !== undefined) callOptions.timeoutMs = options.timeoutMs;
    if (options.signal !== undefined) callOptions.signal = options.signal;
    const generated = await generateObject(
      model,
      {
        schema: llmScalingAdviceSchema,
        schemaName: 'scaling_advice',
        system: SYSTEM_PROMPT,
        prompt,
        temperature: 0.1,
        maxTokens: options.maxTokens ?? 700,
        maxRepairs: options.maxRepairs ?? 1,
      },
      callOptions,
    );
    const latencyMs = round(performance.now() - started, 1);
    return judgeModelAdvice(generated, latencyMs, context, impact, demand.outlook);
  } catch (error) {
    if (error instanceof AbortedError && options.signal?.aborted) throw error;
    return {
      llm: {
        status: 'failed',
        reason: errorMessage(error),
        latencyMs: round(performance.now() - started, 1),
      },
      candidate: undefined,
    };
  }
}

/** Validates the model's advice (bounds, stabilization, policies) and prices it with our impact. */
function judgeModelAdvice(
  generated: GenerateObjectResult<LlmScalingAdvice>,
  latencyMs: number,
  context: ScalingContext,
  impact: ImpactOf,
  outlook: ScalingOutlook,
): ModelScalingAnswer {
  const spend = {
    usage: generated.usage,
    calls: generated.calls,
    latencyMs,
    raw: generated.object,
    ...(generated.costUsd === undefined ? {} : { costUsd: generated.costUsd }),
  };
  // Model-written text is screened before anything else: an answer that tells someone to run a
  // command was not written as advice, whatever its numbers say.
  const screened = screenModelText(generated.object.reasoning ?? '', { maxLength: 1_000 });
  if (screened.unsafe) {
    return {
      llm: {
        status: 'invalid',
        reason: `unsafe_text: the reasoning reads as an instruction (${screened.findings.map((finding) => finding.code).join(', ')})`,
        textFindings: screened.findings,
        ...spend,
      },
      candidate: undefined,
    };
  }
  const advice =
    typeof generated.object.reasoning === 'string'
      ? { ...generated.object, reasoning: screened.text }
      : generated.object;
  const validation = validateScalingAdvice(context.workload, advice, {
    minReplicas: context.bounds.minReplicas,
    maxReplicas: context.bounds.maxReplicas,
    recommendationHistory: context.state.recommendations,
    now: context.now,
    source: 'llm',
  });
  if (!validation.ok) {
    return {
      llm: {
        status: 'invalid',
        reason: validation.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; '),
        reasons: validation.reasons,
        repairs: validation.repairs,
        ...spend,
      },
      candidate: undefined,
    };
  }
  const recommendation = validation.recommendation;
  const llmImpact = impact(recommendation.targetReplicas);
  return {
    llm: { status: 'used', repairs: validation.repairs, ...spend },
    candidate: {
      ...recommendation,
      costImpact: costLevel(llmImpact, context.current),
      performanceImpact: performanceLevel(llmImpact),
      source: 'llm',
      impact: llmImpact,
      outlook,
    },
  };
}

/**
 * Safety first: the rule answer unless the model's validated answer is not less safe than it;
 * `why` says which case applied.
 */
function chooseScaling(
  context: ScalingContext,
  rules: {
    rule: AdvisedScaling;
    hpaCandidate: AdvisedScaling;
    forecastCandidate: AdvisedScaling | undefined;
    demand: DemandForecast;
  },
  answer: ModelScalingAnswer,
): { chosen: AdvisedScaling; why: string; llm: LlmScalingOutcome } {
  const { rule, demand } = rules;
  const { llm, candidate } = answer;
  const ruleName = rule.source === 'forecast' ? 'predictive' : 'HPA-parity';
  const ruleText = `${ruleName} answer ${rule.targetReplicas}`;
  const forecastNote =
    rules.forecastCandidate === undefined && demand.info.status !== 'ok'
      ? ` (no forecast: ${demand.info.reason})`
      : '';
  if (llm.status === 'not_configured') {
    return { chosen: rule, why: `Rule answer: ${ruleText}${forecastNote}; no model configured.`, llm };
  }
  if (llm.status === 'failed') {
    return {
      chosen: rule,
      why: `Rule answer: ${ruleText}${forecastNote}; the model call failed (${llm.reason}).`,
      llm,
    };
  }
  if (llm.status === 'invalid' || candidate === undefined) {
    return {
      chosen: rule,
      why: `Rule answer: ${ruleText}${forecastNote}; the model's advice was invalid (${llm.reason ?? 'unusable'}).`,
      llm,
    };
  }
  const unsafe = unsafeReason(context, rules, candidate, ruleText);
  if (unsafe !== undefined) {
    return {
      chosen: rule,
      why: `Rule answer: ${ruleText}${forecastNote}; the model's advice was overruled because ${unsafe}.`,
      llm: { ...llm, reason: `overruled: ${unsafe}` },
    };
  }
  const repaired = (llm.repairs ?? []).filter((repair) => repair.code !== 'action_derived');
  const repairText =
    repaired.length === 0
      ? ''
      : ` after ${repaired.length} repair(s): ${repaired.map((repair) => repair.message).join('; ')}`;
  const { bounds } = context;
  return {
    chosen: candidate,
    why: `LLM answer ${candidate.targetReplicas} (${candidate.action}, confidence ${candidate.confidence}) chosen${repairText}: valid, within [${bounds.minReplicas}, ${bounds.maxReplicas}] and not less safe than the ${ruleText}.`,
    llm,
  };
}

/**
 * Why the model's answer is less safe than the rule's: below it while a scale-up is needed, or
 * leaving CPU (now or the forecast's upper bound) above the HPA target. `undefined` when safe.
 */
function unsafeReason(
  context: ScalingContext,
  rules: { rule: AdvisedScaling; hpaCandidate: AdvisedScaling },
  candidate: AdvisedScaling,
  ruleText: string,
): string | undefined {
  const { current } = context;
  const target = candidate.targetReplicas;
  if (target >= rules.rule.targetReplicas) return undefined;
  const scaleUpNeeded = rules.hpaCandidate.targetReplicas > current || rules.rule.targetReplicas > current;
  const limit = context.cpuTarget ?? HPA_DEFAULT_CPU_TARGET;
  const after = candidate.impact.cpuUtilizationAfterPercent;
  const forecastAfter = candidate.impact.forecastCpuUtilizationAfterPercent;
  if (scaleUpNeeded) return `scale-up is needed and the model's ${target} is below the ${ruleText}`;
  if (after === undefined) {
    return `the model's ${target} is below the ${ruleText} and utilization after cannot be checked without CPU samples`;
  }
  if (after > limit || (forecastAfter !== undefined && forecastAfter > limit)) {
    return `the model's ${target} would put CPU at ${after} %${
      forecastAfter === undefined ? '' : ` (forecast upper ${forecastAfter} %)`
    } of requests, above the ${limit} % target`;
  }
  return undefined;
}
