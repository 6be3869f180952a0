import type { ForecastOutcome } from '../forecast/forecast-types';

/**
 * One hour of the outlook: the forecast at the end of the hour and the replicas its upper bound
 * needs at the target.
 *
 * @example
 * ```ts
 * const hour: ScalingOutlookHour = { hour: 1, mean: 3.2, lower: 2.8, upper: 3.9, replicasNeeded: 14 };
 * ```
 */
export interface ScalingOutlookHour {
  hour: number;
  mean: number;
  lower: number;
  upper: number;
  /** `ceil(upper / targetPerPod)`; `undefined` when the target per pod is unknown. */
  replicasNeeded: number | undefined;
}

/**
 * The next hours of demand as every recommendation carries it (default six hours), or why there
 * is none.
 *
 * @example
 * ```ts
 * const peakIn = (outlook: ScalingOutlook) => (outlook.status === 'ok' ? outlook.peak.inHours : undefined);
 * ```
 */
export type ScalingOutlook =
  | {
      status: 'ok';
      horizonHours: number;
      /** Central coverage of `lower`/`upper`. */
      level: number;
      hourly: ScalingOutlookHour[];
      /** The highest upper bound over the outlook and when it comes. */
      peak: { inHours: number; upper: number; replicasNeeded: number | undefined };
      /** The lowest mean over the outlook and when it comes. */
      trough: { inHours: number; mean: number; replicasNeeded: number | undefined };
    }
  | { status: 'unavailable'; horizonHours: number; reason: string };

/**
 * Summarises a forecast into a per-hour outlook with its peak and trough, in replicas at the
 * target. Reports `unavailable` (with the reason) rather than inventing anything.
 *
 * @example
 * ```ts
 * const outlook = scalingOutlook(outcome, { stepSeconds: 300, targetPerPod: 0.28 });
 * if (outlook.status === 'ok') console.log(`peak ${outlook.peak.replicasNeeded} pods in ${outlook.peak.inHours} h`);
 * ```
 */
export function scalingOutlook(
  outcome: ForecastOutcome | undefined,
  settings: { stepSeconds: number; targetPerPod: number | undefined; hours?: number | undefined },
): ScalingOutlook {
  const hours = settings.hours ?? 6;
  if (outcome === undefined)
    return { status: 'unavailable', horizonHours: hours, reason: 'no demand history' };
  if (outcome.status !== 'ok') {
    return {
      status: 'unavailable',
      horizonHours: hours,
      reason: `insufficient history: need ${outcome.needed} samples, have ${outcome.have}`,
    };
  }
  const stepsPerHour = Math.max(1, Math.round(3600 / settings.stepSeconds));
  const needed = (demand: number) =>
    settings.targetPerPod !== undefined && settings.targetPerPod > 0
      ? Math.max(0, Math.ceil(demand / settings.targetPerPod - 1e-9))
      : undefined;
  const hourly: ScalingOutlookHour[] = [];
  for (let hour = 1; hour <= hours; hour++) {
    const point = outcome.points[hour * stepsPerHour - 1];
    if (point === undefined) break;
    hourly.push({
      hour,
      mean: point.mean,
      lower: point.lower,
      upper: point.upper,
      replicasNeeded: needed(point.upper),
    });
  }
  const covered = outcome.points.slice(0, hours * stepsPerHour);
  let peakIndex = 0;
  let troughIndex = 0;
  covered.forEach((point, index) => {
    if (point.upper > covered[peakIndex]!.upper) peakIndex = index;
    if (point.mean < covered[troughIndex]!.mean) troughIndex = index;
  });
  const inHours = (index: number) => Math.round(((index + 1) / stepsPerHour) * 100) / 100;
  return {
    status: 'ok',
    horizonHours: Math.min(hours, covered.length / stepsPerHour),
    level: outcome.level,
    hourly,
    peak: {
      inHours: inHours(peakIndex),
      upper: covered[peakIndex]!.upper,
      replicasNeeded: needed(covered[peakIndex]!.upper),
    },
    trough: {
      inHours: inHours(troughIndex),
      mean: covered[troughIndex]!.mean,
      replicasNeeded: needed(covered[troughIndex]!.mean),
    },
  };
}
