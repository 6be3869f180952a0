/**
 * The autoscaling demo as a function, so the smoke test can run a short slice of it.
 *
 * A SIMULATION: a real CPU trace drives a simulated Deployment behind a fake Kubernetes API server
 * on 127.0.0.1 (the fake's clock is simulated: 300 s steps, no real waiting). Each step Ballast
 * collects a snapshot over HTTP with the real `collectWorkloadSnapshot`, computes what the HPA
 * would do and what it advises (`adviseScaling`), and applies its own decision to the fake with
 * `scaleDeployment({ apply: true })`.
 */

import {
  type AdviseScalingResult,
  adviseScaling,
  createEnsembleForecaster,
  elasticityMetrics,
  type ForecastOutcome,
  type HpaControllerState,
  type LlmPolicyStats,
  llmPolicy,
  runBacktest,
} from '@ballast/advisor';
import type { ChatModel } from '@ballast/core';
import { llmSettingsHelp } from '@ballast/example-shared';
import { collectWorkloadSnapshot, createHistoryRing, scaleDeployment } from '@ballast/kubernetes';
import { createWorkloadSimulator, loadTrace, scaleTrace, startFakeKubernetes } from '@ballast/testkit';

/** Options of {@link runAutoscalingDemo}. */
export interface AutoscalingDemoOptions {
  /** Trace steps to replay (300 s each). Default 576 (two days). */
  steps?: number | undefined;
  /** Where lines go. Default `console.log`. */
  log?: ((line: string) => void) | undefined;
  /** Print a step line every this many steps. Default 12 (hourly). */
  every?: number | undefined;
  /** A chat model for the LLM candidate and the `llm` back-test row. */
  model?: ChatModel | undefined;
  /** How the model was configured, or why there is none (from `modelFromEnvironment`). */
  modelDescription?: string | undefined;
  /** Per-call deadline of the model, ms. Default 20 000. */
  timeoutMs?: number | undefined;
}

/** One row of the summary table. */
export interface DemoSummaryRow {
  policy: string;
  /** θ_U: mean relative under-provisioning (fraction). */
  thetaU: number;
  /** τ_U: share of steps under-provisioned. */
  tauU: number;
  thetaO: number;
  tauO: number;
  podHours: number;
  scalingActions: number;
  meanReplicas: number;
  /** Steps with ready pods above 100 % of their CPU requests. */
  sloViolationSteps: number;
}

/** What {@link runAutoscalingDemo} returns. */
export interface AutoscalingDemoSummary {
  steps: number;
  trace: string;
  attribution: string;
  /** `hpa` and `forecast` (back-test), `llm` (back-test, with a model), `ballast-live` (this replay). */
  rows: DemoSummaryRow[];
  /** Decisions in the live replay by source. */
  decisions: { hpa: number; forecast: number; llm: number };
  /** Steps where Ballast's target differed from the HPA's. */
  disagreements: number;
  /** Scale patches sent to the fake API server. */
  patches: number;
  llmStats: LlmPolicyStats | undefined;
}

const REQUEST_CORES = 0.5;
const MEMORY_BYTES = 256 * 2 ** 20;
const TARGET = 70;
const MIN = 2;
const MAX = 20;
const PEAK_CORES = 6;
const pricing = { perCoreHourUsd: 0.0316, perGiBHourUsd: 0.0042 };

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function clock(time: number): string {
  return new Date(time).toISOString().slice(5, 16).replace('T', ' ');
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Demand cannot be negative: clamps a forecast's means and bounds at 0. */
function nonNegative(outcome: ForecastOutcome): ForecastOutcome {
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
        ...interval,
        lower: clamp(interval.lower),
        upper: clamp(interval.upper),
      })),
    })),
  };
}

/** Which policy decided and why, in that policy's own words (the `reason` column). */
function reasonOf(result: AdviseScalingResult): string {
  if (result.chosen.source === 'llm')
    return `LLM advice (validated, ${result.chosen.timing ?? 'immediate'}): ${result.chosen.reasoning}`;
  const llm =
    result.llm.status === 'not_configured'
      ? ''
      : ` [LLM ${result.llm.status}${result.llm.reason ? `: ${result.llm.reason}` : ''}]`;
  if (result.chosen.source === 'forecast' && result.predictive !== undefined) {
    const { rule, reason } = result.predictive;
    return `Ballast predictive, ${rule} (${result.chosen.timing}): ${reason.replace(/^predictive: /, '')}${llm}`;
  }
  const why =
    result.forecast.status === 'ok' ? 'forecast unusable' : `no forecast yet: ${result.forecast.reason}`;
  return `HPA parity (${why}): ${result.hpa.reason}${llm}`;
}

/**
 * Replays `steps` of the Alibaba 2018 trace (CC BY 4.0) through the fake API server, printing a line
 * every `every` steps and a back-test summary; returns the summary.
 *
 * @example
 * ```ts
 * const summary = await runAutoscalingDemo({ steps: 48, log: () => {} });
 * console.table(summary.rows);
 * ```
 */
export async function runAutoscalingDemo(
  options: AutoscalingDemoOptions = {},
): Promise<AutoscalingDemoSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const trace = loadTrace('alibaba-2018-cpu');
  const steps = Math.max(1, Math.min(options.steps ?? trace.values.length, trace.values.length));
  const every = Math.max(1, options.every ?? 12);
  const demand = scaleTrace(trace.values, { peak: PEAK_CORES }).slice(0, steps);
  const perPodTarget = (REQUEST_CORES * TARGET) / 100;
  const startReplicas = Math.min(MAX, Math.max(MIN, Math.ceil(demand[0]! / perPodTarget)));

  const sim = createWorkloadSimulator({
    name: 'web',
    namespace: 'shop',
    trace: demand,
    requestsPerPod: { cpuCores: REQUEST_CORES, memoryBytes: MEMORY_BYTES },
    startReplicas,
    podStartupSteps: 1,
    noise: 0.05,
    seed: 2018,
    hpa: { minReplicas: MIN, maxReplicas: MAX, targetCpuUtilizationPercent: TARGET },
  });
  const fake = await startFakeKubernetes({ workloads: [sim] });
  const kubeConfig = fake.kubeConfigYaml;
  const history = createHistoryRing({ capacity: 8 * 288, stepMs: sim.stepSeconds * 1000 });

  log(
    `SIMULATION — nothing touches a real cluster. Fake Kubernetes API at ${fake.url}; simulated clock, ${sim.stepSeconds} s per step.`,
  );
  log(
    `Deployment shop/web: ${REQUEST_CORES} CPU / 256 MiB requests per pod, HPA ${MIN}–${MAX} replicas at ${TARGET} % CPU; demand = ${trace.name} scaled to peak ${PEAK_CORES} cores, ${steps} steps.`,
  );
  log(
    `Model: ${options.modelDescription ?? (options.model ? `${options.model.provider}/${options.model.modelId}` : `none, rule answers only (${llmSettingsHelp})`)}`,
  );
  log('');
  log('time         demand  ready  cpu%   HPA  Ballast  reason');

  const readySeries: number[] = [];
  const replicaSeries: number[] = [];
  const demandSeries: number[] = [];
  let sloViolations = 0;
  let podSeconds = 0;
  let scalingActions = 0;
  let patches = 0;
  let disagreements = 0;
  const decisions = { hpa: 0, forecast: 0, llm: 0 };
  let state: HpaControllerState | undefined;
  // A live forecaster fed each new CPU sample once (a deployed advisor keeps one per workload):
  // adviseScaling would otherwise re-run the ensemble over the whole history at every step.
  const forecaster = createEnsembleForecaster({ horizonSteps: 72, stepSeconds: sim.stepSeconds });
  let lastSampleTime = Number.NEGATIVE_INFINITY;

  try {
    for (let step = 0; step < steps; step++) {
      const snapshot = await collectWorkloadSnapshot({
        kubeConfig,
        namespace: 'shop',
        deployment: 'web',
        history,
        now: () => sim.now(),
        timeoutMs: 10_000,
      });
      const simState = sim.current();
      const cpu = snapshot.history.cpuCores;
      for (let index = 0; index < (cpu?.values.length ?? 0); index++) {
        if (cpu!.timestamps[index]! <= lastSampleTime) continue;
        forecaster.observe(cpu!.values[index]!);
        lastSampleTime = cpu!.timestamps[index]!;
      }
      const result = await adviseScaling({
        workload: snapshot,
        model: options.model,
        history: { state },
        demandForecast: nonNegative(forecaster.forecast()),
        forecastOptions: { leadSteps: 1, stepSeconds: sim.stepSeconds },
        pricing,
        options: { timeoutMs: options.timeoutMs ?? 20_000 },
      });
      state = result.state;
      const current = snapshot.deployment.replicas.desired;
      const target = result.chosen.targetReplicas;
      decisions[result.chosen.source]++;
      if (target !== result.candidates.hpa.targetReplicas) disagreements++;

      const ready = snapshot.state.readyPods;
      const utilization =
        ready > 0 ? (100 * simState.demandCores) / (ready * REQUEST_CORES) : Number.POSITIVE_INFINITY;
      if (utilization > 100) sloViolations++;
      podSeconds += snapshot.pods.filter((pod) => !pod.ignored).length * sim.stepSeconds;
      readySeries.push(ready);
      demandSeries.push(simState.demandCores);

      if (target !== current) {
        // Applied to the fake API server: a simulation, never a real cluster.
        await scaleDeployment({
          kubeConfig,
          namespace: 'shop',
          deployment: 'web',
          replicas: target,
          apply: true,
        });
        patches++;
        scalingActions++;
      }
      replicaSeries.push(target);

      if (step % every === 0 || step === steps - 1) {
        const util = Number.isFinite(utilization) ? `${utilization.toFixed(0).padStart(4)}` : ' inf';
        log(
          `${clock(simState.time)}  ${simState.demandCores.toFixed(2).padStart(6)}  ${String(ready).padStart(2)}/${String(current).padEnd(2)}  ${util}  ${String(
            result.candidates.hpa.targetReplicas,
          ).padStart(
            4,
          )}  ${String(target).padStart(4)} ${result.chosen.source.padEnd(8)} ${shorten(reasonOf(result), 110)}`,
        );
      }
      sim.step();
    }
  } finally {
    await fake.close();
  }

  // The same demand in the back-test simulator: HPA parity vs Ballast's predictive policy (vs the LLM).
  const llm = options.model
    ? llmPolicy(options.model, { options: { timeoutMs: options.timeoutMs ?? 20_000 }, pricing })
    : undefined;
  const report = await runBacktest({
    trace: demand,
    stepSeconds: sim.stepSeconds,
    requestsPerPodCores: REQUEST_CORES,
    targetUtilization: TARGET,
    minReplicas: MIN,
    maxReplicas: MAX,
    initialReplicas: startReplicas,
    podStartupSteps: 1,
    policies: llm ? ['hpa', 'predictive', llm] : ['hpa', 'predictive'],
  });
  const rows: DemoSummaryRow[] = report.policies.map((policy) => ({
    policy: policy.name,
    thetaU: round(policy.metrics.underProvisioningAccuracy),
    tauU: round(policy.metrics.underProvisioningTimeshare),
    thetaO: round(policy.metrics.overProvisioningAccuracy),
    tauO: round(policy.metrics.overProvisioningTimeshare),
    podHours: round(policy.metrics.podSeconds / 3600, 1),
    scalingActions: policy.metrics.scalingActions,
    meanReplicas: round(policy.metrics.meanReplicas, 2),
    sloViolationSteps: policy.metrics.sloViolationSteps,
  }));
  const demandPods = demandSeries.map((value) => Math.max(1, Math.ceil(value / perPodTarget - 1e-9)));
  const live = elasticityMetrics(demandPods, readySeries);
  rows.push({
    policy: 'ballast-live',
    thetaU: round(live.underProvisioningAccuracy),
    tauU: round(live.underProvisioningTimeshare),
    thetaO: round(live.overProvisioningAccuracy),
    tauO: round(live.overProvisioningTimeshare),
    podHours: round(podSeconds / 3600, 1),
    scalingActions,
    meanReplicas: round(replicaSeries.reduce((sum, value) => sum + value, 0) / steps, 2),
    sloViolationSteps: sloViolations,
  });

  log('');
  log(`Summary over ${steps} steps (${((steps * sim.stepSeconds) / 3600).toFixed(1)} h simulated):`);
  log('policy        θ_U     τ_U     θ_O     τ_O     pod-h  actions  mean pods  SLO steps');
  for (const row of rows) {
    log(
      `${row.policy.padEnd(12)} ${row.thetaU.toFixed(3).padStart(6)}  ${row.tauU.toFixed(3).padStart(6)}  ${row.thetaO
        .toFixed(3)
        .padStart(6)}  ${row.tauO.toFixed(3).padStart(6)}  ${row.podHours.toFixed(1).padStart(6)}  ${String(
        row.scalingActions,
      ).padStart(
        7,
      )}  ${row.meanReplicas.toFixed(2).padStart(9)}  ${String(row.sloViolationSteps).padStart(9)}`,
    );
  }
  log(
    'θ_U/θ_O: mean relative under/over-provisioning vs ceil(demand / (request × target)) pods; τ: share of steps; SLO step: ready pods above 100 % of CPU requests.',
  );
  log(
    'hpa/predictive/llm rows: runBacktest on the same demand; ballast-live: this replay (HTTP collection, patches, simulator with 5 % noise).',
  );
  log(
    `Live decisions: ${decisions.hpa} HPA-parity, ${decisions.forecast} predictive, ${decisions.llm} LLM; ${disagreements} differed from the HPA; ${patches} scale patches applied to the fake.`,
  );
  const llmStats = llm?.stats();
  if (llmStats) {
    log(
      `LLM back-test: ${llmStats.valid}/${llmStats.steps} valid (${llmStats.repaired} repaired), ${llmStats.chosen} chosen, ${llmStats.overruled} overruled, ${llmStats.failed} failed, ${llmStats.invalid} invalid; agreement with HPA ${(llmStats.agreementWithHpa * 100).toFixed(0)} %; ${llmStats.inputTokens}/${llmStats.outputTokens} tokens${llmStats.costUsd === undefined ? '' : `, $${llmStats.costUsd.toFixed(4)}`}.`,
    );
  } else {
    log(`No LLM row (${llmSettingsHelp}).`);
  }
  log(`Trace: ${trace.attribution}`);
  return {
    steps,
    trace: trace.name,
    attribution: trace.attribution,
    rows,
    decisions,
    disagreements,
    patches,
    llmStats,
  };
}
