import { ConfigError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorHorizons, leastAbsoluteDeviations } from './median-regression';

/** Design matrix `[1, x]` per row. */
const withIntercept = (xs: readonly number[]) => Float64Array.from(xs.flatMap((x) => [1, x]));
const ones = (n: number) => new Float64Array(n).fill(1);
const absoluteLoss = (targets: readonly number[], fit: number) =>
  targets.reduce((sum, target) => sum + Math.abs(target - fit), 0);

describe('leastAbsoluteDeviations', () => {
  it.each([
    {
      name: 'recovers an exact line',
      xs: [0, 1, 2, 3, 4, 5],
      ys: [2, 3, 4, 5, 6, 7],
      expected: [2, 1],
    },
    {
      name: 'ignores a gross outlier (the median fit), where least squares would not',
      xs: [0, 1, 2, 3, 4, 5, 6],
      ys: [2, 3, 4, 5, 6, 7, 80],
      expected: [2, 1],
    },
    {
      name: 'follows the median of skewed noise, not its mean',
      xs: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
      ys: [0, 0, 0, 1, 10, 1, 1, 1, 2, 11],
      expected: [0, 1],
    },
  ])('$name', ({ xs, ys, expected }) => {
    const beta = leastAbsoluteDeviations(withIntercept(xs), Float64Array.from(ys), ones(ys.length), 2);
    expect(beta[0]).toBeCloseTo(expected[0]!, 2);
    expect(beta[1]).toBeCloseTo(expected[1]!, 2);
  });

  it('property: with a constant only, the fit is a median (no constant has less absolute loss)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (ys) => {
          const beta = leastAbsoluteDeviations(ones(ys.length), Float64Array.from(ys), ones(ys.length), 1);
          const sorted = [...ys].sort((a, b) => a - b);
          const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
          const spread = sorted.at(-1)! - sorted[0]! + 1;
          return absoluteLoss(ys, beta[0]!) <= absoluteLoss(ys, median) + 1e-3 * spread * ys.length;
        },
      ),
    );
  });

  it('weights count: a zero-weight sample does not move the fit', () => {
    const xs = [0, 1, 2, 3, 4];
    const ys = [1, 2, 3, 4, 1000];
    const weights = Float64Array.from([1, 1, 1, 1, 0]);
    const beta = leastAbsoluteDeviations(withIntercept(xs), Float64Array.from(ys), weights, 2);
    expect(beta[0]).toBeCloseTo(1, 3);
    expect(beta[1]).toBeCloseTo(1, 3);
  });

  it('rejects a design whose shape does not match the targets with a ConfigError', () => {
    expect(() => leastAbsoluteDeviations(new Float64Array(3), new Float64Array(2), ones(2), 2)).toThrow(
      ConfigError,
    );
    expect(() => leastAbsoluteDeviations(new Float64Array(4), new Float64Array(2), ones(3), 2)).toThrow(
      ConfigError,
    );
  });
});

describe('anchorHorizons', () => {
  it('property: starts at 1, ends at the horizon, strictly increasing, logarithmically many', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (horizon) => {
        const anchors = anchorHorizons(horizon);
        const increasing = anchors.every((anchor, index) => index === 0 || anchor > anchors[index - 1]!);
        return (
          anchors[0] === 1 &&
          anchors.at(-1) === horizon &&
          increasing &&
          anchors.length <= 4 + Math.ceil(Math.log(horizon + 1) / Math.log(1.5))
        );
      }),
    );
  });

  it('at six hours of 5-minute steps', () => {
    expect(anchorHorizons(72)).toEqual([1, 2, 3, 5, 8, 12, 18, 27, 41, 62, 72]);
  });
});
