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
