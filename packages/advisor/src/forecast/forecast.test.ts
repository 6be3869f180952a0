import { ConfigError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastErrors, meanAbsoluteError, symmetricMeanAbsolutePercentageError } from './error-metrics';
import { forecast } from './forecast';
import { holtWinters } from './holt-winters';
import { linearTrend } from './linear-trend';
import { normalQuantile, studentTQuantile } from './quantiles';
import { seasonalNaive } from './seasonal-naive';

/** Seeded PRNG (mulberry32) and Box-Muller normal noise, so the tests are deterministic. */
function noise(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

const m = 24;
const truth = (t: number) => 10 + 3 * Math.sin((2 * Math.PI * t) / m) + 0.01 * t;
function seasonal(length: number, sigma: number, seed: number): number[] {
  const gaussian = noise(seed);
  return Array.from({ length }, (_, t) => truth(t) + sigma * gaussian());
}

describe('quantiles', () => {
  it('normal and Student-t quantiles match tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 5);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 2);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697, 2);
  });
});

describe('holtWinters', () => {
  const history = seasonal(6 * m, 0.3, 1);

  it('recovers the daily season: the forecast follows the true curve and peaks at the right phase', () => {
    const outcome = holtWinters(history, { seasonLength: m, horizonSteps: m });
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    const actual = outcome.points.map((point) => truth(history.length - 1 + point.step));
    const means = outcome.points.map((point) => point.mean);
    expect(meanAbsoluteError(actual, means)).toBeLessThan(0.4);
    const peak = means.indexOf(Math.max(...means)) + history.length;
    expect(Math.abs((peak % m) - m / 4)).toBeLessThanOrEqual(1);
    for (const point of outcome.points) expect(point.lower).toBeLessThanOrEqual(point.upper);
  });

  it('90 % intervals cover about 90 % of one-step-ahead outcomes over many origins', () => {
    const series = seasonal(12 * m, 0.3, 7);
    let covered = 0;
    let total = 0;
    for (let origin = 4 * m; origin < series.length - 1; origin += 2) {
      const outcome = holtWinters(series.slice(0, origin), { seasonLength: m, horizonSteps: 1, level: 0.9 });
      if (outcome.status !== 'ok') continue;
      const point = outcome.points[0]!;
      const value = series[origin]!;
      total++;
      if (value >= point.lower && value <= point.upper) covered++;
    }
    expect(total).toBeGreaterThan(50);
    expect(covered / total).toBeGreaterThan(0.78);
    expect(covered / total).toBeLessThan(0.98);
  });

  it('intervals widen with the horizon', () => {
    const outcome = holtWinters(history, { seasonLength: m, horizonSteps: 12 });
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    const width = (index: number) => outcome.points[index]!.upper - outcome.points[index]!.lower;
    expect(width(11)).toBeGreaterThan(width(0));
  });

  it('needs two full seasons and never fills the gap', () => {
    expect(holtWinters(history.slice(0, 2 * m - 1), { seasonLength: m, horizonSteps: 1 })).toMatchObject({
      status: 'insufficient_data',
      model: 'holt-winters',
      needed: 2 * m,
      have: 2 * m - 1,
    });
  });
});

describe('linearTrend', () => {
  it('an exact line extrapolates exactly with a zero-width interval', () => {
    const outcome = linearTrend([1, 3, 5, 7], { horizonSteps: 2 });
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.points.map((point) => point.mean)).toEqual([9, 11]);
    expect(outcome.points[0]!.upper - outcome.points[0]!.lower).toBeCloseTo(0, 9);
  });

  it('property: the interval contains the mean and is symmetric around it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        (values, horizonSteps) => {
          const outcome = linearTrend(values, { horizonSteps });
          if (outcome.status !== 'ok') return false;
          return outcome.points.every(
            (point) =>
              point.lower <= point.mean + 1e-9 &&
              point.mean <= point.upper + 1e-9 &&
              Math.abs(point.upper - point.mean - (point.mean - point.lower)) <
                1e-6 * (1 + Math.abs(point.mean)),
          );
        },
      ),
    );
  });

  it('needs 3 samples', () => {
    expect(linearTrend([1, 2], { horizonSteps: 1 })).toMatchObject({
      status: 'insufficient_data',
      needed: 3,
      have: 2,
    });
  });
});

describe('seasonalNaive', () => {
  it('repeats the last season', () => {
    const outcome = seasonalNaive([1, 2, 3, 1, 2, 4, 1, 2], { seasonLength: 3, horizonSteps: 4 });
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.points.map((point) => point.mean)).toEqual([4, 1, 2, 4]);
  });

  it('needs a season plus 2 samples', () => {
    expect(seasonalNaive([1, 2, 3], { seasonLength: 3, horizonSteps: 1 })).toMatchObject({
      status: 'insufficient_data',
      needed: 5,
      have: 3,
    });
  });
});

describe('forecast (dispatcher)', () => {
  it('auto is the ensemble from 3 observed samples; insufficient_data below', () => {
    const history = seasonal(3 * m, 0.3, 3);
    expect(forecast(history, { horizonSteps: 2, seasonLength: m })).toMatchObject({
      status: 'ok',
      model: 'ensemble',
      seasonality: 'daily',
    });
    expect(forecast(history.slice(0, m), { horizonSteps: 2, seasonLength: m })).toMatchObject({
      status: 'ok',
      model: 'ensemble',
      seasonality: 'none',
    });
    const short = forecast([1, 2], { horizonSteps: 2, seasonLength: m });
    expect(short).toEqual(
      expect.objectContaining({ status: 'insufficient_data', model: 'auto', needed: 3, have: 2 }),
    );
    expect(short).not.toHaveProperty('points');
  });

  it('an explicit seasonal model reports insufficient_data instead of falling back', () => {
    expect(
      forecast(seasonal(m, 0.1, 4), { horizonSteps: 1, seasonLength: m, model: 'holt-winters' }),
    ).toMatchObject({
      status: 'insufficient_data',
      needed: 2 * m,
      have: m,
    });
  });

  it('takes the daily season from the sample step of a Series (300 s → 288)', () => {
    const values = Array.from({ length: 600 }, (_, t) => 5 + Math.sin((2 * Math.PI * t) / 288));
    const timestamps = values.map((_, t) => 1_700_000_000_000 + t * 300_000);
    const outcome = forecast({ timestamps, values }, { horizonSteps: 1 });
    expect(outcome).toMatchObject({ status: 'ok', model: 'ensemble', seasonLength: 288 });
  });

  it('drops non-finite samples and counts only real ones', () => {
    expect(forecast([1, Number.NaN, 2], { horizonSteps: 1, stepSeconds: 300 })).toMatchObject({
      status: 'insufficient_data',
      have: 2,
    });
  });

  it('clamps at zero by default', () => {
    const outcome = forecast([3, 2, 1], { horizonSteps: 3, stepSeconds: 300, model: 'linear-trend' });
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    expect(outcome.points.every((point) => point.lower >= 0 && point.mean >= 0)).toBe(true);
  });

  it('rejects a bad horizon or level with a ConfigError', () => {
    expect(() => forecast([1, 2, 3], { horizonSteps: 0 })).toThrow(ConfigError);
    expect(() => forecast([1, 2, 3], { horizonSteps: 1, level: 1 })).toThrow(ConfigError);
    expect(() => forecast([1, 2, 3], { horizonSteps: 1, model: 'seasonal-naive' })).toThrow(ConfigError);
  });
});

describe('error metrics', () => {
  it('MAE and sMAPE', () => {
    expect(meanAbsoluteError([10, 20], [12, 17])).toBe(2.5);
    expect(symmetricMeanAbsolutePercentageError([100], [110])).toBeCloseTo(9.5238, 3);
    expect(forecastErrors([0, 100], [0, 110])).toMatchObject({ count: 2 });
    expect(forecastErrors([0, 100], [0, 110]).symmetricMeanAbsolutePercentageError).toBeCloseTo(4.7619, 3);
    expect(forecastErrors([], []).count).toBe(0);
  });
});
