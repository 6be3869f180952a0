import { ConfigError } from '@ballast/core';
import { createRandom } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { createEnsembleForecaster } from './ensemble-forecaster';
import { defaultEnsembleMembers } from './ensemble-members';
import { normalQuantile } from './quantiles';
import { evaluateForecasterRolling } from './rolling-evaluation';
import { decayingSpikes } from './synthetic-series.test-helper';

/** Box-Muller normals from testkit's seeded PRNG, so every run sees the same series. */
function gaussian(seed: number): () => number {
  const uniform = createRandom(seed).next;
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

const m = 24;

/** Daily shape plus AR(1) noise: last-value wins at 1 step, the season at half a day. */
function seasonalWithPersistentNoise(days: number, seed: number): number[] {
  const noise = gaussian(seed);
  let deviation = 0;
  return Array.from({ length: days * m }, (_, t) => {
    deviation = 0.8 * deviation + 0.6 * noise();
    return 20 + 6 * Math.sin((2 * Math.PI * t) / m) + deviation;
  });
}

describe('createEnsembleForecaster', () => {
  it.each([1, 2, 3])(
    'on skewed increments (decaying spikes, seed %i) it beats last-value at 1 step: weights are fitted for absolute error',
    (seed) => {
      const [oneStep] = evaluateForecasterRolling(decayingSpikes(12 * m, seed), {
        seasonLength: m,
        horizons: [1],
      });
      expect(oneStep!.meanAbsoluteError).toBeLessThan(oneStep!.lastValueMeanAbsoluteError);
    },
  );

  it('before 20 forecasts are scored, intervals are the random-walk spread of the steps seen (no early extremes)', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 4, seasonLength: m });
    // Steps of ±1: the root-mean-square step is exactly 1.
    for (const value of [10, 11, 10, 11, 10, 11, 10, 11]) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    const first = outcome.points[0]!;
    const oneStep = first.upper - first.mean;
    // z of the 90 % level times σ_Δ·√h, give or take each horizon's adaptive conformal correction
    // of its level so far (a few hundredths).
    for (const point of outcome.points) {
      const expected = normalQuantile(0.95) * Math.sqrt(point.step);
      expect(Math.abs((point.upper - point.mean) / expected - 1)).toBeLessThan(0.05);
      expect(point.upper - point.mean).toBeCloseTo(point.mean - point.lower, 9);
    }
    expect(oneStep).toBeGreaterThan(0);
  });

  it.each([1, 2, 3])(
    'intervals are symmetric while few independent errors fall outside them, and follow the skew once many do (seed %i)',
    (seed) => {
      // 12 days of 24 steps; a 200-step window: at 1 step ~20 independent errors fall outside the
      // 90 % interval, at 10 steps fewer than 5 (n / h × α ≈ 2.8), so only the 1-step tails are separate.
      const forecaster = createEnsembleForecaster({
        horizonSteps: 10,
        seasonLength: m,
        residualWindowSteps: 200,
      });
      for (const value of decayingSpikes(12 * m, seed)) forecaster.observe(value);
      const outcome = forecaster.forecast();
      if (outcome.status !== 'ok') throw new Error('expected a forecast');
      const oneStep = outcome.points[0]!;
      const long = outcome.points[9]!;
      expect(long.upper - long.mean).toBeCloseTo(long.mean - long.lower, 9);
      const [above, below] = [oneStep.upper - oneStep.mean, oneStep.mean - oneStep.lower];
      expect(Math.abs(above - below)).toBeGreaterThan(0.1 * (above + below));
    },
  );

  it('a long horizon keeps 40 of its own independent errors: a level drop three days ago still widens it', () => {
    const uniform = createRandom(7).next;
    // A drop of 10 on day 2, then four calm days (noise ±0.25): the 2-season window has forgotten
    // the drop, the 12-step window (40 × 12 = 480 steps) has not.
    const series = Array.from({ length: 6 * m }, (_, t) => (t < 2 * m ? 50 : 40) + 0.5 * (uniform() - 0.5));
    const forecaster = createEnsembleForecaster({ horizonSteps: 12, seasonLength: m });
    for (const value of series) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    const width = (h: number) => outcome.points[h - 1]!.upper - outcome.points[h - 1]!.lower;
    expect(width(1)).toBeLessThan(1);
    expect(width(12)).toBeGreaterThan(5);
  });

  it('the median regression serves short horizons and stays out where n/h independent changes are too few', () => {
    // Without the other direct median model (`level-reversion`), which shares the spikes' decay.
    const forecaster = createEnsembleForecaster({
      horizonSteps: 72,
      seasonLength: m,
      members: defaultEnsembleMembers.filter((member) => member !== 'level-reversion'),
    });
    // Six seasons: the member must have been scored through spikes to earn weight. Its errors are
    // compared with last-value's on the same origins; after four seasons it had been scored on
    // ~10 calm origins only, where last-value was as good (MSE 0.04 vs 0.03 there, against 1.40
    // for last-value over all origins, the comparison that used to give it the weight).
    for (const value of decayingSpikes(6 * m, 5)) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.weights![0]!['median-regression']).toBeGreaterThan(0.5);
    // 144 samples hold fewer than 5 × 6 independent 72-step changes: no fit, no weight.
    expect(outcome.weights![71]!['median-regression']).toBe(0);
  });

  it('beats both baselines at 1 step and follows the better one at longer horizons', () => {
    const scores = evaluateForecasterRolling(seasonalWithPersistentNoise(8, 1), {
      seasonLength: m,
      horizons: [1, 6, 12],
    });
    const [oneStep, ...longer] = scores;
    expect(oneStep!.meanAbsoluteError).toBeLessThan(
      0.8 * Math.min(oneStep!.lastValueMeanAbsoluteError, oneStep!.seasonalNaiveMeanAbsoluteError),
    );
    for (const score of longer) {
      expect(score.count).toBeGreaterThan(100);
      // Last-value is 5-8× worse here: the weights must have moved to the seasonal members.
      expect(score.meanAbsoluteError).toBeLessThan(1.15 * score.seasonalNaiveMeanAbsoluteError);
      expect(score.meanAbsoluteError).toBeLessThan(0.3 * score.lastValueMeanAbsoluteError);
    }
  });

  it('80 % and 95 % intervals cover close to nominal out of sample', () => {
    const scores = evaluateForecasterRolling(seasonalWithPersistentNoise(12, 2), {
      seasonLength: m,
      horizons: [1, 6],
    });
    for (const score of scores) {
      const [eighty, ninetyFive] = score.coverage;
      expect(Math.abs(eighty!.coverage - 0.8)).toBeLessThan(0.08);
      expect(Math.abs(ninetyFive!.coverage - 0.95)).toBeLessThan(0.06);
    }
  });

  it('learns different weights per horizon: last-value counts more at 1 step than at half a day', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 12, seasonLength: m });
    for (const value of seasonalWithPersistentNoise(6, 3)) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    const nearTerm = outcome.weights![0]!;
    const halfDay = outcome.weights![11]!;
    const seasonalShare = (weights: Partial<Record<string, number>>) =>
      (weights['seasonal-naive'] ?? 0) +
      (weights['seasonal-level'] ?? 0) +
      (weights['seasonal-mean'] ?? 0) +
      (weights['direct-regression'] ?? 0) +
      (weights['median-regression'] ?? 0);
    expect(seasonalShare(halfDay)).toBeGreaterThan(seasonalShare(nearTerm));
    for (const weights of outcome.weights!) {
      const total = Object.values(weights).reduce((sum: number, weight) => sum + (weight ?? 0), 0);
      expect(total).toBeCloseTo(1, 6);
    }
  });

  it('on a noisy level with no season it beats last-value by smoothing (the local-level member)', () => {
    // Local-level model: a slow random-walk level (σ 0.1) under observation noise (σ 1).
    const noise = gaussian(11);
    let level = 30;
    const series = Array.from({ length: 10 * m }, () => {
      level += 0.1 * noise();
      return level + noise();
    });
    const scores = evaluateForecasterRolling(series, { seasonLength: m, horizons: [1, 6, 12] });
    for (const score of scores)
      expect(score.meanAbsoluteError).toBeLessThan(0.9 * score.lastValueMeanAbsoluteError);
    const forecaster = createEnsembleForecaster({ horizonSteps: 12, seasonLength: m });
    for (const value of series) forecaster.observe(value);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.weights![11]!['local-level']).toBeGreaterThan(outcome.weights![11]!['last-value'] ?? 0);
  });

  it('before any error is scored it forecasts the last value; later horizons borrow shorter ones', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 6, seasonLength: m });
    for (const value of [1, 5, 2]) forecaster.observe(value);
    const first = forecaster.forecast();
    if (first.status !== 'ok') throw new Error('expected a forecast');
    for (const point of first.points) expect(point.mean).toBe(2);
    for (const weights of first.weights!) expect(weights['last-value']).toBe(1);
    // One more sample scores the 1-step forecasts only; the 6-step weights are the 1-step ones.
    forecaster.observe(4);
    const second = forecaster.forecast();
    if (second.status !== 'ok') throw new Error('expected a forecast');
    expect(second.weights![5]).toEqual(second.weights![0]);
  });

  it('before a day is known it does not extrapolate a straight line for hours', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 20, seasonLength: m });
    for (let t = 0; t < 20; t++) forecaster.observe(t * 0.5);
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.seasonality).toBe('none');
    const straightLine = 9.5 + 0.5 * 20;
    expect(outcome.points[19]!.mean).toBeLessThan(straightLine - 2);
    expect(outcome.points[19]!.mean).toBeGreaterThan(8);
  });

  it('uses the weekly season once two weeks are known', () => {
    const week = 7 * 4;
    const forecaster = createEnsembleForecaster({ horizonSteps: 2, seasonLength: 4, weekLength: week });
    // Weekday/weekend pattern the daily season cannot hold.
    for (let t = 0; t < 3 * week; t++) forecaster.observe(t % week < 20 ? 10 + (t % 4) : 2 + (t % 4));
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.seasonality).toBe('weekly');
    expect(outcome.weights![0]!['weekly-naive']).toBeGreaterThan(0.3);
    // Next slot is t = 3·week, a weekday slot 0: 10 (a daily season alone would say weekend, 2 + 3).
    expect(Math.abs(outcome.points[0]!.mean - 10)).toBeLessThan(2);
  });

  it('filled samples extend the history but are never scored', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 1, seasonLength: m });
    forecaster.observe(1);
    forecaster.observe(2, { filled: true });
    forecaster.observe(3);
    expect(forecaster.length).toBe(3);
    expect(forecaster.observedCount).toBe(2);
    expect(forecaster.forecast()).toMatchObject({ status: 'insufficient_data', have: 2, needed: 3 });
  });

  it.each([
    { name: 'horizon 0', options: { horizonSteps: 0, seasonLength: m } },
    { name: 'no season', options: { horizonSteps: 1 } },
    { name: 'level 1', options: { horizonSteps: 1, seasonLength: m, level: 1 } },
    { name: 'negative step', options: { horizonSteps: 1, stepSeconds: -300 } },
  ])('rejects $name with a ConfigError', ({ options }) => {
    expect(() => createEnsembleForecaster(options)).toThrow(ConfigError);
  });

  it('refuses a non-finite sample (gaps are filled before, by toRegularGrid)', () => {
    const forecaster = createEnsembleForecaster({ horizonSteps: 1, seasonLength: m });
    expect(() => forecaster.observe(Number.NaN)).toThrow(ConfigError);
  });
});
