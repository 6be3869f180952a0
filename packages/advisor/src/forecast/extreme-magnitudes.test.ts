import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { createEnsembleForecaster } from './ensemble-forecaster';
import { forecast } from './forecast';
import type { ForecastOutcome, ForecastPoint } from './forecast-types';
import { evaluateForecasterRolling, type RollingHorizonScore } from './rolling-evaluation';
import { seasonalWithNoise } from './synthetic-series.test-helper';

// Extreme magnitudes in the incremental ensemble and the rolling evaluation: squared errors of a
// series near 1e200 overflow to Infinity and those of one near 1e-200 underflow to 0. Results must
// be scale-equivariant (the ensemble is), finite, or a typed ValidationError; never Infinity/NaN.
const m = 12;
const base = seasonalWithNoise(6 * m, { seasonLength: m, seed: 7 });
const options = { horizonSteps: 4, seasonLength: m, levels: [0.8, 0.95] };

/** Every number of a forecast point: mean, the primary interval and the others. */
function numbers(point: ForecastPoint): number[] {
  return [
    point.mean,
    point.lower,
    point.upper,
    ...(point.intervals ?? []).flatMap((interval) => [interval.lower, interval.upper]),
  ];
}

function incremental(series: readonly number[]): ForecastOutcome {
  const forecaster = createEnsembleForecaster(options);
  for (const value of series) forecaster.observe(value);
  return forecaster.forecast();
}

function expectScaled(unit: ForecastOutcome, scaled: ForecastOutcome, scale: number): void {
  expect(unit.status).toBe('ok');
  expect(scaled.status).toBe('ok');
  if (unit.status !== 'ok' || scaled.status !== 'ok') return;
  unit.points.forEach((point, index) => {
    const expected = numbers(point);
    const actual = numbers(scaled.points[index]!);
    actual.forEach((value, at) => {
      expect(Number.isFinite(value)).toBe(true);
      // Up to rounding: the rescaled series sits at another power of two than the unit one, and the
      // fits' absolute floors (1e-12) are not scaled (differences seen: about 1e-11 relative).
      expect(value / scale).toBeCloseTo(expected[at]!, 8);
    });
  });
  expect(scaled.residualStandardDeviation / scale).toBeCloseTo(unit.residualStandardDeviation, 9);
  // The weights are equivariant up to rounding (their solver is not exactly so).
  scaled.weights?.forEach((weights, index) => {
    for (const [member, weight] of Object.entries(weights))
      expect(weight).toBeCloseTo(unit.weights?.[index]?.[member as keyof typeof weights] ?? Number.NaN, 6);
  });
}

// 2^664 ≈ 1e200, 2^-664 ≈ 1e-200, 2^997 ≈ 1e300, 2^1015: the series' peak (about 27) is below 2^1020.
const exponents = [664, -664, 997, 1015, -1000];

describe('createEnsembleForecaster: extreme magnitudes', () => {
  it.each(exponents)('is scale-equivariant at 2^%i (overflowed or underflowed before)', (exponent) => {
    const scale = 2 ** exponent;
    expectScaled(incremental(base), incremental(base.map((value) => value * scale)), scale);
  });

  it('a series that jumps from ordinary values to 1e250 is forecast like forecast() does (re-based)', () => {
    const series = [...base.slice(0, 3 * m), ...base.slice(3 * m).map((value) => value * 1e250)];
    const outcome = incremental(series);
    const whole = forecast(series, { ...options, model: 'ensemble', nonNegative: false });
    expect(outcome.status).toBe('ok');
    expect(whole.status).toBe('ok');
    if (outcome.status !== 'ok' || whole.status !== 'ok') return;
    outcome.points.forEach((point, index) => {
      const expected = numbers(whole.points[index]!);
      numbers(point).forEach((value, at) => {
        expect(Number.isFinite(value)).toBe(true);
        // Both scales are powers of two, but not the same one: equal up to rounding, which the
        // median fits' iterations amplify across the jump (seen: 8e-8 relative).
        const want = expected[at]! / 1e250;
        expect(Math.abs(value / 1e250 - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      });
    });
  });

  it('mixed 1e-200 and 1e200 samples give finite forecasts', () => {
    const series = base.map((value, index) => value * (index % 2 === 0 ? 1e-200 : 1e200));
    const outcome = incremental(series);
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    for (const point of outcome.points)
      for (const value of numbers(point)) expect(Number.isFinite(value)).toBe(true);
    expect(Number.isFinite(outcome.residualStandardDeviation)).toBe(true);
  });

  it('samples near Number.MAX_VALUE give finite forecasts or a ValidationError, never Infinity', () => {
    const peak = Math.max(...base);
    const series = base.map((value) => (value / peak) * Number.MAX_VALUE);
    let outcome: ForecastOutcome | undefined;
    try {
      outcome = incremental(series);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.code).toBe('magnitude_overflow');
      return;
    }
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    for (const point of outcome.points)
      for (const value of numbers(point)) expect(Number.isFinite(value)).toBe(true);
  });

  it('forecast() near Number.MAX_VALUE: finite or a ValidationError, never Infinity', () => {
    const peak = Math.max(...base);
    const series = base.map((value) => (value / peak) * Number.MAX_VALUE);
    for (const model of ['auto', 'holt-winters', 'local-level', 'linear-trend'] as const) {
      let outcome: ForecastOutcome;
      try {
        outcome = forecast(series, { ...options, model, nonNegative: false });
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        continue;
      }
      if (outcome.status !== 'ok') continue;
      for (const point of outcome.points)
        for (const value of numbers(point)) expect(Number.isFinite(value)).toBe(true);
    }
  });
});

function expectScaledScores(unit: RollingHorizonScore[], scaled: RollingHorizonScore[], scale: number): void {
  unit.forEach((row, index) => {
    const other = scaled[index]!;
    expect(other.count).toBe(row.count);
    for (const key of [
      'meanAbsoluteError',
      'lastValueMeanAbsoluteError',
      'seasonalNaiveMeanAbsoluteError',
    ] as const) {
      expect(Number.isFinite(other[key])).toBe(true);
      expect(other[key] / scale).toBeCloseTo(row[key], 9);
    }
    expect(other.coverage).toEqual(row.coverage);
  });
}

describe('evaluateForecasterRolling: extreme magnitudes', () => {
  const rolling = { seasonLength: m, horizons: [1, 4], warmupSteps: m };
  it.each(exponents)('is scale-equivariant at 2^%i', (exponent) => {
    const scale = 2 ** exponent;
    expectScaledScores(
      evaluateForecasterRolling(base, rolling),
      evaluateForecasterRolling(
        base.map((value) => value * scale),
        rolling,
      ),
      scale,
    );
  });

  it('sums 1e306-sized errors without overflowing', () => {
    const series = base.map((value) => value * 1e306);
    for (const row of evaluateForecasterRolling(series, rolling)) {
      expect(Number.isFinite(row.meanAbsoluteError)).toBe(true);
      expect(Number.isFinite(row.lastValueMeanAbsoluteError)).toBe(true);
    }
  });

  it('mixed 1e-200 and 1e200 samples give finite scores', () => {
    const series = base.map((value, index) => value * (index % 2 === 0 ? 1e-200 : 1e200));
    for (const row of evaluateForecasterRolling(series, rolling)) {
      expect(Number.isFinite(row.meanAbsoluteError)).toBe(true);
      for (const level of row.coverage) expect(Number.isFinite(level.coverage)).toBe(true);
    }
  });

  it('errors beyond Number.MAX_VALUE are a ValidationError, not Infinity', () => {
    // ±MAX_VALUE alternating: every last-value error is 2 × MAX_VALUE.
    const series = base.map((_, index) => (index % 2 === 0 ? 1 : -1) * Number.MAX_VALUE);
    let rows: RollingHorizonScore[];
    try {
      rows = evaluateForecasterRolling(series, rolling);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.code).toBe('magnitude_overflow');
      return;
    }
    for (const row of rows) expect(Number.isFinite(row.lastValueMeanAbsoluteError)).toBe(true);
  });
});
