import { describe, expect, it } from 'vitest';
import { createRecentMedianModel, RECENT_MEDIAN_FEATURES } from './recent-median';
import { decayingSpikes } from './synthetic-series.test-helper';

/** A series fed to a model the way the ensemble feeds it: history, prefix sums, gap-fill flags. */
function seriesState() {
  const history: number[] = [];
  const prefix: number[] = [0];
  const filled: boolean[] = [];
  const push = (value: number, fill = false) => {
    prefix.push(prefix.at(-1)! + value);
    history.push(value);
    filled.push(fill);
  };
  return { history, prefix, filled, push };
}

const options = { seasonLength: 1000, levelWindow: 12, decay: 2 ** (-1 / 200) };

describe('createRecentMedianModel', () => {
  it('forecasts nothing until its window holds 10 origins and 5 independent h-step changes per coefficient', () => {
    const state = seriesState();
    const model = createRecentMedianModel({ ...options, horizonSteps: 8, ...state });
    const needed = 10 * RECENT_MEDIAN_FEATURES;
    for (const value of decayingSpikes(needed, 1)) state.push(value);
    model.refit(state.history.length - 1);
    // The origins whose 1-step target is known number fewer than 10 per coefficient.
    expect(model.forecast(state.history.length - 1, 1)).toBeNaN();
    for (const value of decayingSpikes(200, 2)) state.push(value);
    model.refit(state.history.length - 1);
    const t = state.history.length - 1;
    expect(Number.isFinite(model.forecast(t, 1))).toBe(true);
    // At 8 steps, ~270 origins carry ~34 independent changes, fewer than 5 × 8: still none.
    expect(model.forecast(t, 8)).toBeNaN();
  });

  it('needs no season: on decaying spikes it forecasts the median decay and beats last-value out of sample', () => {
    const series = decayingSpikes(1400, 3);
    const state = seriesState();
    const model = createRecentMedianModel({ ...options, horizonSteps: 1, ...state });
    let modelError = 0;
    let lastValueError = 0;
    let scored = 0;
    for (const [t, value] of series.entries()) {
      // Score the forecast made at t − 1 before the model sees the value at t.
      if (t >= 700) {
        const forecast = model.forecast(t - 1, 1);
        expect(Number.isFinite(forecast)).toBe(true);
        modelError += Math.abs(value - forecast);
        lastValueError += Math.abs(value - series[t - 1]!);
        scored++;
      }
      state.push(value);
      if ((t + 1) % options.levelWindow === 0) model.refit(t);
    }
    expect(scored).toBe(700);
    // A decay of 20 % a step is most of each typical change: the median fit takes it.
    expect(modelError).toBeLessThan(0.6 * lastValueError);
  });
});
