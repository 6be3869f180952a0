/**
 * Back-test of HPA-parity vs forecast-aware autoscaling on the real traces shipped with
 * @ballast/testkit (four days each of Alibaba 2018, Google 2019, Azure 2019; CC BY 4.0,
 * DataCenter-Traces-Datasets by Alejandro Fernández, DOI 10.5281/zenodo.14564847).
 *
 *   pnpm bench autoscaling
 */

import { llmPolicy, runBacktest } from '@ballast/advisor';
import { loadTrace, traceNames, traceUtilizationPercent } from '@ballast/testkit';

/** Deployment the utilisation traces are mapped onto: 20 pods × 0.4-core requests at 100 %. */
const BASE_PODS = 20;
const REQUEST_CORES = 0.4;
const TARGET_UTILIZATION = 70;

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

export default async function run(): Promise<{
  name: string;
  rows: Array<Record<string, string | number>>;
  notes?: string[];
}> {
  const rows: Array<Record<string, string | number>> = [];
  const notes: string[] = [
    `demand (cores) = util% × ${REQUEST_CORES} cores × ${BASE_PODS} pods / 100; request ${REQUEST_CORES} cores/pod, target ${TARGET_UTILIZATION} %, min 2, max 60 replicas, pods ready 1 step (300 s) after a scale-up, HPA legacy path (no behavior), tolerance 0.1.`,
    'ballast = adviseScaling() per step on a snapshot of the simulated workload, no model: the forecast-aware answer when the forecast is usable, else HPA parity (what a deployment without an LLM key applies).',
    'forecast = forecast-aware policy: auto model (Holt-Winters with a daily season once 2 days are known, linear trend on the last 3 h before), 90 % intervals, upper bound for scale-up, lower for scale-down, never below the reactive HPA.',
    'SPEC demand = ceil(demand / (request × target)) pods, supply = ready pods. θ/τ are fractions (×100 for percent). SLO violation = utilization of ready pods > 100 % of requests.',
    'fcMAE/fcSMAPE: 1-step-ahead mean of the forecaster; naiveMAE/naiveSMAPE: seasonal-naive (daily) on the same steps; cov = 90 % interval coverage.',
    'Traces: real, CC BY 4.0, DataCenter-Traces-Datasets (A. Fernández, DOI 10.5281/zenodo.14564847); Alibaba util% as is, Google avg_cpu × 100, Azure cpu_usage as % of its peak.',
  ];
  for (const name of traceNames) {
    const trace = loadTrace(name);
    const demand = traceUtilizationPercent(trace).map(
      (percent) => (percent * REQUEST_CORES * BASE_PODS) / 100,
    );
    const report = await runBacktest({
      trace: demand,
      stepSeconds: trace.stepSeconds,
      requestsPerPodCores: REQUEST_CORES,
      targetUtilization: TARGET_UTILIZATION,
      minReplicas: 2,
      maxReplicas: 60,
      podStartupSteps: 1,
      // `ballast` = adviseScaling end to end without a model (the rule answer it would apply).
      policies: ['hpa', 'forecast', llmPolicy(undefined, { name: 'ballast' })],
    });
    const error = report.forecastError;
    for (const policy of report.policies) {
      const metrics = policy.metrics;
      rows.push({
        trace: name,
        steps: report.steps,
        policy: policy.name,
        thetaU: round(metrics.underProvisioningAccuracy),
        tauU: round(metrics.underProvisioningTimeshare),
        thetaO: round(metrics.overProvisioningAccuracy),
        tauO: round(metrics.overProvisioningTimeshare),
        podHours: round(metrics.podSeconds / 3600, 1),
        actions: metrics.scalingActions,
        meanReplicas: round(metrics.meanReplicas, 2),
        maxUtil: round(metrics.maxUtilizationPercent, 1),
        meanUtil: round(metrics.meanUtilizationPercent, 1),
        sloSteps: metrics.sloViolationSteps,
        fcMAE: error === undefined ? 'n/a' : round(error.forecaster.meanAbsoluteError),
        fcSMAPE:
          error === undefined ? 'n/a' : round(error.forecaster.symmetricMeanAbsolutePercentageError, 2),
        fcCov: error === undefined ? 'n/a' : round(error.forecaster.intervalCoverage, 3),
        naiveMAE: error === undefined ? 'n/a' : round(error.seasonalNaive.meanAbsoluteError),
        naiveSMAPE:
          error === undefined ? 'n/a' : round(error.seasonalNaive.symmetricMeanAbsolutePercentageError, 2),
        naiveCov: error === undefined ? 'n/a' : round(error.seasonalNaive.intervalCoverage, 3),
        errorSteps: error === undefined ? 0 : error.forecaster.count,
      });
    }
  }
  return { name: 'autoscaling-backtest', rows, notes };
}
