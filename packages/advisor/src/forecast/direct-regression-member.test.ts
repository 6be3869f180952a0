import { describe, expect, it } from 'vitest';
import { DirectRegressionMember } from './direct-regression-member';
import { SeriesHistory } from './series-history';
import { meanRevertingAr1 } from './synthetic-series.test-helper';

const SEASON = 24;
const HORIZON = 40;
/** Half-life of 1000 origins: `n` tends to about 1443, enough for `n / h ≥ 30` at 40 steps. */
const DECAY = 2 ** (-1 / 1000);

/**
 * Feeds `series` to a member as the ensemble does (each `h`-step target as it arrives) and
 * returns its forecast at every origin and horizon (`NaN` where it does not forecast).
 */
function run(series: readonly number[]): Float64Array[] {
  const history = new SeriesHistory(12);
  const member = new DirectRegressionMember(
    { horizonSteps: HORIZON, seasonLength: SEASON, decay: DECAY },
    history,
  );
  const forecasts = Array.from({ length: HORIZON }, () => new Float64Array(series.length).fill(Number.NaN));
  for (const [t, value] of series.entries()) {
    history.push(value, false);
    for (let h = 1; h <= HORIZON && h <= t; h++) member.fit(t, h, value);
    for (let h = 1; h <= HORIZON; h++) forecasts[h - 1]![t] = member.forecast(t, h);
  }
  return forecasts;
}

describe('direct-regression member', () => {
  const level = 50;
  const phi = 0.9;
  const series = meanRevertingAr1(6000, { level, phi, seed: 21 });
  const forecasts = run(series);
  const late = series.map((_, t) => t).filter((t) => t >= 4000 && t + HORIZON < series.length);

  it('on a mean-reverting AR(1) its long-horizon forecast is the long-run level, not the last value', () => {
    // 0.9⁴⁰ ≈ 0.015: the conditional mean 40 steps on is the level, whatever y(t) is.
    const at40 = forecasts[HORIZON - 1]!;
    let member = 0;
    let lastValue = 0;
    let farFromLevel = 0;
    for (const t of late) {
      expect(Number.isNaN(at40[t]!)).toBe(false);
      expect(Math.abs(at40[t]! - level)).toBeLessThan(1);
      if (Math.abs(series[t]! - level) > 4) farFromLevel++;
      member += Math.abs(series[t + HORIZON]! - at40[t]!);
      lastValue += Math.abs(series[t + HORIZON]! - series[t]!);
    }
    // The origins include many far from the level (stationary σ ≈ 2.3), yet the forecast stays at it.
    expect(farFromLevel).toBeGreaterThan(50);
    // Out of sample, the level beats the last value by about 1/√2 at a horizon this long.
    expect(member / lastValue).toBeLessThan(0.8);
  });

  it('reverts by the fitted fraction per horizon: forecast − level ≈ φʰ (y(t) − level)', () => {
    // Up to 10 steps; further on the fitted slope's own sampling error (n / h independent changes)
    // is as large as φʰ itself.
    for (const h of [1, 2, 5, 10]) {
      // Least-squares slope of the forecast's distance from the level on the last value's.
      let xy = 0;
      let xx = 0;
      for (const t of late) {
        const x = series[t]! - level;
        xy += x * (forecasts[h - 1]![t]! - level);
        xx += x * x;
      }
      expect(Math.abs(xy / xx - phi ** h)).toBeLessThan(0.07);
    }
  });

  it('is scale- and translation-equivariant: 2·y + 100 forecasts 2·f + 100', () => {
    const shifted = run(series.map((value) => 2 * value + 100));
    for (const h of [1, 12, HORIZON]) {
      for (const t of [3000, 4000, 5900]) {
        const original = forecasts[h - 1]![t]!;
        expect(shifted[h - 1]![t]!).toBeCloseTo(2 * original + 100, 6);
      }
    }
    // A power-of-two scale alone is exact in floating point.
    const doubled = run(series.map((value) => 2 * value));
    expect(doubled[5]![5000]).toBe(2 * forecasts[5]![5000]!);
  });

  it('waits for 10 origins and 5 independent changes per coefficient, intercept included (6)', () => {
    // One-step fits start once an origin has a season behind it (t = SEASON + 1); about 55 of
    // them would do for 5 coefficients, 60 are needed for 6.
    expect(Number.isNaN(forecasts[0]![SEASON + 55]!)).toBe(true);
    expect(Number.isNaN(forecasts[0]![SEASON + 70]!)).toBe(false);
    // The discounted count tends to 1443; n / h ≥ 30 holds up to h = 48, so all 40 horizons serve
    // late on.
    expect(Number.isNaN(forecasts[HORIZON - 1]![5900]!)).toBe(false);
  });
});
