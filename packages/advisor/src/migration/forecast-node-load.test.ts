import { describe, expect, it } from 'vitest';
import { computeNodeTrends, summarizeSeries, trendValueAt } from '../forecast/trend';
import { GiB, HOUR, hourly, makeCluster, T0 } from './__fixtures__/snapshots';
import { forecastConfidence, forecastNodeLoad, predictIssues } from './forecast-node-load';

describe('trends', () => {
  it('summarises recent vs period averages and the slope', () => {
    const trend = summarizeSeries(hourly(48, (hour) => hour))!;
    expect(trend.samples).toBe(48);
    expect(trend.spanHours).toBe(47);
    expect(trend.current).toBe(47);
    expect(trend.periodMean).toBeCloseTo(23.5, 10);
    expect(trend.recentWindowHours).toBeCloseTo(11.75, 10);
    expect(trend.recentMean).toBeCloseTo(41.5, 10);
    expect(trend.slopePerHour).toBeCloseTo(1, 10);
    expect(trend.rSquared).toBeCloseTo(1, 10);
    expect(trendValueAt(trend, T0 + HOUR)).toBeCloseTo(48, 6);
    expect(summarizeSeries(undefined)).toBeUndefined();
    expect(summarizeSeries({ timestamps: [1, 2], values: [Number.NaN, 3] })!.samples).toBe(1);
  });

  it('computes node trends as fractions of capacity', () => {
    const snapshot = makeCluster(
      {
        a: { cores: 10, memGiB: 100, series: { cpuCores: hourly(24, () => 5) } },
        b: { cores: 10, memGiB: 100 },
      },
      {},
    );
    const [a, b] = computeNodeTrends(snapshot);
    expect(a!.cpu!.current).toBeCloseTo(0.5, 10);
    expect(a!.cpuRecentChange).toBeCloseTo(0, 10);
    expect(b).toEqual({ node: 'b' });
  });
});

describe('forecastNodeLoad and predictIssues', () => {
  // pve2 memory rises 0.5 pp per hour from 60 %; pve1 is flat; pve3 is already above 85 % CPU.
  const snapshot = makeCluster(
    {
      pve1: { cores: 16, memGiB: 100, series: { memoryUsedBytes: hourly(48, () => 40 * GiB) } },
      pve2: {
        cores: 16,
        memGiB: 100,
        series: { memoryUsedBytes: hourly(48, (hour) => (60 + hour * 0.5) * GiB) },
      },
      pve3: { cores: 10, memGiB: 100, series: { cpuCores: hourly(48, () => 9) } },
      pve4: { cores: 16, memGiB: 100, series: { memoryUsedBytes: hourly(6, (hour) => (80 + hour) * GiB) } },
    },
    {},
  );

  it('projects along the fitted line with a confidence', () => {
    const forecasts = forecastNodeLoad(snapshot, { horizonHours: 24 });
    expect(forecasts.map((entry) => `${entry.node}:${entry.metric}`)).toEqual([
      'pve1:memory',
      'pve2:memory',
      'pve3:cpu',
    ]);
    const pve2 = forecasts[1]!;
    expect(pve2.current).toBeCloseTo(0.835, 6);
    expect(pve2.predicted).toBeCloseTo(0.835 + 0.12, 6);
    expect(pve2.crossesAt).toBe(T0 + 3 * HOUR);
    expect(pve2.confidence).toBeCloseTo(1, 6);
    expect(forecasts[0]!.crossesAt).toBeUndefined();
  });

  it('reports issues sorted by time, with severity and plain descriptions', () => {
    const issues = predictIssues(snapshot, { horizonHours: 24 });
    expect(issues).toEqual([
      expect.objectContaining({
        node: 'pve3',
        metric: 'cpu',
        expectedAt: T0,
        confidence: 1,
        source: 'rule',
        severity: 'high',
      }),
      expect.objectContaining({
        node: 'pve2',
        metric: 'memory',
        expectedAt: T0 + 3 * HOUR,
        severity: 'critical',
      }),
    ]);
    expect(issues[1]!.description).toBe(
      'pve2 memory 84 % rising 0.5 pp/h: reaches 85 % in about 3 h (95 % in 24 h, R² 1.00)',
    );
    expect(issues[0]!.description).toBe('pve3 cpu already at 90 % (threshold 80 %)');
  });

  it('lowers confidence for short series and long horizons', () => {
    expect(forecastConfidence({ rSquared: 1, samples: 24, spanHours: 24 }, 24)).toBeCloseTo(0.5, 10);
    expect(forecastConfidence({ rSquared: 1, samples: 96, spanHours: 12 }, 48)).toBeCloseTo(0.25, 10);
    expect(forecastConfidence({ rSquared: 0.4, samples: 96, spanHours: 96 }, 24)).toBeCloseTo(0.4, 10);
  });
});
