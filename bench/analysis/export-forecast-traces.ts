/**
 * Exports the three testkit traces exactly as `pnpm bench autoscaling` feeds them to
 * `evaluateForecasterRolling` (`traceOnGrid(trace, traceUtilizationPercent(trace))`, gap slots as
 * `null`), the grid the evaluator scores on (`toRegularGrid`: gap slots filled and flagged), and the
 * bench's own rolling scores (origins every step after a one-day warm-up, horizons 1, 6, 12, 72;
 * and the same scored from one day later only),
 * for the hindsight bound in `forecast-bound.py`, which checks its baselines against them.
 *
 *   npx -y pnpm@10.34.8 -s exec tsx --conditions=@ballast/source bench/analysis/export-forecast-traces.ts > /tmp/forecast-traces.json
 */
import { evaluateForecasterRolling, toRegularGrid } from '@ballast/advisor';
import { loadTrace, traceNames, traceOnGrid, traceUtilizationPercent } from '@ballast/testkit';

/** The bench's horizons (5 min, 30 min, 1 h, 6 h at 300 s) and warm-up (one day). */
const HORIZONS = [1, 6, 12, 72];
const WARMUP_STEPS = 288;

const traces = traceNames.map((name) => {
  const trace = loadTrace(name);
  const percent = traceOnGrid(trace, traceUtilizationPercent(trace));
  const grid = toRegularGrid(percent, { stepSeconds: trace.stepSeconds });
  const scores = evaluateForecasterRolling(percent, {
    stepSeconds: trace.stepSeconds,
    horizons: HORIZONS,
    warmupSteps: WARMUP_STEPS,
    levels: [0.8, 0.95],
  });
  // The same forecaster scored from one day after the first origin only (it still sees every
  // sample before): the origins of forecast-bound.py's rolling figure.
  const fromSecondDay = evaluateForecasterRolling(percent, {
    stepSeconds: trace.stepSeconds,
    horizons: HORIZONS,
    warmupSteps: 2 * WARMUP_STEPS,
    levels: [0.8, 0.95],
  });
  return {
    name,
    stepSeconds: trace.stepSeconds,
    values: percent.map((value) => (Number.isFinite(value) ? value : null)),
    grid: grid.values,
    filled: grid.filled,
    bench: scores.map((score) => ({
      horizonSteps: score.horizonSteps,
      count: score.count,
      meanAbsoluteError: score.meanAbsoluteError,
      lastValueMeanAbsoluteError: score.lastValueMeanAbsoluteError,
      seasonalNaiveMeanAbsoluteError: score.seasonalNaiveMeanAbsoluteError,
    })),
    benchFromSecondDay: fromSecondDay.map((score) => ({
      horizonSteps: score.horizonSteps,
      count: score.count,
      meanAbsoluteError: score.meanAbsoluteError,
      lastValueMeanAbsoluteError: score.lastValueMeanAbsoluteError,
      seasonalNaiveMeanAbsoluteError: score.seasonalNaiveMeanAbsoluteError,
    })),
  };
});
process.stdout.write(`${JSON.stringify({ warmupSteps: WARMUP_STEPS, horizons: HORIZONS, traces })}\n`);
