import { describe, expect, it } from 'vitest';
import { DirectMedianMember, levelReversionRegressors } from './direct-median-member';
import { SeriesHistory } from './series-history';
import { meanRevertingAr1 } from './synthetic-series.test-helper';

const SEASON = 288;
const LEVEL_WINDOW = 12;
const HORIZON = 24;
const DECAY = 2 ** (-1 / SEASON);

/** Feeds `series` as the ensemble does (an hourly refit) and returns forecasts per horizon and origin. */
function run(series: readonly number[]): Float64Array[] {
  const history = new SeriesHistory(LEVEL_WINDOW);
  const member = new DirectMedianMember(
    { horizonSteps: HORIZON, seasonLength: SEASON, decay: DECAY },
    history,
    levelReversionRegressors,
  );
  const forecasts = Array.from({ length: HORIZON }, () => new Float64Array(series.length).fill(Number.NaN));
  for (const [t, value] of series.entries()) {
    history.push(value, false);
    if ((t + 1) % LEVEL_WINDOW === 0) member.refit(t);
    for (let h = 1; h <= HORIZON; h++) forecasts[h - 1]![t] = member.forecast(t, h);
  }
  return forecasts;
}

describe('level-reversion member', () => {
  const level = 40;
  const phi = 0.9;
  const series = meanRevertingAr1(3 * SEASON, { level, phi, seed: 7 });
  const forecasts = run(series);
  const late = series.map((_, t) => t).filter((t) => t >= 2 * SEASON && t + HORIZON < series.length);

  it('on a mean-reverting AR(1) reverts towards the level and beats last-value out of sample', () => {
    for (const h of [6, 12]) {
      let member = 0;
      let lastValue = 0;
      for (const t of late) {
        const forecast = forecasts[h - 1]![t]!;
        expect(Number.isNaN(forecast), `h=${h} t=${t}`).toBe(false);
        // Between the last value and the level: never past the level, never away from it.
        const distance = series[t]! - level;
        expect(Math.abs(forecast - level)).toBeLessThanOrEqual(Math.abs(distance) + 0.5);
        member += Math.abs(series[t + h]! - forecast);
        lastValue += Math.abs(series[t + h]! - series[t]!);
      }
      // The best forecast's error σ against last-value's: √((1 − φ²ʰ) / (2(1 − φʰ))), 0.875 at
      // 6 steps and 0.80 at 12; a fitted model may come within a few points of it.
      const optimal = Math.sqrt((1 - phi ** (2 * h)) / (2 * (1 - phi ** h)));
      expect(member / lastValue, `h=${h}`).toBeLessThan(optimal + 0.04);
    }
  });

  it('stays out beyond the recent-level window, and until the evidence rule is met', () => {
    for (const t of late) expect(Number.isNaN(forecasts[HORIZON - 1]![t]!)).toBe(true);
    // 2 coefficients need 20 origins and 10 independent h-step changes: 60 origins at 6 steps.
    expect(Number.isNaN(forecasts[5]![40]!)).toBe(true);
  });

  it('reverts as well after the level moves a million times its noise away from the first sample', () => {
    // Measured from any fixed point (0, or the first sample), a level this far away leaves the
    // normal equations ill-conditioned: the fit fell back to last-value (1.003 × its MAE).
    const shifted = series.map((value, t) => (t < 10 ? value : value + 2e6));
    const moved = run(shifted);
    const h = 6;
    let member = 0;
    let lastValue = 0;
    // Origins whose fit window (two seasons) no longer holds the jump itself.
    for (const t of late.filter((origin) => origin - h - 2 * SEASON > 10)) {
      member += Math.abs(shifted[t + h]! - moved[h - 1]![t]!);
      lastValue += Math.abs(shifted[t + h]! - shifted[t]!);
    }
    const optimal = Math.sqrt((1 - phi ** (2 * h)) / (2 * (1 - phi ** h)));
    expect(member / lastValue).toBeLessThan(optimal + 0.04);
  });

  it('is equivariant: shifting and scaling the series shifts and scales its forecasts', () => {
    const moved = run(series.map((value) => 3 * value + 1000));
    for (const t of late.slice(0, 50)) {
      const h = 6;
      expect(moved[h - 1]![t]!).toBeCloseTo(3 * forecasts[h - 1]![t]! + 1000, 6);
    }
  });
});
