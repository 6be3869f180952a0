import { createRandom } from '@ballast/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_MISCOVERAGE_BOUND, adaptMiscoverage } from './adaptive-conformal';
import { createEnsembleForecaster } from './ensemble-forecaster';

/** Fixed seed: every run checks the same cases. */
const SEED = 20261204;

const misses = fc.array(fc.boolean(), { minLength: 1, maxLength: 400 });
const nominal = fc.constantFrom(0.05, 0.1, 0.2, 0.5);
const rate = fc.double({ min: 1e-4, max: 0.2, noNaN: true });

function run(
  sequence: readonly boolean[],
  step: { nominal: number; rate: number; bound?: number },
): number[] {
  const levels: number[] = [];
  let alpha = step.nominal;
  for (const missed of sequence) {
    alpha = adaptMiscoverage(alpha, { ...step, missed });
    levels.push(alpha);
  }
  return levels;
}

describe('adaptMiscoverage (bounded adaptive conformal step)', () => {
  it('is the Gibbs–Candès step inside the bounds', () => {
    expect(adaptMiscoverage(0.2, { nominal: 0.2, missed: false, rate: 0.01 })).toBeCloseTo(0.202, 12);
    expect(adaptMiscoverage(0.2, { nominal: 0.2, missed: true, rate: 0.01 })).toBeCloseTo(0.192, 12);
  });

  it('stops at the bound × nominal after a long covered run (0.4 for an 80 % interval), and at 0.999 without a bound', () => {
    const covered = Array.from({ length: 1000 }, () => false);
    expect(run(covered, { nominal: 0.2, rate: 0.01 }).at(-1)).toBeCloseTo(
      ADAPTIVE_MISCOVERAGE_BOUND * 0.2,
      12,
    );
    expect(run(covered, { nominal: 0.05, rate: 0.01 }).at(-1)).toBeCloseTo(0.1, 12);
    expect(run(covered, { nominal: 0.2, rate: 0.01, bound: Number.POSITIVE_INFINITY }).at(-1)).toBe(0.999);
  });

  it('property: stays within [1e-4, min(0.999, bound × nominal)]; a miss never raises it, a cover never lowers it', () => {
    fc.assert(
      fc.property(misses, nominal, rate, fc.constantFrom(1, 1.5, 2, 4), (sequence, alpha, step, bound) => {
        const levels = run(sequence, { nominal: alpha, rate: step, bound });
        let previous: number = alpha;
        for (const [index, level] of levels.entries()) {
          if (level < 1e-4 || level > Math.min(0.999, bound * alpha) + 1e-15) return false;
          if (sequence[index] && level > previous + 1e-15) return false;
          if (!sequence[index] && level < previous - 1e-15) return false;
          previous = level;
        }
        return true;
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('property: on the same misses the bounded level is never above the unbounded one (it only widens intervals)', () => {
    fc.assert(
      fc.property(misses, nominal, rate, (sequence, alpha, step) => {
        const bounded = run(sequence, { nominal: alpha, rate: step });
        const unbounded = run(sequence, { nominal: alpha, rate: step, bound: Number.POSITIVE_INFINITY });
        return bounded.every((level, index) => level <= unbounded[index]! + 1e-15);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('ensemble intervals after a calm stretch', () => {
  /** Box-Muller normals from testkit's seeded PRNG. */
  function gaussian(seed: number): () => number {
    const uniform = createRandom(seed).next;
    return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
  }

  /** Two seasons of a random walk, then ten calm seasons: every 12-step forecast is covered for days. */
  function widthsAfterCalm(seed: number, bound: number): { eighty: number; ninetyFive: number } {
    const noise = gaussian(seed);
    const forecaster = createEnsembleForecaster({
      horizonSteps: 12,
      seasonLength: 24,
      members: ['last-value'],
      adaptiveMiscoverageBound: bound,
    });
    let level = 50;
    for (let t = 0; t < 24 * 12; t++) {
      if (t < 48) level += 2 * noise();
      forecaster.observe(level + (t < 48 ? 0 : 0.5 * noise()));
    }
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') throw new Error('expected a forecast');
    const point = outcome.points[11]!;
    const width = (target: number) => {
      const interval = point.intervals!.find((candidate) => candidate.level === target)!;
      return interval.upper - interval.lower;
    };
    return { eighty: width(0.8), ninetyFive: width(0.95) };
  }

  it.each([1, 2, 3, 4, 5])(
    'seed %i: the bounded correction keeps the 12-step intervals at least as wide, the 95 % one much wider',
    (seed) => {
      const bounded = widthsAfterCalm(seed, ADAPTIVE_MISCOVERAGE_BOUND);
      const unbounded = widthsAfterCalm(seed, Number.POSITIVE_INFINITY);
      expect(bounded.eighty).toBeGreaterThanOrEqual(unbounded.eighty - 1e-9);
      expect(bounded.ninetyFive).toBeGreaterThan(1.5 * unbounded.ninetyFive);
    },
  );

  it('rejects a bound below 1', () => {
    expect(() =>
      createEnsembleForecaster({ horizonSteps: 2, seasonLength: 4, adaptiveMiscoverageBound: 0.5 }),
    ).toThrow(/adaptiveMiscoverageBound/);
  });
});
