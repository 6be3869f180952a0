import { type BacktestReport, runBacktest } from '@ballast/advisor';
import { loadTrace, scaleTrace } from '@ballast/testkit';

/** The replay the /autoscaling page shows, plain JSON for a client component. */
export interface AutoscalingReplay {
  trace: string;
  stepSeconds: number;
  steps: number;
  /** Every `every`-th step, for the chart. */
  labels: string[];
  demandPods: number[];
  policies: Array<{
    name: string;
    replicas: number[];
    metrics: BacktestReport['policies'][number]['metrics'];
  }>;
}

let cached: Promise<AutoscalingReplay> | undefined;

/**
 * Two days of the Alibaba 2018 CPU trace (CC BY 4.0, bundled in the testkit) replayed through the
 * HPA's replica maths and through Ballast's forecast-aware policy: the same back-test as
 * `examples/autoscaling`, computed once per server process.
 */
export function autoscalingReplay(): Promise<AutoscalingReplay> {
  cached ??= (async () => {
    const trace = loadTrace('alibaba-2018-cpu');
    const demand = scaleTrace(trace.values, { peak: 6 }).slice(0, 576);
    const report = await runBacktest({
      trace: demand,
      stepSeconds: trace.stepSeconds,
      requestsPerPodCores: 0.5,
      targetUtilization: 70,
      minReplicas: 2,
      maxReplicas: 20,
      podStartupSteps: 1,
      policies: ['hpa', 'forecast'],
    });
    const every = 6;
    const pick = <T>(values: readonly T[]) => values.filter((_, index) => index % every === 0);
    return {
      trace: trace.name,
      stepSeconds: trace.stepSeconds,
      steps: report.steps,
      labels: pick(
        report.demandPods.map((_, index) => {
          const minutes = (index * trace.stepSeconds) / 60;
          return `d${Math.floor(minutes / 1440) + 1} ${String(Math.floor((minutes % 1440) / 60)).padStart(2, '0')}:00`;
        }),
      ),
      demandPods: pick(report.demandPods),
      policies: report.policies.map((policy) => ({
        name:
          policy.name === 'forecast'
            ? 'Ballast (forecast-aware)'
            : policy.name === 'hpa'
              ? 'HPA'
              : policy.name,
        replicas: pick(policy.replicas),
        metrics: policy.metrics,
      })),
    };
  })();
  return cached;
}
