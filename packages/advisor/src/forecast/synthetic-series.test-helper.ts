import { createRandom } from '@ballast/testkit';

/**
 * CPU-like load with skewed increments and no season: frequent small decays (20 % a step) and rare
 * exponential jumps (8 % of steps). The median next value is the decayed one; the mean is pulled
 * up by the jumps, so a forecaster fitted for squared error and one fitted for absolute error
 * disagree on it.
 */
export function decayingSpikes(length: number, seed: number): number[] {
  const draw = createRandom(seed).next;
  let excess = 0;
  return Array.from({ length }, () => {
    excess *= 0.8;
    if (draw() < 0.08) excess += -10 * Math.log(draw() || 1e-12);
    return 20 + excess + 0.2 * (draw() - 0.5);
  });
}

/**
 * A mean-reverting AR(1) around `level`: `y(t) = level + φ·(y(t−1) − level) + ε`, `ε` standard
 * normal, started at `level`. Its `h`-step conditional mean is `level + φʰ·(y(t) − level)`, so
 * the best long-horizon forecast is the long-run level, not the last value.
 */
export function meanRevertingAr1(
  length: number,
  options: { level: number; phi: number; seed: number },
): number[] {
  const draw = createRandom(options.seed).next;
  let y = options.level;
  return Array.from({ length }, () => {
    const normal = Math.sqrt(-2 * Math.log(draw() || 1e-12)) * Math.cos(2 * Math.PI * draw());
    y = options.level + options.phi * (y - options.level) + normal;
    return y;
  });
}

/** A daily sine (period `seasonLength`) around 20 with seeded uniform noise: positive, ordinary. */
export function seasonalWithNoise(length: number, options: { seasonLength: number; seed: number }): number[] {
  const draw = createRandom(options.seed).next;
  return Array.from(
    { length },
    (_, t) => 20 + 6 * Math.sin((2 * Math.PI * t) / options.seasonLength) + 2 * (draw() - 0.5),
  );
}
