import { ConfigError, ValidationError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEnsembleForecaster } from './ensemble-forecaster';
import { forecast } from './forecast';
import { FORECAST_MAX_HORIZON_STEPS } from './option-checks';
import { toRegularGrid } from './regular-grid';
import { evaluateForecasterRolling } from './rolling-evaluation';

// Bad input from JavaScript callers: every row must throw a typed error naming the option, never
// hang, allocate gigabytes, crash with a RangeError/TypeError or silently fall back to a default.
const series = [1, 2, 3, 4, 5, 6, 7, 8];
// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything
type Loose = any;

describe('forecast: bad options', () => {
  it.each<{ name: string; options: Loose; path: string }>([
    { name: 'horizon 1e9', options: { horizonSteps: 1e9, seasonLength: 4 }, path: 'horizonSteps' },
    {
      name: 'horizon 1e9 on linear-trend',
      options: { horizonSteps: 1e9, model: 'linear-trend' },
      path: 'horizonSteps',
    },
    {
      name: 'horizon just past the cap',
      options: { horizonSteps: FORECAST_MAX_HORIZON_STEPS + 1, seasonLength: 4 },
      path: 'horizonSteps',
    },
    { name: 'horizon 2.5', options: { horizonSteps: 2.5, seasonLength: 4 }, path: 'horizonSteps' },
    { name: 'horizon as a string', options: { horizonSteps: '3', seasonLength: 4 }, path: 'horizonSteps' },
    { name: 'level as a string', options: { horizonSteps: 2, seasonLength: 4, level: '0.9' }, path: 'level' },
    { name: 'level 0', options: { horizonSteps: 2, seasonLength: 4, level: 0 }, path: 'level' },
    { name: 'unknown model', options: { horizonSteps: 2, seasonLength: 4, model: 'bogus' }, path: 'model' },
    {
      name: 'stepSeconds Infinity',
      options: { horizonSteps: 2, stepSeconds: Infinity },
      path: 'stepSeconds',
    },
    {
      name: 'stepSeconds as a string',
      options: { horizonSteps: 2, stepSeconds: '300' },
      path: 'stepSeconds',
    },
    { name: 'stepSeconds 0', options: { horizonSteps: 2, stepSeconds: 0 }, path: 'stepSeconds' },
    { name: 'seasonLength 1.5', options: { horizonSteps: 2, seasonLength: 1.5 }, path: 'seasonLength' },
    {
      name: 'unknown timestamp unit',
      options: { horizonSteps: 2, seasonLength: 4, timestampUnit: 'minutes' },
      path: 'timestampUnit',
    },
    {
      name: 'Holt-Winters alpha 5',
      options: {
        horizonSteps: 2,
        seasonLength: 4,
        model: 'holt-winters',
        holtWintersParameters: { alpha: 5, beta: 0, gamma: 0 },
      },
      path: 'holtWintersParameters.alpha',
    },
    {
      name: 'Holt-Winters gamma NaN',
      options: {
        horizonSteps: 2,
        seasonLength: 4,
        model: 'holt-winters',
        holtWintersParameters: { alpha: 0.5, beta: 0, gamma: Number.NaN },
      },
      path: 'holtWintersParameters.gamma',
    },
    {
      name: 'maxSeasons 0',
      options: { horizonSteps: 2, seasonLength: 4, model: 'holt-winters', maxSeasons: 0 },
      path: 'maxSeasons',
    },
    {
      name: 'linear window 0',
      options: { horizonSteps: 2, model: 'linear-trend', linearWindowSteps: 0 },
      path: 'linearWindowSteps',
    },
    { name: 'options null', options: null, path: 'options' },
    {
      name: 'ensemble options null',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: null },
      path: 'ensemble',
    },
    {
      name: 'unknown ensemble member',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: { members: ['bogus'] } },
      path: 'members.0',
    },
    {
      name: 'levels as a string',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: { levels: '0.8' } },
      path: 'levels',
    },
    {
      name: 'unknown interval scaling',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: { intervalScaling: 'bogus' } },
      path: 'intervalScaling',
    },
    {
      name: 'negative adaptation rate',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: { adaptationRate: -5 } },
      path: 'adaptationRate',
    },
    {
      name: 'negative residual window',
      options: { horizonSteps: 2, seasonLength: 4, ensemble: { residualWindowSteps: -1 } },
      path: 'residualWindowSteps',
    },
  ])('$name → ConfigError at $path', ({ options, path }) => {
    let thrown: unknown;
    try {
      forecast(series, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('createEnsembleForecaster refuses a horizon of 1e9 before allocating', () => {
    expect(() => createEnsembleForecaster({ horizonSteps: 1e9, seasonLength: 4 })).toThrow(ConfigError);
  });

  it('evaluateForecasterRolling refuses a horizon of 1e9, a negative warm-up and empty levels', () => {
    expect(() => evaluateForecasterRolling(series, { horizons: [1e9], seasonLength: 4 })).toThrow(
      ConfigError,
    );
    expect(() =>
      evaluateForecasterRolling(series, { horizons: [1], seasonLength: 4, warmupSteps: -5 }),
    ).toThrow(ConfigError);
    expect(() => evaluateForecasterRolling(series, { horizons: [1], seasonLength: 4, levels: [] })).toThrow(
      ConfigError,
    );
  });
});

describe('toRegularGrid: bad series', () => {
  const minute = 60_000;
  it.each<{
    name: string;
    input: Loose;
    options?: Loose;
    error: typeof ConfigError | typeof ValidationError;
    path: string;
  }>([
    { name: 'null series', input: null, error: ValidationError, path: 'series' },
    { name: 'a string', input: '1,2,3', error: ValidationError, path: 'series' },
    { name: 'a string value', input: [1, '2', 3], error: ValidationError, path: 'values.1' },
    {
      name: 'a string value in a Series',
      input: { timestamps: [0, minute, 2 * minute], values: [1, '2', 3] },
      error: ValidationError,
      path: 'values.1',
    },
    {
      name: 'one corrupt timestamp far in the future (would allocate 3e9 slots)',
      input: { timestamps: [0, 5 * minute, 10 * minute, 15 * minute, 1e15], values: [1, 2, 3, 4, 5] },
      error: ValidationError,
      path: 'timestamps',
    },
    {
      name: 'every timestamp equal',
      input: { timestamps: [5000, 5000, 5000, 5000], values: [1, 2, 3, 4] },
      error: ValidationError,
      path: 'timestamps',
    },
    {
      name: 'stepSeconds 0',
      input: { timestamps: [0, minute, 2 * minute], values: [1, 2, 3] },
      options: { stepSeconds: 0 },
      error: ConfigError,
      path: 'stepSeconds',
    },
    {
      name: 'stepSeconds negative',
      input: { timestamps: [0, minute, 2 * minute], values: [1, 2, 3] },
      options: { stepSeconds: -1 },
      error: ConfigError,
      path: 'stepSeconds',
    },
    {
      name: 'stepSeconds 1e-9 (a grid of 1e14 slots)',
      input: { timestamps: [0, minute, 2 * minute], values: [1, 2, 3] },
      options: { stepSeconds: 1e-9 },
      error: ValidationError,
      path: 'timestamps',
    },
    {
      name: 'seasonLength 0 (left NaN in the grid)',
      input: [1, Number.NaN, 3],
      options: { seasonLength: 0 },
      error: ConfigError,
      path: 'seasonLength',
    },
    {
      name: 'seasonLength -2',
      input: [1, 2, 3, 4, Number.NaN, 3],
      options: { seasonLength: -2 },
      error: ConfigError,
      path: 'seasonLength',
    },
    {
      name: 'seasonLength 1.5',
      input: [1, Number.NaN, 3],
      options: { seasonLength: 1.5 },
      error: ConfigError,
      path: 'seasonLength',
    },
  ])('$name → $error.name at $path', ({ input, options, error, path }) => {
    let thrown: unknown;
    try {
      toRegularGrid(input, options);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as ValidationError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('a null sample (JSON has no NaN) is a gap like NaN', () => {
    const grid = toRegularGrid([1, null, 3] as Loose);
    expect(grid.values).toEqual([1, 2, 3]);
    expect(grid.filled).toEqual([false, true, false]);
  });
});

describe('forecast: laws on valid input', () => {
  const sample = fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true });
  it('finite input gives finite, ordered forecasts', () => {
    fc.assert(
      fc.property(
        fc.array(sample, { minLength: 3, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (values, h) => {
          const outcome = forecast(values, { horizonSteps: h, seasonLength: 4 });
          if (outcome.status !== 'ok') return;
          expect(outcome.points).toHaveLength(h);
          for (const point of outcome.points) {
            for (const value of [point.mean, point.lower, point.upper])
              expect(Number.isFinite(value)).toBe(true);
            expect(point.lower).toBeLessThanOrEqual(point.mean);
            expect(point.mean).toBeLessThanOrEqual(point.upper);
          }
        },
      ),
      { seed: 15, numRuns: 60 },
    );
  });
});

describe('forecast: extreme magnitudes', () => {
  const base = Array.from({ length: 40 }, (_, index) => 1 + (index % 3) + Math.sin(index / 5));
  it.each([
    { model: 'auto' as const, exponent: 600 },
    { model: 'auto' as const, exponent: -1000 },
    { model: 'holt-winters' as const, exponent: 660 },
    { model: 'holt-winters' as const, exponent: -1000 },
    { model: 'local-level' as const, exponent: 660 },
    { model: 'linear-trend' as const, exponent: 800 },
  ])(
    '$model is scale-equivariant at 2^$exponent (overflowed to Infinity or collapsed to 0 before)',
    ({ model, exponent }) => {
      const scale = 2 ** exponent;
      const options = { horizonSteps: 3, seasonLength: 4, model, nonNegative: false };
      const unit = forecast(base, options);
      const scaled = forecast(
        base.map((value) => value * scale),
        options,
      );
      expect(unit.status).toBe('ok');
      expect(scaled.status).toBe('ok');
      if (unit.status !== 'ok' || scaled.status !== 'ok') return;
      unit.points.forEach((point, index) => {
        const other = scaled.points[index]!;
        for (const key of ['mean', 'lower', 'upper'] as const) {
          expect(Number.isFinite(other[key])).toBe(true);
          expect(other[key] / scale).toBeCloseTo(point[key], 9);
        }
      });
    },
  );
});
