import { createRandom } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { SortedWindow } from './sorted-window';

describe('SortedWindow.absoluteQuantile', () => {
  it.each([1, 2, 3, 4])(
    'equals quantile on a window of the absolute values, bit for bit (seed %i)',
    (seed) => {
      const draw = createRandom(seed).next;
      const capacity = 1 + Math.floor(draw() * 40);
      const signed = new SortedWindow(capacity);
      const absolute = new SortedWindow(capacity);
      for (let step = 0; step < 300; step++) {
        // Ties, zeros and one-sided windows included.
        const roll = draw();
        const value = roll < 0.1 ? 0 : roll < 0.2 ? 1 : roll < 0.6 ? draw() - 0.3 : -3 * draw();
        signed.push(value);
        absolute.push(Math.abs(value));
        for (const probability of [0, 0.05, 0.5, 0.8, 0.9, 0.95, 1, draw()])
          expect(Object.is(signed.absoluteQuantile(probability), absolute.quantile(probability))).toBe(true);
      }
    },
  );

  it('is NaN when empty', () => {
    expect(new SortedWindow(3).absoluteQuantile(0.5)).toBeNaN();
  });
});
