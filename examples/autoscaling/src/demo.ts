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
import {
  createWorkloadSimulator,
  loadTrace,
  scaleTrace,
  startFakeKubernetes,
  type WorkloadSimulator,
} from '@ballast/testkit';

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
  const demand = scaleTrace(trace.values, { peak: PEAK_CORES }).slice(0, steps);
  const startReplicas = Math.min(MAX, Math.max(MIN, Math.ceil(demand[0]! / PER_POD_TARGET)));
  const sim = createDemoWorkload(demand, startReplicas);
  const fake = await startFakeKubernetes({ workloads: [sim] });

  printHeader(log, { url: fake.url, stepSeconds: sim.stepSeconds, traceName: trace.name, steps, options });
  let live: LiveTally;
  try {
    live = await replayLive(fake.kubeConfigYaml, sim, steps, Math.max(1, options.every ?? 12), options, log);
  } finally {
    await fake.close();
  }

  // The same demand in the back-test simulator: HPA parity vs Ballast's predictive policy (vs the LLM).
  const llm = options.model
    ? llmPolicy(options.model, { options: { timeoutMs: options.timeoutMs ?? 20_000 }, pricing })
    : undefined;
  const rows = [...(await backtestRows(demand, sim.stepSeconds, startReplicas, llm)), liveRow(live)];
  const llmStats = llm?.stats();
  printSummary(log, {
    rows,
    live,
    steps,
    stepSeconds: sim.stepSeconds,
    llmStats,
    attribution: trace.attribution,
  });
  return {
    steps,
    trace: trace.name,
    attribution: trace.attribution,
    rows,
    decisions: live.decisions,
    disagreements: live.disagreements,
    patches: live.patches,
    llmStats,
  };
}

const PER_POD_TARGET = (REQUEST_CORES * TARGET) / 100;

function createDemoWorkload(demand: number[], startReplicas: number): WorkloadSimulator {
  return createWorkloadSimulator({
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
}

function printHeader(
  log: (line: string) => void,
  run: {
    url: string;
    stepSeconds: number;
    traceName: string;
    steps: number;
    options: AutoscalingDemoOptions;
  },
): void {
  const { options } = run;
  log(
    `SIMULATION — nothing touches a real cluster. Fake Kubernetes API at ${run.url}; simulated clock, ${run.stepSeconds} s per step.`,
  );
  log(
    `Deployment shop/web: ${REQUEST_CORES} CPU / 256 MiB requests per pod, HPA ${MIN}–${MAX} replicas at ${TARGET} % CPU; demand = ${run.traceName} scaled to peak ${PEAK_CORES} cores, ${run.steps} steps.`,
  );
  log(
    `Model: ${options.modelDescription ?? (options.model ? `${options.model.provider}/${options.model.modelId}` : `none, rule answers only (${llmSettingsHelp})`)}`,
  );
  log('');
  log('time         demand  ready  cpu%   HPA  Ballast  reason');
}

/** What the live replay saw, step by step and in total. */
interface LiveTally {
  readySeries: number[];
  replicaSeries: number[];
  demandSeries: number[];
  sloViolations: number;
  podSeconds: number;
  patches: number;
  disagreements: number;
  decisions: { hpa: number; forecast: number; llm: number };
}

/**
 * Each step: collect a snapshot over HTTP, ask `adviseScaling`, apply its decision to the fake
 * and advance the simulator.
 */
async function replayLive(
  kubeConfig: string,
  sim: WorkloadSimulator,
  steps: number,
  every: number,
  options: AutoscalingDemoOptions,
  log: (line: string) => void,
): Promise<LiveTally> {
  const tally: LiveTally = {
    readySeries: [],
    replicaSeries: [],
    demandSeries: [],
    sloViolations: 0,
    podSeconds: 0,
    patches: 0,
    disagreements: 0,
    decisions: { hpa: 0, forecast: 0, llm: 0 },
  };
  const target = { kubeConfig, namespace: 'shop', deployment: 'web' };
  const history = createHistoryRing({ capacity: 8 * 288, stepMs: sim.stepSeconds * 1000 });
  // A live forecaster fed each new CPU sample once (a deployed advisor keeps one per workload):
  // adviseScaling would otherwise re-run the ensemble over the whole history at every step.
  const forecaster = createEnsembleForecaster({ horizonSteps: 72, stepSeconds: sim.stepSeconds });
  let lastSampleTime = Number.NEGATIVE_INFINITY;
  let state: HpaControllerState | undefined;

  for (let step = 0; step < steps; step++) {
    const snapshot = await collectWorkloadSnapshot({
      ...target,
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
    const replicas = result.chosen.targetReplicas;
    tally.decisions[result.chosen.source]++;
    if (replicas !== result.candidates.hpa.targetReplicas) tally.disagreements++;

    const ready = snapshot.state.readyPods;
    const utilization =
      ready > 0 ? (100 * simState.demandCores) / (ready * REQUEST_CORES) : Number.POSITIVE_INFINITY;
    if (utilization > 100) tally.sloViolations++;
    tally.podSeconds += snapshot.pods.filter((pod) => !pod.ignored).length * sim.stepSeconds;
    tally.readySeries.push(ready);
    tally.demandSeries.push(simState.demandCores);
    if (replicas !== current) {
      // Applied to the fake API server: a simulation, never a real cluster.
      await scaleDeployment({ ...target, replicas, apply: true });
      tally.patches++;
    }
    tally.replicaSeries.push(replicas);

    if (step % every === 0 || step === steps - 1) {
      log(stepLine(simState.time, simState.demandCores, ready, current, utilization, result));
    }
    sim.step();
  }
  return tally;
}

function stepLine(
  time: number,
  demandCores: number,
  ready: number,
  current: number,
  utilization: number,
  result: AdviseScalingResult,
): string {
  const util = Number.isFinite(utilization) ? `${utilization.toFixed(0).padStart(4)}` : ' inf';
  const hpa = String(result.candidates.hpa.targetReplicas).padStart(4);
  const chosen = `${String(result.chosen.targetReplicas).padStart(4)} ${result.chosen.source.padEnd(8)}`;
  return `${clock(time)}  ${demandCores.toFixed(2).padStart(6)}  ${String(ready).padStart(2)}/${String(current).padEnd(2)}  ${util}  ${hpa}  ${chosen} ${shorten(reasonOf(result), 110)}`;
}

async function backtestRows(
  demand: number[],
  stepSeconds: number,
  startReplicas: number,
  llm: ReturnType<typeof llmPolicy> | undefined,
): Promise<DemoSummaryRow[]> {
  const report = await runBacktest({
    trace: demand,
    stepSeconds,
    requestsPerPodCores: REQUEST_CORES,
    targetUtilization: TARGET,
    minReplicas: MIN,
    maxReplicas: MAX,
    initialReplicas: startReplicas,
    podStartupSteps: 1,
    policies: llm ? ['hpa', 'predictive', llm] : ['hpa', 'predictive'],
  });
  return report.policies.map((policy) => ({
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
}

/** The live replay scored on the same yardstick as the back-test rows. */
function liveRow(live: LiveTally): DemoSummaryRow {
  const demandPods = live.demandSeries.map((value) => Math.max(1, Math.ceil(value / PER_POD_TARGET - 1e-9)));
  const metrics = elasticityMetrics(demandPods, live.readySeries);
  const steps = live.replicaSeries.length;
  return {
    policy: 'ballast-live',
    thetaU: round(metrics.underProvisioningAccuracy),
    tauU: round(metrics.underProvisioningTimeshare),
    thetaO: round(metrics.overProvisioningAccuracy),
    tauO: round(metrics.overProvisioningTimeshare),
    podHours: round(live.podSeconds / 3600, 1),
    scalingActions: live.patches,
    meanReplicas: round(live.replicaSeries.reduce((sum, value) => sum + value, 0) / steps, 2),
    sloViolationSteps: live.sloViolations,
  };
}

function printSummary(
  log: (line: string) => void,
  run: {
    rows: DemoSummaryRow[];
    live: LiveTally;
    steps: number;
    stepSeconds: number;
    llmStats: LlmPolicyStats | undefined;
    attribution: string;
  },
): void {
  const { live, llmStats } = run;
  log('');
  log(`Summary over ${run.steps} steps (${((run.steps * run.stepSeconds) / 3600).toFixed(1)} h simulated):`);
  log('policy        θ_U     τ_U     θ_O     τ_O     pod-h  actions  mean pods  SLO steps');
  for (const row of run.rows) log(summaryLine(row));
  log(
    'θ_U/θ_O: mean relative under/over-provisioning vs ceil(demand / (request × target)) pods; τ: share of steps; SLO step: ready pods above 100 % of CPU requests.',
  );
  log(
    'hpa/predictive/llm rows: runBacktest on the same demand; ballast-live: this replay (HTTP collection, patches, simulator with 5 % noise).',
  );
  log(
    `Live decisions: ${live.decisions.hpa} HPA-parity, ${live.decisions.forecast} predictive, ${live.decisions.llm} LLM; ${live.disagreements} differed from the HPA; ${live.patches} scale patches applied to the fake.`,
  );
  if (llmStats) {
    log(
      `LLM back-test: ${llmStats.valid}/${llmStats.steps} valid (${llmStats.repaired} repaired), ${llmStats.chosen} chosen, ${llmStats.overruled} overruled, ${llmStats.failed} failed, ${llmStats.invalid} invalid; agreement with HPA ${(llmStats.agreementWithHpa * 100).toFixed(0)} %; ${llmStats.inputTokens}/${llmStats.outputTokens} tokens${llmStats.costUsd === undefined ? '' : `, $${llmStats.costUsd.toFixed(4)}`}.`,
    );
  } else {
    log(`No LLM row (${llmSettingsHelp}).`);
  }
  log(`Trace: ${run.attribution}`);
}

function summaryLine(row: DemoSummaryRow): string {
  const cells = [
    row.policy.padEnd(12),
    row.thetaU.toFixed(3).padStart(6),
    ` ${row.tauU.toFixed(3).padStart(6)}`,
    ` ${row.thetaO.toFixed(3).padStart(6)}`,
    ` ${row.tauO.toFixed(3).padStart(6)}`,
    ` ${row.podHours.toFixed(1).padStart(6)}`,
    ` ${String(row.scalingActions).padStart(7)}`,
    ` ${row.meanReplicas.toFixed(2).padStart(9)}`,
    ` ${String(row.sloViolationSteps).padStart(9)}`,
  ];
  return cells.join(' ');
}
