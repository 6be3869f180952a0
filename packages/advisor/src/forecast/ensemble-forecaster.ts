import { ConfigError } from '@ballast/core';
import { CombinationWeights, robustOriginWeight } from './combination-weights';
import { ConformalIntervals } from './conformal-intervals';
import { EnsembleMemberBank } from './ensemble-member-bank';
import { type EnsembleMember, ensembleMembers } from './ensemble-members';
import { type EnsembleSettings, resolveEnsembleOptions } from './ensemble-options';
import type { ForecastOutcome, ForecastPoint } from './forecast-types';
import { rescaleResult, SAFE_MAGNITUDE_EXPONENT, scaleForMagnitude } from './magnitude';
import { OriginForecasts } from './origin-forecasts';
import { SeriesHistory } from './series-history';
import { TypicalErrors } from './typical-errors';

export { defaultEnsembleMembers, type EnsembleMember, ensembleMembers } from './ensemble-members';

/**
 * Options of {@link createEnsembleForecaster}.
 *
 * @example
 * ```ts
 * const options: EnsembleForecasterOptions = { horizonSteps: 72, stepSeconds: 300, levels: [0.8, 0.95] };
 * ```
 */
export interface EnsembleForecasterOptions {
  /** Steps ahead to forecast (≥ 1). Every step 1..horizonSteps gets its own weights and residuals. */
  horizonSteps: number;
  /** Sample spacing; sets the default season (one day) and the one-hour level window. */
  stepSeconds?: number | undefined;
  /** Samples per day; default `round(86400 / stepSeconds)`. Required without `stepSeconds`. */
  seasonLength?: number | undefined;
  /** Samples per week; default `7 × seasonLength`. Weekly members join once two weeks are known. */
  weekLength?: number | undefined;
  /** Interval level of `lower`/`upper`, default 0.9. */
  level?: number | undefined;
  /** Further interval levels reported in `intervals`, default `[0.8, 0.95]`. */
  levels?: readonly number[] | undefined;
  /**
   * Step of the adaptive conformal correction (Gibbs & Candès 2021): after each scored forecast
   * the miscoverage target moves by `rate × (nominal − missed)`. Default 0.01.
   */
  adaptationRate?: number | undefined;
  /**
   * Upper bound of the adapted miscoverage as a multiple of the nominal one (default 2: the 80 %
   * interval's level stays within 0–40 % miscoverage, the 95 % one's within 0–10 %). `Infinity`
   * restores the old bound, 0.999 (see `ADAPTIVE_MISCOVERAGE_BOUND` in `adaptive-conformal.ts`).
   */
  adaptiveMiscoverageBound?: number | undefined;
  /** Half-life of the member errors behind the weights, in steps; default one season. */
  errorHalfLifeSteps?: number | undefined;
  /**
   * Prior standard deviation of a member's log error ratio to last-value (default `ln 4`, see
   * `relativeMemberError`): smaller holds members nearer last-value's error until they have more
   * independent evidence; `Infinity` turns the shrinkage off (the paired ratio is used as measured).
   */
  relativeErrorPriorDeviation?: number | undefined;
  /**
   * Out-of-sample residuals kept per horizon for the intervals: at least this many (default two
   * seasons) and at least 40 independent `h`-step errors' worth (`40 × h`) at horizon `h`.
   */
  residualWindowSteps?: number | undefined;
  /**
   * Conformal score normalisation: `none` (default: raw residuals) or `member-spread` (residuals
   * divided by the typical error plus the members' current disagreement).
   */
  intervalScaling?: 'member-spread' | 'none' | undefined;
  /** Members to combine; default {@link defaultEnsembleMembers}. */
  members?: readonly EnsembleMember[] | undefined;
}

/**
 * An incremental forecaster: feed samples one at a time with `observe`, ask for the forecast from
 * the latest sample with `forecast`. See {@link createEnsembleForecaster}.
 *
 * @example
 * ```ts
 * const forecaster: EnsembleForecaster = createEnsembleForecaster({ horizonSteps: 12, stepSeconds: 300 });
 * forecaster.observe(4.2);
 * ```
 */
export interface EnsembleForecaster {
  /** Adds the next sample. A `filled` sample (a gap fill) extends the history but is never scored. */
  observe(value: number, options?: { filled?: boolean | undefined }): void;
  /** Forecast of steps 1..horizonSteps after the latest sample. */
  forecast(): ForecastOutcome;
  /** Samples observed so far (filled ones included). */
  readonly length: number;
  /** Samples observed that were not gap fills. */
  readonly observedCount: number;
}

/**
 * Fewest observed samples the ensemble forecasts from.
 *
 * @example
 * ```ts
 * if (history.length < ENSEMBLE_MINIMUM) console.log('not enough history yet');
 * ```
 */
export const ENSEMBLE_MINIMUM = 3;
const MEMBER_COUNT = ensembleMembers.length;

/**
 * Creates the ensemble forecaster: per horizon, a weighted mean of the {@link EnsembleMember}s
 * with weights learned from their own recent out-of-sample errors, and intervals calibrated from
 * the ensemble's own out-of-sample residuals.
 *
 * - **Fitted per horizon**: forecasts made at every origin are kept; when the value `h` steps later
 *   arrives, each member's `h`-step error updates a discounted error second-moment matrix for
 *   that horizon (half-life one season), each origin weighted Huber-style by how far the
 *   combination itself missed (a spike weighs like a typical error, not its square). The weights
 *   minimise the combination's error over the simplex, shrunk towards inverse-MSE weights while
 *   few independent errors are known (`h`-step errors overlap, so that takes `h` times longer at
 *   horizon `h`); a member that wins at
 *   5 minutes may lose at 6 hours and vice versa. The `local-level` member is itself fitted per
 *   horizon (see `createLocalLevelBank`). Before any error is scored the forecast is last-value.
 * - **Seasons**: daily members join once a day is known, the multi-day seasonal mean after two
 *   days, weekly-naive after two weeks. In the first day(s) the flat and damped members carry the
 *   forecast, and nothing extrapolates a straight line for hours.
 * - **Intervals**: split-conformal per horizon: empirical quantiles of the last
 *   `max(residualWindowSteps, 40·h)` out-of-sample `h`-step residuals around the mean (40
 *   independent errors at every horizon), symmetric (from `|residual|`) while fewer than 5
 *   independent errors are expected outside the interval, with an adaptive conformal correction
 *   of the quantile level so coverage tracks the nominal level as the series changes, bounded
 *   to at most twice the nominal miscoverage (a calm stretch of overlapping `h`-step forecasts
 *   must not shrink the interval to nothing, see `ADAPTIVE_MISCOVERAGE_BOUND`). Before a horizon has 20 residuals it borrows the longest shorter horizon's,
 *   widened by `√(h/h')`; before even one step ahead has 20, the random-walk spread
 *   `z·σ_Δ·√h` of the steps seen so far.
 * - Gap fills (`observe(value, { filled: true })`) extend the history but are never scored.
 * - **Extreme magnitudes** (beyond `2^±300`, about 1e±90) are fitted at a power-of-two scale (exact)
 *   set by the first such sample and re-based (the history replayed) only when a sample is 2^300
 *   times larger still, so squared errors neither overflow nor underflow and the forecast is that of
 *   the scaled series scaled back; ordinary series are untouched. A forecast or bound beyond the
 *   largest double (a series near `Number.MAX_VALUE`) throws a `ValidationError`
 *   (`magnitude_overflow`) from `forecast()`.
 * - **Memory**: the forecasts still waiting for their targets (`h(h+1)/2` cells of 11 members,
 *   mean, scale and bounds) and a residual window per horizon (`max(residualWindowSteps, 40·h)`,
 *   filled as forecasts are scored) grow with the square of the horizon: about 150 MB at creation
 *   at 1440 steps (see `pnpm bench forecast-memory`).
 *
 * @example
 * ```ts
 * const forecaster = createEnsembleForecaster({ horizonSteps: 72, stepSeconds: 300 });
 * for (const value of cpuCores) forecaster.observe(value);
 * const outcome = forecaster.forecast(); // outcome.points[71] is six hours ahead
 * ```
 */
export function createEnsembleForecaster(options: EnsembleForecasterOptions): EnsembleForecaster {
  const settings = resolveEnsembleOptions(options);
  let core = createEnsembleCore(settings);
  // Samples are fed to the core divided by `scale`, a power of two (exact): 1 while the largest
  // magnitude seen is ordinary (within 2^±300), so ordinary series are untouched; else that
  // magnitude's power of two, so squared errors neither overflow nor underflow (as in `forecast`).
  let scale = 1;
  let largest = 0;
  // The raw samples, kept once the scale left 1 (until then the core's history is the raw series).
  let raw: { values: number[]; filled: boolean[] } | undefined;

  /**
   * Starts the core again at `next` and replays every sample: the forecaster is then exactly the one
   * that would have used `next` from the start. The largest magnitude only grows and each re-base
   * needs it to grow 2^300-fold past the scale, so this happens a handful of times at most (the
   * doubles span 2^±1074), and never for an ordinary series.
   */
  function rebase(next: number): void {
    if (next === scale) return;
    raw ??= { values: [...core.series.values], filled: [...core.series.filled] };
    scale = next;
    core = createEnsembleCore(settings);
    for (let index = 0; index < raw.values.length; index++)
      core.observe(raw.values[index]! / scale, raw.filled[index]!);
  }

  return {
    get length() {
      return core.series.length;
    },
    get observedCount() {
      return core.series.observedCount;
    },
    observe(value, observeOptions) {
      assertFiniteSample(value);
      const filled = observeOptions?.filled === true;
      if (Math.abs(value) > largest) {
        largest = Math.abs(value);
        // Compared by exponents: `largest / scale` itself may overflow.
        const exponent = Math.floor(Math.log2(largest)) - Math.log2(scale);
        if (Math.abs(exponent) > SAFE_MAGNITUDE_EXPONENT) rebase(scaleForMagnitude(largest));
      }
      raw?.values.push(value);
      raw?.filled.push(filled);
      core.observe(value / scale, filled);
    },
    forecast(): ForecastOutcome {
      const outcome = core.forecast();
      return outcome.status === 'ok' ? rescaleResult(outcome, scale) : outcome;
    },
  };
}

/** The ensemble on samples already at a safe scale (see {@link createEnsembleForecaster}). */
function createEnsembleCore(settings: EnsembleSettings) {
  const { horizon, season, week, level } = settings;
  const series = new SeriesHistory(settings.levelWindow);
  const members = new EnsembleMemberBank(settings, series);
  const combination = new CombinationWeights({
    horizonSteps: horizon,
    decay: settings.decay,
    relativeErrorPriorDeviation: settings.relativeErrorPriorDeviation,
    enabled: settings.enabled,
  });
  // Discounted over the residual window, like the residuals behind the intervals.
  const typical = new TypicalErrors(horizon, 2 ** (-1 / settings.residualWindow));
  const intervals = new ConformalIntervals(settings, series, typical);
  const kept = new OriginForecasts(horizon);
  // Scratch rows reused at every origin and horizon (no allocation per step).
  const memberValues = new Float64Array(MEMBER_COUNT);
  const memberWeights = new Float64Array(MEMBER_COUNT);
  const memberErrors = new Float64Array(MEMBER_COUNT);
  let latest: LatestForecast | undefined;

  /** Scores every forecast whose target is the sample just observed at `t`. */
  function score(t: number, value: number): void {
    for (let h = 1; h <= horizon; h++) {
      const origin = t - h;
      if (origin < ENSEMBLE_MINIMUM - 1) break;
      const mean = kept.mean(origin, h);
      kept.memberErrors(origin, h, value, memberErrors);
      combination.record(h, memberErrors, robustOriginWeight(typical, h, value - mean));
      members.learn(t, h, value);
      if (Number.isNaN(mean)) continue;
      intervals.record(origin, h, value, mean);
      typical.record(h, Math.abs(value - mean));
    }
  }

  /** Member forecasts, weights, mean and intervals from origin `t`; kept for later scoring. */
  function forecastFrom(t: number): LatestForecast {
    const points: ForecastPoint[] = [];
    const weights: Array<Record<EnsembleMember, number>> = [];
    for (let h = 1; h <= horizon; h++) {
      forecastMembers(t, h);
      combination.weights(h, memberValues, memberWeights);
      weights.push(namedWeights(memberWeights));
      const mean = combinedMean(t);
      kept.storeMean(t, h, mean);
      points.push(intervals.point(t, h, mean, intervals.scale(h, memberValues, mean)));
    }
    return { points, weights };
  }

  function forecastMembers(t: number, h: number): void {
    for (let member = 0; member < MEMBER_COUNT; member++)
      memberValues[member] = members.forecast(member, t, h);
    kept.storeMembers(t, h, memberValues);
  }

  /** The weighted mean of the member forecasts. */
  function combinedMean(t: number): number {
    let mean = 0;
    let weighted = false;
    for (let member = 0; member < MEMBER_COUNT; member++) {
      const weight = memberWeights[member]!;
      if (weight !== 0) weighted = true;
      if (weight > 0) mean += weight * memberValues[member]!;
    }
    // No enabled member can forecast yet (e.g. only seasonal members in the first day): last value.
    return weighted ? mean : series.values[t]!;
  }

  return {
    series,
    observe(value: number, filled: boolean): void {
      const t = series.push(value, filled);
      if (!filled) score(t, value);
      members.observe(t, value, filled);
      latest = t >= ENSEMBLE_MINIMUM - 1 ? forecastFrom(t) : undefined;
    },
    forecast(): ForecastOutcome {
      const observed = series.observedCount;
      if (latest === undefined || observed < ENSEMBLE_MINIMUM) return insufficientData(observed);
      const t = series.length - 1;
      return {
        status: 'ok',
        model: 'ensemble',
        points: latest.points,
        level,
        seasonLength: season,
        seasonality: t + 1 >= 2 * week ? 'weekly' : t + 1 > season ? 'daily' : 'none',
        weights: latest.weights,
        parameters: {},
        residualStandardDeviation: intervals.residualStandardDeviation(),
        historyUsed: series.length,
      };
    },
  };
}

/** The forecast from the latest origin, made when its sample was observed. */
interface LatestForecast {
  points: ForecastPoint[];
  weights: Array<Record<EnsembleMember, number>>;
}

/** One weight per member, by name, in {@link ensembleMembers} order. */
function namedWeights(weights: Float64Array): Record<EnsembleMember, number> {
  const named = {} as Record<EnsembleMember, number>;
  for (let member = 0; member < MEMBER_COUNT; member++) named[ensembleMembers[member]!] = weights[member]!;
  return named;
}

function assertFiniteSample(value: number): void {
  if (!Number.isFinite(value)) {
    throw new ConfigError({
      message: `Invalid ensemble forecaster sample: ${value} is not finite (fill gaps first, e.g. with toRegularGrid)`,
      issues: [{ path: 'value', message: 'must be finite' }],
    });
  }
}

function insufficientData(have: number): ForecastOutcome {
  return {
    status: 'insufficient_data',
    model: 'ensemble',
    needed: ENSEMBLE_MINIMUM,
    have,
    message: `the ensemble needs ${ENSEMBLE_MINIMUM} observed samples, got ${have}`,
  };
}
