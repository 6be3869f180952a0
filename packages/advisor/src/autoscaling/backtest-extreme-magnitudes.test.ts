import { ConfigError, ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { seasonalWithNoise } from '../forecast/synthetic-series.test-helper';
import { type BacktestOptions, type BacktestReport, runBacktest } from './backtest';

// Demand of extreme magnitude over a request of the same magnitude is the same deployment: the
// replay must give the same replicas and metrics, and forecast errors in the trace's own units,
// finite (the ensemble's squared errors overflowed at 1e200 and underflowed at 1e-200 before).
const hourly = 24;
// Demand in [1, 2) cores, so a trace × 2^k is forecast at exactly 2^k: the same forecasts bit for
// bit (the ensemble is scale-equivariant only to about 1e-9 between scales, which can flip a pod).
const trace = seasonalWithNoise(4 * hourly, { seasonLength: hourly, seed: 11 }).map((value) => value / 16);
const base: BacktestOptions = {
  trace,
  stepSeconds: 3600,
  requestsPerPodCores: 0.5 / 16,
  targetUtilization: 70,
  minReplicas: 1,
  maxReplicas: 100,
  podStartupSteps: 2,
  policies: ['hpa', 'forecast', 'predictive'],
};

function scaledRun(scale: number): Promise<BacktestReport> {
  return runBacktest({
    ...base,
    trace: trace.map((value) => value * scale),
    requestsPerPodCores: base.requestsPerPodCores * scale,
  });
}

function expectFinite(report: BacktestReport): void {
  for (const policy of report.policies)
    for (const value of Object.values(policy.metrics)) expect(Number.isFinite(value)).toBe(true);
  const errors = report.forecastError;
  expect(errors).toBeDefined();
  for (const side of [errors!.forecaster, errors!.seasonalNaive])
    for (const value of Object.values(side)) expect(Number.isFinite(value)).toBe(true);
}

describe('runBacktest: extreme magnitudes', () => {
  it.each([664, -664, 997, 1010, -1000])(
    'demand and request × 2^%i replay the same deployment, forecast errors scaled',
    async (exponent) => {
      const scale = 2 ** exponent;
      const unit = await runBacktest(base);
      const scaled = await scaledRun(scale);
      expectFinite(scaled);
      expect(scaled.demandPods).toEqual(unit.demandPods);
      // The predictive policy sizes from the forecast alone: the same replicas. The HPA counts
      // integer millicores (as Kubernetes does), so 'hpa' and 'forecast' are not scale-free.
      expect(scaled.policies[2]!.replicas).toEqual(unit.policies[2]!.replicas);
      const errors = scaled.forecastError!;
      const unitErrors = unit.forecastError!;
      expect(errors.forecaster.meanAbsoluteError / scale).toBeCloseTo(
        unitErrors.forecaster.meanAbsoluteError,
        9,
      );
      expect(errors.seasonalNaive.meanAbsoluteError / scale).toBeCloseTo(
        unitErrors.seasonalNaive.meanAbsoluteError,
        9,
      );
      expect(errors.forecaster.intervalCoverage).toBe(unitErrors.forecaster.intervalCoverage);
      expect(errors.forecaster.symmetricMeanAbsolutePercentageError).toBeCloseTo(
        unitErrors.forecaster.symmetricMeanAbsolutePercentageError,
        9,
      );
    },
  );

  it('mixed 1e-200 and 1e200 demand gives finite metrics and errors', async () => {
    expectFinite(
      await runBacktest({
        ...base,
        trace: trace.map((value, index) => value * (index % 5 === 0 ? 1e-200 : 1e200)),
        requestsPerPodCores: 1e200 / 16,
      }),
    );
  });

  it('demand near Number.MAX_VALUE is refused with a typed error, not a RangeError', async () => {
    const peak = Math.max(...trace);
    let report: BacktestReport;
    try {
      report = await runBacktest({
        ...base,
        trace: trace.map((value) => (value / peak) * Number.MAX_VALUE),
        requestsPerPodCores: Number.MAX_VALUE / 40,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe('trace');
      return;
    }
    expectFinite(report);
  });

  it('demand near 1e300 with the forecast policies: finite metrics and errors, or a ValidationError', async () => {
    let report: BacktestReport;
    try {
      report = await runBacktest({
        ...base,
        trace: trace.map((value) => value * 1e300),
        requestsPerPodCores: 1e298,
        maxReplicas: 1000,
        policies: ['forecast', 'predictive'],
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return;
    }
    expectFinite(report);
  });
});
