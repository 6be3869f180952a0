import { describe, expect, it } from 'vitest';
import { forecastCell, forecastCells, OriginForecasts } from './origin-forecasts';

describe('OriginForecasts', () => {
  it('keeps h(h+1)/2 cells, not the (h+1)·h square (about half the memory at 1440 steps)', () => {
    expect(new OriginForecasts(1440).cells).toBe((1440 * 1441) / 2);
    expect(new OriginForecasts(1).cells).toBe(1);
  });

  it('a pending forecast keeps its cell until its target: origins t and t + h share it, no other', () => {
    const horizon = 9;
    for (let t = 20; t < 40; t++) {
      const taken = new Map<number, string>();
      // Pending at time t (before scoring y(t)): origins t − h … t − 1 at each horizon h.
      for (let h = 1; h <= horizon; h++) {
        for (let origin = t - h; origin < t; origin++) {
          const cell = forecastCell(origin, h);
          expect(cell).toBeLessThan(forecastCells(horizon));
          expect(taken.get(cell)).toBeUndefined();
          taken.set(cell, `${origin}+${h}`);
        }
        expect(forecastCell(t - h, h)).toBe(forecastCell(t, h));
      }
    }
  });
});
