import { ValidationError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecast } from './forecast';
import { toRegularGrid } from './regular-grid';

const minute = 60_000;

describe('toRegularGrid', () => {
  it.each([
    { name: 'no gap', input: [1, 2, 3], values: [1, 2, 3], filled: [false, false, false] },
    {
      name: 'inner NaN interpolated',
      input: [1, 2, Number.NaN, 4],
      values: [1, 2, 3, 4],
      filled: [false, false, true, false],
    },
    {
      name: 'leading NaN carries the first sample',
      input: [Number.NaN, 5, 6],
      values: [5, 5, 6],
      filled: [true, false, false],
    },
    {
      name: 'trailing NaN carries the last sample',
      input: [5, 6, Number.NaN],
      values: [5, 6, 6],
      filled: [false, false, true],
    },
    {
      name: 'Infinity is a gap too',
      input: [2, Number.POSITIVE_INFINITY, 4],
      values: [2, 3, 4],
      filled: [false, true, false],
    },
  ])('arrays: $name', ({ input, values, filled }) => {
    const grid = toRegularGrid(input);
    expect(grid.values).toEqual(values);
    expect(grid.filled).toEqual(filled);
  });

  it('a gap in the timestamps keeps its slots (the season does not shift) and is flagged', () => {
    const timestamps = [0, 5, 10, 25, 30].map((at) => at * minute);
    const grid = toRegularGrid({ timestamps, values: [1, 2, 3, 6, 7] }, { stepSeconds: 300 });
    expect(grid.values).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(grid.filled).toEqual([false, false, false, true, true, false, false]);
    expect(grid.gaps).toEqual([{ startIndex: 3, length: 2 }]);
    expect(grid.timestampUnit).toBe('milliseconds');
  });

  it('fills from one season earlier, meeting both edges, when a season is known', () => {
    // season of 4: shape 0, 10, 0, 10 ... shifted up by 1 in the second season
    const input = [0, 10, 0, 10, 1, Number.NaN, Number.NaN, 11];
    const grid = toRegularGrid(input, { seasonLength: 4 });
    expect(grid.values).toEqual([0, 10, 0, 10, 1, 11, 1, 11]);
  });

  it('detects timestamps in seconds (300 s spacing as in the Azure trace) and reads them as seconds', () => {
    const timestamps = [604_800, 605_100, 605_400, 606_000];
    const grid = toRegularGrid({ timestamps, values: [1, 2, 3, 5] });
    expect(grid.timestampUnit).toBe('seconds');
    expect(grid.stepSeconds).toBe(300);
    expect(grid.values).toEqual([1, 2, 3, 4, 5]);
    expect(grid.startTime).toBe(604_800_000);
  });

  it('rejects sub-second spacing that cannot be seconds with a typed error', () => {
    const timestamps = [1_700_000_000_000, 1_700_000_000_300, 1_700_000_000_600];
    expect(() => toRegularGrid({ timestamps, values: [1, 2, 3] })).toThrow(ValidationError);
    try {
      toRegularGrid({ timestamps, values: [1, 2, 3] });
    } catch (error) {
      expect((error as ValidationError).issues[0]?.code).toBe('timestamp_unit_ambiguous');
    }
  });

  it('an explicit unit wins, and epoch milliseconds stay milliseconds', () => {
    const seconds = toRegularGrid(
      { timestamps: [0, 300, 600], values: [1, 2, 3] },
      { timestampUnit: 'seconds' },
    );
    expect(seconds.stepSeconds).toBe(300);
    const millis = toRegularGrid({ timestamps: [1_700_000_000_000, 1_700_000_300_000], values: [1, 2] });
    expect(millis.timestampUnit).toBe('milliseconds');
    expect(millis.stepSeconds).toBe(300);
  });

  it.each([
    { name: 'descending', timestamps: [10, 5], values: [1, 2], code: 'not_ascending' },
    { name: 'non-finite', timestamps: [0, Number.NaN], values: [1, 2], code: 'not_finite' },
    { name: 'length mismatch', timestamps: [0], values: [1, 2], code: 'length_mismatch' },
  ])('rejects $name timestamps with a ValidationError', ({ timestamps, values, code }) => {
    expect(() => toRegularGrid({ timestamps, values })).toThrow(ValidationError);
    try {
      toRegularGrid({ timestamps, values });
    } catch (error) {
      expect((error as ValidationError).issues[0]?.code).toBe(code);
    }
  });

  it('property: every slot is finite, observed slots keep their value, and filled slots are flagged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 2, max: 12 }),
        (input, seasonLength) => {
          const grid = toRegularGrid(input, { seasonLength });
          if (input.every((value) => Number.isNaN(value))) return grid.filled.every(Boolean);
          return input.every((value, index) =>
            Number.isNaN(value)
              ? grid.filled[index] === true && Number.isFinite(grid.values[index]!)
              : grid.filled[index] === false && grid.values[index] === value,
          );
        },
      ),
    );
  });
});

describe('forecast on gappy series', () => {
  const m = 24;
  const series = Array.from({ length: 4 * m }, (_, t) => 10 + 5 * Math.sin((2 * Math.PI * t) / m));

  it('a one-hour hole does not shift the daily season', () => {
    const holed = [...series];
    for (let index = 3 * m + 2; index < 3 * m + 5; index++) holed[index] = Number.NaN;
    const clean = forecast(series, { horizonSteps: 6, seasonLength: m });
    const gappy = forecast(holed, { horizonSteps: 6, seasonLength: m });
    if (clean.status !== 'ok' || gappy.status !== 'ok') throw new Error('expected forecasts');
    expect(gappy.filledSamples).toBe(3);
    gappy.points.forEach((point, index) => {
      expect(Math.abs(point.mean - clean.points[index]!.mean)).toBeLessThan(0.5);
    });
  });

  it('a Series in seconds forecasts with a daily season instead of silently turning it off', () => {
    const timestamps = series.map((_, t) => t * 3600);
    const outcome = forecast({ timestamps, values: series }, { horizonSteps: 2 });
    expect(outcome).toMatchObject({ status: 'ok', seasonLength: 24, seasonality: 'daily' });
  });
});
