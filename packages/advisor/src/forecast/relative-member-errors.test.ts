import { createRandom } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { createEnsembleForecaster } from './ensemble-forecaster';
import { RELATIVE_ERROR_PRIOR_DEVIATION, relativeMemberError } from './relative-member-errors';

describe('relativeMemberError (paired, shrunk log error ratio to last-value)', () => {
  it('is the log ratio of root-mean-square errors when the evidence is ample', () => {
    const ratio = relativeMemberError({ memberSquares: 4, lastValueSquares: 16, origins: 10_000 }, 1);
    expect(ratio).toBeCloseTo(Math.log(0.5), 3);
  });

  it('shrinks towards 0 (as good as last-value) by the independent h-step windows, not the raw origins', () => {
    const paired = { memberSquares: 1, lastValueSquares: 16, origins: 72 };
    const raw = Math.log(0.25);
    // 72 origins: 72 independent one-step errors, but a single 72-step window.
    const oneStep = relativeMemberError(paired, 1);
    const sixHours = relativeMemberError(paired, 72);
    const sigmaSquared = RELATIVE_ERROR_PRIOR_DEVIATION ** 2;
    expect(oneStep).toBeCloseTo((raw * 72 * sigmaSquared) / (72 * sigmaSquared + 1), 12);
    expect(sixHours).toBeCloseTo((raw * sigmaSquared) / (sigmaSquared + 1), 12);
    // One error at six hours: almost nothing learnt.
    expect(Math.abs(relativeMemberError({ ...paired, origins: 1 }, 72))).toBeLessThan(0.03 * Math.abs(raw));
  });

  it('is 0 without evidence, finite for an exact member, and unshrunk with an infinite prior', () => {
    expect(relativeMemberError({ memberSquares: 5, lastValueSquares: 1, origins: 0 }, 1)).toBe(0);
    expect(relativeMemberError({ memberSquares: 0, lastValueSquares: 0, origins: 10 }, 1)).toBe(0);
    expect(
      Number.isFinite(relativeMemberError({ memberSquares: 0, lastValueSquares: 1, origins: 10 }, 1)),
    ).toBe(true);
    expect(
      relativeMemberError(
        { memberSquares: 9, lastValueSquares: 1, origins: 0.5 },
        6,
        Number.POSITIVE_INFINITY,
      ),
    ).toBeCloseTo(Math.log(3), 12);
  });
});

describe('ensemble weights from paired, shrunk relative errors', () => {
  /** A ±1 random walk whose first 12-step seasonal-naive error is a tenth of last-value's (luck). */
  function luckyFirstSeason(relativeErrorPriorDeviation: number): number {
    const draw = createRandom(3).next;
    const forecaster = createEnsembleForecaster({
      horizonSteps: 12,
      seasonLength: 24,
      members: ['last-value', 'seasonal-naive'],
      relativeErrorPriorDeviation,
    });
    const series: number[] = [];
    for (let t = 0; t <= 24; t++) {
      let value = (series.at(-1) ?? 50) + (draw() < 0.5 ? 1 : -1);
      // Seasonal-naive forecast y(0) from origin 12; last-value y(12).
      if (t === 24) value = series[0]! + 0.1 * (series[12]! - series[0]!);
      series.push(value);
      forecaster.observe(value);
    }
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    return outcome.weights![11]!['seasonal-naive']!;
  }

  it('one lucky long-horizon error does not hand a late member the weight (one 12-step error is 1/12 of a window)', () => {
    // Unshrunk, the single error reads as an MSE 100 × smaller than last-value's: 0.985 of the weight
    // (0.96 before paired errors). Shrunk, the member is held near last-value's error; the rest of its
    // weight comes from looking uncorrelated with last-value on one origin.
    expect(luckyFirstSeason(Number.POSITIVE_INFINITY)).toBeGreaterThan(0.95);
    expect(luckyFirstSeason(RELATIVE_ERROR_PRIOR_DEVIATION)).toBeLessThan(0.7);
  });

  it('rejects a prior deviation that is not positive', () => {
    expect(() =>
      createEnsembleForecaster({ horizonSteps: 2, seasonLength: 24, relativeErrorPriorDeviation: 0 }),
    ).toThrow(/relativeErrorPriorDeviation/);
  });
});
