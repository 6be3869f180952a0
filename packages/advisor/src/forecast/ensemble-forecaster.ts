import { ConfigError } from '@ballast/core';
import { CombinationWeights } from './combination-weights';
import { ConformalIntervals } from './conformal-intervals';
import { type EnsembleMember, ensembleMembers } from './ensemble-members';
import { resolveEnsembleOptions } from './ensemble-options';
import type { ForecastOutcome, ForecastPoint } from './forecast-types';
import { solveLinearSystem } from './linear-solvers';
import { createLocalLevelBank } from './local-level';
import { anchorHorizons, leastAbsoluteDeviations } from './median-regression';
import { createRecentMedianModel } from './recent-median';
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
const MAX_SEASONAL_MEAN_DAYS = 7;
/** Regressors of the direct model (see `direct-regression`). */
const FEATURES = 4;
/** Ridge penalty of the direct model, relative to the mean diagonal of its normal equations. */
const RIDGE = 0.01;
const DAMPED = { alpha: 0.5, beta: 0.1, phi: 0.9 };
/** Regressors of the median model (see `median-regression`). */
const MEDIAN_FEATURES = 6;
/**
 * Evidence the median model needs per coefficient: 10 origins, and 5 _independent_ `h`-step
 * changes. Changes from consecutive origins overlap in `h − 1` steps, so `n` origins carry about
 * `n / h` independent ones (the argument behind the ensemble's prior): at long horizons the model
 * waits for a longer history instead of fitting six coefficients on a handful of independent
 * changes. It fits on the last two seasons of origins, more (up to a week) where the horizon needs.
 */
const MEDIAN_SAMPLES_PER_FEATURE = 10;
const MEDIAN_INDEPENDENT_PER_FEATURE = 5;
/** Fewest origins the median model's window spans (20 per coefficient), for short seasons. */
const MEDIAN_MINIMUM_WINDOW = 20 * MEDIAN_FEATURES;
const MEDIAN_MAX_WINDOW_SEASONS = 7;
const SMOOTHED_ALPHA = 0.3;

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
  const { horizon, season, week, level, decay, halfLife, residualWindow, levelWindow, enabled } = settings;

  const memberCount = ensembleMembers.length;
  const medianMember = ensembleMembers.indexOf('median-regression');
  const recentMedianMember = ensembleMembers.indexOf('recent-median');
  const series = new SeriesHistory(levelWindow);
  const { values: history, prefix, filled: filledFlags } = series;
  let dampedLevel = Number.NaN;
  let dampedTrend = 0;
  let smoothed = Number.NaN;
  const localLevels = createLocalLevelBank({ horizonSteps: horizon, errorHalfLifeSteps: halfLife });
  const recentMedian = createRecentMedianModel({
    horizonSteps: horizon,
    seasonLength: season,
    levelWindow,
    decay,
    history,
    prefix,
    filled: filledFlags,
  });

  const combination = new CombinationWeights({
    horizonSteps: horizon,
    decay,
    relativeErrorPriorDeviation: settings.relativeErrorPriorDeviation,
    enabled,
  });
  const errors = new Float64Array(memberCount);
  // Direct regression per horizon: discounted normal equations Σ x xᵀ and Σ x·(y(t+h) − y(t)).
  const gram = new Float64Array(horizon * FEATURES * FEATURES);
  const moment = new Float64Array(horizon * FEATURES);
  const coefficients = new Float64Array(horizon * FEATURES);
  // Discounted count of the origins behind each horizon's direct fit (its evidence, see `directTrusted`).
  const directEvidence = new Float64Array(horizon);
  const features = new Float64Array(FEATURES);
  // Median regression: coefficients per anchor horizon (refitted every level window, i.e. hourly).
  const anchors = anchorHorizons(horizon);
  const medianCoefficients: Array<Float64Array | undefined> = anchors.map(() => undefined);
  const medianFeatures = new Float64Array(MEDIAN_FEATURES);
  const medianWindow = (h: number) =>
    Math.min(
      MEDIAN_MAX_WINDOW_SEASONS * season,
      Math.max(2 * season, MEDIAN_INDEPENDENT_PER_FEATURE * MEDIAN_FEATURES * h, MEDIAN_MINIMUM_WINDOW),
    );
  const medianBlend = new Float64Array(MEDIAN_FEATURES);
  // Forecasts of the last `horizon + 1` origins, ring-indexed by origin.
  const ring = horizon + 1;
  const memberForecasts = new Float64Array(ring * horizon * memberCount).fill(Number.NaN);
  const ensembleForecasts = new Float64Array(ring * horizon).fill(Number.NaN);
  // Discounted over the residual window, like the residuals behind the intervals.
  const typical = new TypicalErrors(horizon, 2 ** (-1 / residualWindow));
  const intervals = new ConformalIntervals(settings, series, typical);
  let latest: { points: ForecastPoint[]; weights: Array<Record<EnsembleMember, number>> } | undefined;

  const recentLevel = (t: number): number => series.recentLevel(t);

  function memberForecast(member: number, t: number, h: number): number {
    const target = t + h;
    switch (ensembleMembers[member]) {
      case 'last-value':
        return history[t]!;
      case 'seasonal-naive': {
        const lag = season * Math.ceil(h / season);
        return target - lag >= 0 ? history[target - lag]! : Number.NaN;
      }
      case 'weekly-naive': {
        if (t + 1 < 2 * week) return Number.NaN;
        return history[target - week * Math.ceil(h / week)]!;
      }
      case 'seasonal-level': {
        const lag = season * Math.ceil(h / season);
        if (t - lag < 0) return Number.NaN;
        return history[target - lag]! + recentLevel(t) - recentLevel(t - lag);
      }
      case 'seasonal-mean': {
        const base = season * Math.ceil(h / season);
        const days = Math.min(MAX_SEASONAL_MEAN_DAYS, Math.floor((t - base) / season) + 1);
        if (days < 2) return Number.NaN;
        let sum = 0;
        let levels = 0;
        for (let day = 0; day < days; day++) {
          const lag = base + day * season;
          sum += history[target - lag]!;
          levels += recentLevel(t - lag);
        }
        return (sum - levels) / days + recentLevel(t);
      }
      case 'damped-trend': {
        let factor = 0;
        let power = 1;
        for (let step = 1; step <= h; step++) {
          power *= DAMPED.phi;
          factor += power;
        }
        return dampedLevel + dampedTrend * factor;
      }
      case 'smoothed-level':
        return smoothed;
      case 'local-level':
        return localLevels.forecast(h);
      case 'median-regression':
        return medianForecast(t, h);
      case 'recent-median':
        return recentMedian.forecast(t, h);
      default: {
        if (!directTrusted(h) || !regressors(t, h, features)) return Number.NaN;
        let change = 0;
        for (let index = 0; index < FEATURES; index++)
          change += coefficients[(h - 1) * FEATURES + index]! * features[index]!;
        return history[t]! + change;
      }
    }
  }

  /** The median model's regressors at origin `t` for horizon `h`; `false` before a season is known. */
  function medianRegressors(t: number, h: number, out: Float64Array): boolean {
    const lag = season * Math.ceil(h / season);
    if (t - lag < 0 || t < 1) return false;
    const dayLevel = series.meanOver(t, season);
    out[0] = 1;
    out[1] = history[t]! - recentLevel(t);
    out[2] = history[t]! - dayLevel;
    out[3] = history[t]! - history[t - 1]!;
    out[4] = history[t + h - lag]! - history[t - lag]!;
    out[5] = history[t]! - history[t - lag]!;
    return true;
  }

  /** Refits every anchor horizon's median model on the origins whose targets are known at `t`. */
  function fitMedianModels(t: number): void {
    for (const [index, h] of anchors.entries()) {
      const last = t - h;
      const first = Math.max(0, last - medianWindow(h) + 1);
      const rows: number[] = [];
      const targets: number[] = [];
      const weights: number[] = [];
      for (let origin = first; origin <= last; origin++) {
        // Gap fills are never fitted on, as origins or as targets.
        if (filledFlags[origin + h] || filledFlags[origin]) continue;
        if (!medianRegressors(origin, h, medianFeatures)) continue;
        for (let j = 0; j < MEDIAN_FEATURES; j++) rows.push(medianFeatures[j]!);
        targets.push(history[origin + h]! - history[origin]!);
        weights.push(decay ** (last - origin));
      }
      const enough =
        targets.length >= MEDIAN_SAMPLES_PER_FEATURE * MEDIAN_FEATURES &&
        targets.length / h >= MEDIAN_INDEPENDENT_PER_FEATURE * MEDIAN_FEATURES;
      if (!enough) continue;
      medianCoefficients[index] = leastAbsoluteDeviations(
        Float64Array.from(rows),
        Float64Array.from(targets),
        Float64Array.from(weights),
        MEDIAN_FEATURES,
        { start: medianCoefficients[index], iterations: medianCoefficients[index] ? 8 : 20 },
      );
    }
  }

  /** `y(t) +` the median change to `t + h`, coefficients interpolated between anchor horizons. */
  function medianForecast(t: number, h: number): number {
    let upper = 0;
    while (anchors[upper]! < h) upper++;
    const lower = anchors[upper] === h ? upper : upper - 1;
    const low = medianCoefficients[lower];
    const high = medianCoefficients[upper];
    if (low === undefined || high === undefined) return Number.NaN;
    if (!medianRegressors(t, h, medianFeatures)) return Number.NaN;
    const span = anchors[upper]! - anchors[lower]!;
    const fraction = span === 0 ? 0 : (h - anchors[lower]!) / span;
    let change = 0;
    for (let j = 0; j < MEDIAN_FEATURES; j++) {
      medianBlend[j] = low[j]! + fraction * (high[j]! - low[j]!);
      change += medianBlend[j]! * medianFeatures[j]!;
    }
    return history[t]! + change;
  }

  /** The direct model's regressors at origin `t` for horizon `h`; `false` before a season is known. */
  function regressors(t: number, h: number, out: Float64Array): boolean {
    const lag = season * Math.ceil(h / season);
    if (t - lag < 0 || t < 1) return false;
    out[0] = history[t + h - lag]! - history[t - lag]!;
    out[1] = history[t]! - history[t - lag]!;
    out[2] = history[t]! - history[t - 1]!;
    out[3] = history[t]! - recentLevel(t);
    return true;
  }

  /**
   * Whether horizon `h`'s direct model has the evidence the median models need before they
   * forecast: 10 origins and 5 independent `h`-step changes (`n / h`) per coefficient, `n` the
   * discounted count of origins behind the fit. With the one-season half-life `n` stays below
   * about `1.44 × season`, so at long horizons (6 hours at 5-minute steps) the least-squares fit on
   * a handful of independent changes, which overfit there, stays out.
   */
  function directTrusted(h: number): boolean {
    const evidence = directEvidence[h - 1]!;
    return (
      evidence >= MEDIAN_SAMPLES_PER_FEATURE * FEATURES &&
      evidence / h >= MEDIAN_INDEPENDENT_PER_FEATURE * FEATURES
    );
  }

  /** Adds origin `t − h` → value at `t` to horizon `h`'s normal equations and re-solves them. */
  function fitDirect(t: number, h: number, value: number): void {
    const origin = t - h;
    if (!regressors(origin, h, features)) return;
    const target = value - history[origin]!;
    directEvidence[h - 1] = decay * directEvidence[h - 1]! + 1;
    const g = (h - 1) * FEATURES * FEATURES;
    const m = (h - 1) * FEATURES;
    for (let i = 0; i < FEATURES; i++) {
      moment[m + i] = decay * moment[m + i]! + features[i]! * target;
      for (let j = 0; j < FEATURES; j++)
        gram[g + i * FEATURES + j] = decay * gram[g + i * FEATURES + j]! + features[i]! * features[j]!;
    }
    let diagonal = 0;
    for (let i = 0; i < FEATURES; i++) diagonal += gram[g + i * FEATURES + i]!;
    const ridge = (RIDGE * diagonal) / FEATURES + 1e-12;
    const system = new Float64Array(FEATURES * (FEATURES + 1));
    for (let i = 0; i < FEATURES; i++) {
      for (let j = 0; j < FEATURES; j++)
        system[i * (FEATURES + 1) + j] = gram[g + i * FEATURES + j]! + (i === j ? ridge : 0);
      system[i * (FEATURES + 1) + FEATURES] = moment[m + i]!;
    }
    const solved = solveLinearSystem(system, FEATURES);
    if (solved !== undefined) for (let i = 0; i < FEATURES; i++) coefficients[m + i] = solved[i]!;
  }

  function updateSmoothers(value: number): void {
    if (Number.isNaN(dampedLevel)) {
      dampedLevel = value;
      smoothed = value;
      return;
    }
    const previous = dampedLevel;
    dampedLevel = DAMPED.alpha * value + (1 - DAMPED.alpha) * (previous + DAMPED.phi * dampedTrend);
    dampedTrend = DAMPED.beta * (dampedLevel - previous) + (1 - DAMPED.beta) * DAMPED.phi * dampedTrend;
    smoothed = SMOOTHED_ALPHA * value + (1 - SMOOTHED_ALPHA) * smoothed;
  }

  /**
   * Weight of one origin's errors in the combination's error matrix: `δ / max(|e|, δ)`, with `e`
   * the combination's own error and `δ` its typical absolute `h`-step error. The score is absolute
   * error, and a squared-error fit of the weights lets a few spikes (which every member misses,
   * each differently) decide them: it buys members that hedge the spikes and lose everywhere
   * else. With this weight, minimising `wᵀ M w` is one iteratively-reweighted step towards the
   * Huber loss at `δ`: squared for typical errors, absolute beyond (the IRLS of `median-regression`,
   * run online). Before the combination has errors, or when it had none, every origin weighs 1.
   */
  function robustWeight(h: number, combinedError: number): number {
    if (Number.isNaN(combinedError) || !typical.has(h)) return 1;
    const delta = typical.mean(h);
    return delta > 0 ? delta / Math.max(Math.abs(combinedError), delta) : 1;
  }

  /** Scores every forecast whose target is the sample just observed at `t`. */
  function score(t: number, value: number): void {
    for (let h = 1; h <= horizon; h++) {
      const origin = t - h;
      if (origin < ENSEMBLE_MINIMUM - 1) break;
      const slot = origin % ring;
      const row = (slot * horizon + h - 1) * memberCount;
      for (let member = 0; member < memberCount; member++) {
        errors[member] = value - memberForecasts[row + member]!;
      }
      const robust = robustWeight(h, value - ensembleForecasts[slot * horizon + h - 1]!);
      combination.record(h, errors, robust);
      fitDirect(t, h, value);
      const mean = ensembleForecasts[slot * horizon + h - 1]!;
      if (Number.isNaN(mean)) continue;
      intervals.record(origin, h, value, mean);
      typical.record(h, Math.abs(value - mean));
    }
  }

  /** Member forecasts, weights, mean and intervals from origin `t`; stored for later scoring. */
  function forecastFrom(t: number): {
    points: ForecastPoint[];
    weights: Array<Record<EnsembleMember, number>>;
  } {
    const slot = t % ring;
    const points: ForecastPoint[] = [];
    const weights: Array<Record<EnsembleMember, number>> = [];
    const memberValues = new Float64Array(memberCount);
    const memberWeights = new Float64Array(memberCount);
    for (let h = 1; h <= horizon; h++) {
      const row = (slot * horizon + h - 1) * memberCount;
      for (let member = 0; member < memberCount; member++) {
        const value = memberForecast(member, t, h);
        memberValues[member] = value;
        memberForecasts[row + member] = value;
      }
      combination.weights(h, memberValues, memberWeights);
      let mean = 0;
      const named = {} as Record<EnsembleMember, number>;
      for (let member = 0; member < memberCount; member++) {
        const weight = memberWeights[member]!;
        named[ensembleMembers[member]!] = weight;
        if (weight > 0) mean += weight * memberValues[member]!;
      }
      // No enabled member can forecast yet (e.g. only seasonal members in the first day): last value.
      if (Object.values(named).every((weight) => weight === 0)) mean = history[t]!;
      weights.push(named);
      ensembleForecasts[slot * horizon + h - 1] = mean;
      points.push(intervals.point(t, h, mean, intervals.scale(h, memberValues, mean)));
    }
    return { points, weights };
  }

  return {
    get length() {
      return history.length;
    },
    get observedCount() {
      return series.observedCount;
    },
    observe(value, observeOptions) {
      if (!Number.isFinite(value)) {
        throw new ConfigError({
          message: `Invalid ensemble forecaster sample: ${value} is not finite (fill gaps first, e.g. with toRegularGrid)`,
          issues: [{ path: 'value', message: 'must be finite' }],
        });
      }
      const filled = observeOptions?.filled === true;
      const t = series.push(value, filled);
      if (!filled) score(t, value);
      updateSmoothers(value);
      localLevels.observe(value, { filled });
      if (enabled[medianMember] && (t + 1) % levelWindow === 0) fitMedianModels(t);
      if (enabled[recentMedianMember] && (t + 1) % levelWindow === 0) recentMedian.refit(t);
      latest = t >= ENSEMBLE_MINIMUM - 1 ? forecastFrom(t) : undefined;
    },
    forecast(): ForecastOutcome {
      if (latest === undefined || series.observedCount < ENSEMBLE_MINIMUM) {
        return {
          status: 'insufficient_data',
          model: 'ensemble',
          needed: ENSEMBLE_MINIMUM,
          have: series.observedCount,
          message: `the ensemble needs ${ENSEMBLE_MINIMUM} observed samples, got ${series.observedCount}`,
        };
      }
      const t = history.length - 1;
      const seasonality = t + 1 >= 2 * week ? 'weekly' : t + 1 > season ? 'daily' : 'none';
      return {
        status: 'ok',
        model: 'ensemble',
        points: latest.points,
        level,
        seasonLength: season,
        seasonality,
        weights: latest.weights,
        parameters: {},
        residualStandardDeviation: intervals.residualStandardDeviation(),
        historyUsed: history.length,
      };
    },
  };
}
