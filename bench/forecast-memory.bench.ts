/**
 * Memory the incremental ensemble forecaster retains, by horizon: the JavaScript heap plus the
 * typed arrays' buffers after `N` observations of a synthetic daily series (5-minute steps), with a
 * full garbage collection before each reading.
 *
 *   pnpm bench forecast-memory
 *
 * The ensemble keeps the forecasts of the last origins until their targets arrive (a triangle of
 * `horizon·(horizon+1)/2` cells) and a residual window per horizon (`max(2 days, 40·h)` long), so
 * its memory grows with `horizon²`; this is the figure docs/autoscaling.md quotes.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEnsembleForecaster } from '@ballast/advisor';
import type { BenchReport } from './run';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function retained(): number {
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const OBSERVATIONS = Number(process.env.FORECAST_MEMORY_OBSERVATIONS ?? 1000);
const HORIZONS = [72, 288, 1440];

export default async function run(): Promise<BenchReport> {
  const rows: Array<Record<string, string | number>> = [];
  for (const horizonSteps of HORIZONS) {
    const before = retained();
    const forecaster = createEnsembleForecaster({ horizonSteps, stepSeconds: 300 });
    const created = retained() - before;
    const started = performance.now();
    for (let t = 0; t < OBSERVATIONS; t++)
      forecaster.observe(50 + 20 * Math.sin((2 * Math.PI * t) / 288) + ((t * 7919) % 13) / 13);
    const seconds = (performance.now() - started) / 1000;
    const after = retained() - before;
    rows.push({
      horizonSteps,
      observations: OBSERVATIONS,
      'MB at creation': Number((created / 1e6).toFixed(1)),
      [`MB after ${OBSERVATIONS}`]: Number((after / 1e6).toFixed(1)),
      'ms per observe': Number(((seconds * 1000) / OBSERVATIONS).toFixed(2)),
    });
    // Keep the forecaster alive until the reading above.
    if (forecaster.length !== OBSERVATIONS) throw new Error('unreachable');
  }
  return {
    name: 'Ensemble forecaster memory by horizon',
    rows,
    notes: [
      'MB: process.memoryUsage() heapUsed + arrayBuffers retained by one forecaster, after a full GC.',
      'Synthetic daily sine at 5-minute steps; the ensemble state does not depend on the values.',
    ],
  };
}
