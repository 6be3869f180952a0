import { ConfigError } from '@ballast/core';
import { loadTrace, traceUtilizationPercent } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { type BacktestOptions, runBacktest } from './backtest';
import { elasticityMetrics } from './elasticity-metrics';

// Alibaba 2018, day 1 and the start of day 2 (real data, CC BY 4.0, shipped by @ballast/testkit),
// scaled to a 20-pod deployment with 0.4-core requests: demand = util% × 0.4 × 20 / 100.
const slice = traceUtilizationPercent(loadTrace('alibaba-2018-cpu'))
  .slice(0, 400)
  .map((percent) => (percent * 0.4 * 20) / 100);

const options: BacktestOptions = {
  trace: slice,
  stepSeconds: 300,
  requestsPerPodCores: 0.4,
  targetUtilization: 70,
  minReplicas: 2,
  maxReplicas: 40,
  podStartupSteps: 1,
  policies: ['hpa', 'forecast', { name: 'fixed-12', decide: async () => 12 }],
  forecast: { seasonLength: 144 },
};

describe('elasticityMetrics', () => {
  it('θ/τ by hand', () => {
    expect(elasticityMetrics([4, 4, 4, 4], [2, 4, 6, 4])).toEqual({
      underProvisioningAccuracy: 0.125,
      underProvisioningTimeshare: 0.25,
      overProvisioningAccuracy: 0.125,
      overProvisioningTimeshare: 0.25,
      steps: 4,
    });
  });
});

describe('runBacktest on a real trace slice', () => {
  it('reports bounded SPEC metrics, positive cost, and is deterministic', async () => {
    const report = await runBacktest(options);
    expect(report.steps).toBe(400);
    expect(report.policies.map((policy) => policy.name)).toEqual(['hpa', 'forecast', 'fixed-12']);
    for (const policy of report.policies) {
      const metrics = policy.metrics;
      for (const share of [
        metrics.underProvisioningAccuracy,
        metrics.underProvisioningTimeshare,
        metrics.overProvisioningTimeshare,
        metrics.sloViolationShare,
      ]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
      expect(metrics.underProvisioningTimeshare + metrics.overProvisioningTimeshare).toBeLessThanOrEqual(1);
      expect(metrics.overProvisioningAccuracy).toBeGreaterThanOrEqual(0);
      expect(metrics.podSeconds).toBeGreaterThan(0);
      expect(policy.replicas.every((replicas) => replicas >= 2 && replicas <= 40)).toBe(true);
    }
    const fixed = report.policies[2]!;
    expect(fixed.metrics.scalingActions).toBeLessThanOrEqual(1);
    expect(report.forecastError).toBeDefined();
    expect(report.forecastError!.forecaster.count).toBe(report.forecastError!.seasonalNaive.count);
    expect(report.forecastError!.forecaster.meanAbsoluteError).toBeGreaterThan(0);

    const again = await runBacktest(options);
    expect(again).toEqual(report);
  });

  it('forecast-aware under-provisions no more than HPA-parity on this slice (guarded by the reactive floor)', async () => {
    const report = await runBacktest({ ...options, policies: ['hpa', 'forecast'] });
    const [hpa, predictive] = report.policies;
    expect(predictive!.metrics.underProvisioningAccuracy).toBeLessThanOrEqual(
      hpa!.metrics.underProvisioningAccuracy,
    );
  });

  it('gives custom policies the shadow HPA answer and accepts async decisions', async () => {
    const seen: number[] = [];
    await runBacktest({
      ...options,
      trace: slice.slice(0, 20),
      policies: [
        {
          name: 'follow-hpa',
          decide: async (state) => {
            seen.push(state.hpaReplicas);
            return state.hpaReplicas;
          },
        },
      ],
    });
    expect(seen).toHaveLength(20);
    expect(seen.every((value) => Number.isInteger(value) && value >= 2)).toBe(true);
  });

  it('rejects invalid options with a ConfigError', async () => {
    await expect(runBacktest({ ...options, maxReplicas: 1 })).rejects.toThrow(ConfigError);
    await expect(runBacktest({ ...options, trace: [1, Number.POSITIVE_INFINITY] })).rejects.toThrow(
      ConfigError,
    );
    await expect(runBacktest({ ...options, trace: [1, -2] })).rejects.toThrow(ConfigError);
    await expect(runBacktest({ ...options, trace: [Number.NaN, Number.NaN] })).rejects.toThrow(ConfigError);
  });

  it('accepts gaps (NaN): simulated with the fill, left out of the scored metrics', async () => {
    const gappy = [...slice];
    for (let t = 200; t < 212; t++) gappy[t] = Number.NaN;
    const report = await runBacktest({ ...options, trace: gappy, policies: ['hpa', 'predictive'] });
    expect(report.gapSteps).toBe(12);
    expect(report.steps).toBe(400);
    for (const policy of report.policies) {
      expect(policy.metrics.scoredSteps).toBe(388);
      expect(policy.replicas).toHaveLength(400);
      expect(policy.replicas.every((replicas) => Number.isInteger(replicas))).toBe(true);
    }
  });

  it('no peeking: changing the future does not change earlier predictive decisions', async () => {
    const base = await runBacktest({ ...options, policies: ['predictive'] });
    const changed = [...slice];
    for (let t = 300; t < changed.length; t++) changed[t] = changed[t]! * 3;
    const other = await runBacktest({ ...options, trace: changed, policies: ['predictive'] });
    expect(other.policies[0]!.replicas.slice(0, 300)).toEqual(base.policies[0]!.replicas.slice(0, 300));
    expect(other.policies[0]!.replicas.slice(300)).not.toEqual(base.policies[0]!.replicas.slice(300));
  });

  it('predictive sizes to the forecast upper bound: fewer under-provisioned steps than the HPA on a daily ramp', async () => {
    // Three days of a smooth daily cycle (season 24 steps) with a little noise.
    const cycle = Array.from(
      { length: 72 },
      (_, t) => 4 + 3 * Math.sin((2 * Math.PI * t) / 24) + 0.1 * Math.cos(7 * t),
    );
    const report = await runBacktest({
      ...options,
      trace: cycle,
      forecast: { seasonLength: 24 },
      policies: ['hpa', 'predictive'],
    });
    const [hpa, predictive] = report.policies;
    expect(predictive!.metrics.underProvisioningTimeshare).toBeLessThan(
      hpa!.metrics.underProvisioningTimeshare,
    );
  });
});
