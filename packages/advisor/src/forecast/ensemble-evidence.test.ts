import { createRandom } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { createEnsembleForecaster } from './ensemble-forecaster';
import { decayingSpikes } from './synthetic-series.test-helper';

describe('ensemble members that wait for evidence', () => {
  it('recent-median serves the first day, before any seasonal member can', () => {
    const forecaster = createEnsembleForecaster({
      horizonSteps: 12,
      seasonLength: 1000,
      members: ['last-value', 'seasonal-naive', 'median-regression', 'recent-median'],
    });
    for (const value of decayingSpikes(600, 5)) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.weights![0]!['recent-median']).toBeGreaterThan(0.5);
    expect(outcome.weights![0]!['median-regression']).toBe(0);
    expect(outcome.weights![0]!['seasonal-naive']).toBe(0);
  });

  it('direct-regression forecasts at short horizons and stays out where n/h independent changes are too few', () => {
    const season = 100;
    const noise = createRandom(6).next;
    const series = Array.from(
      { length: 6 * season },
      (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / season) + noise(),
    );
    const forecaster = createEnsembleForecaster({
      horizonSteps: 50,
      seasonLength: season,
      members: ['direct-regression'],
    });
    for (const value of series) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    // Alone, the member has all the weight where it forecasts and none where it does not.
    expect(outcome.weights![0]!['direct-regression']).toBe(1);
    // The discounted count stays below 1.44 × season = 144 origins: fewer than the 5 × 6 × 50 that n / h ≥ 30 needs at h = 50.
    expect(outcome.weights![49]!['direct-regression']).toBe(0);
    expect(outcome.points[49]!.mean).toBe(series.at(-1));
  });
});
