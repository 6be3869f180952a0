import {
  DirectMedianMember,
  levelReversionRegressors,
  seasonalMedianRegressors,
} from './direct-median-member';
import { DirectRegressionMember } from './direct-regression-member';
import { ensembleMembers } from './ensemble-members';
import type { EnsembleSettings } from './ensemble-options';
import { createLocalLevelBank, type LocalLevelBank } from './local-level';
import { createRecentMedianModel } from './recent-median';
import type { SeriesHistory } from './series-history';

const MAX_SEASONAL_MEAN_DAYS = 7;
const DAMPED = { alpha: 0.5, beta: 0.1, phi: 0.9 };
const SMOOTHED_ALPHA = 0.3;
const MEDIAN_MEMBER = ensembleMembers.indexOf('median-regression');
const RECENT_MEDIAN_MEMBER = ensembleMembers.indexOf('recent-median');
const LEVEL_REVERSION_MEMBER = ensembleMembers.indexOf('level-reversion');

/**
 * Every {@link ensembleMembers} forecaster with its state: the smoothers, the per-horizon fitted
 * models (local level, direct and median regressions) and the seasonal lookups on the shared
 * history. `observe` advances the state by one sample, `learn` feeds a scored `h`-step target to
 * the models fitted online, `forecast` answers one member at one horizon.
 *
 * @internal
 * @example
 * ```ts
 * const bank = new EnsembleMemberBank(settings, history);
 * bank.observe(t, value, false);
 * bank.forecast(ensembleMembers.indexOf('seasonal-level'), t, 12);
 * ```
 */
export class EnsembleMemberBank {
  private readonly season: number;
  private readonly week: number;
  private readonly levelWindow: number;
  private readonly enabled: readonly boolean[];
  private dampedLevel = Number.NaN;
  private dampedTrend = 0;
  private smoothed = Number.NaN;
  private readonly localLevels: LocalLevelBank;
  private readonly recentMedian: ReturnType<typeof createRecentMedianModel>;
  private readonly direct: DirectRegressionMember;
  private readonly median: DirectMedianMember;
  private readonly levelReversion: DirectMedianMember;

  constructor(
    settings: EnsembleSettings,
    private readonly series: SeriesHistory,
  ) {
    const { horizon, season, levelWindow, decay } = settings;
    this.season = season;
    this.week = settings.week;
    this.levelWindow = levelWindow;
    this.enabled = settings.enabled;
    this.localLevels = createLocalLevelBank({ horizonSteps: horizon, errorHalfLifeSteps: settings.halfLife });
    this.recentMedian = createRecentMedianModel({
      horizonSteps: horizon,
      seasonLength: season,
      levelWindow,
      decay,
      history: series.values,
      prefix: series.prefix,
      filled: series.filled,
    });
    const fitted = { horizonSteps: horizon, seasonLength: season, decay };
    this.direct = new DirectRegressionMember(fitted, series);
    this.median = new DirectMedianMember(fitted, series, seasonalMedianRegressors);
    this.levelReversion = new DirectMedianMember(fitted, series, levelReversionRegressors);
  }

  /**
   * Advances every member past sample `t` (`value`, a gap fill if `filled`). The median models
   * refit once per level window (hourly): a least-absolute-deviations fit is too costly per step.
   */
  observe(t: number, value: number, filled: boolean): void {
    this.updateSmoothers(value);
    this.localLevels.observe(value, { filled });
    if (this.enabled[MEDIAN_MEMBER] && (t + 1) % this.levelWindow === 0) this.median.refit(t);
    if (this.enabled[RECENT_MEDIAN_MEMBER] && (t + 1) % this.levelWindow === 0) this.recentMedian.refit(t);
    if (this.enabled[LEVEL_REVERSION_MEMBER] && (t + 1) % this.levelWindow === 0)
      this.levelReversion.refit(t);
  }

  /** Feeds the target `value` at `t` of the `h`-step forecast from `t − h` to the online fits. */
  learn(t: number, h: number, value: number): void {
    this.direct.fit(t, h, value);
  }

  /** Member `member`'s forecast `h` steps after origin `t`; `NaN` where it cannot forecast yet. */
  forecast(member: number, t: number, h: number): number {
    const { series, season, week } = this;
    const history = series.values;
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
        return history[target - lag]! + series.recentLevel(t) - series.recentLevel(t - lag);
      }
      case 'seasonal-mean':
        return this.seasonalMean(t, h);
      case 'damped-trend':
        return this.dampedTrendForecast(h);
      case 'smoothed-level':
        return this.smoothed;
      case 'local-level':
        return this.localLevels.forecast(h);
      case 'median-regression':
        return this.median.forecast(t, h);
      case 'recent-median':
        return this.recentMedian.forecast(t, h);
      case 'level-reversion':
        return this.levelReversion.forecast(t, h);
      default:
        return this.direct.forecast(t, h);
    }
  }

  /** Mean of the same slot over up to 7 earlier days, each shifted by how far the level moved since. */
  private seasonalMean(t: number, h: number): number {
    const { series, season } = this;
    const target = t + h;
    const base = season * Math.ceil(h / season);
    const days = Math.min(MAX_SEASONAL_MEAN_DAYS, Math.floor((t - base) / season) + 1);
    if (days < 2) return Number.NaN;
    let sum = 0;
    let levels = 0;
    for (let day = 0; day < days; day++) {
      const lag = base + day * season;
      sum += series.values[target - lag]!;
      levels += series.recentLevel(t - lag);
    }
    return (sum - levels) / days + series.recentLevel(t);
  }

  private dampedTrendForecast(h: number): number {
    let factor = 0;
    let power = 1;
    for (let step = 1; step <= h; step++) {
      power *= DAMPED.phi;
      factor += power;
    }
    return this.dampedLevel + this.dampedTrend * factor;
  }

  private updateSmoothers(value: number): void {
    if (Number.isNaN(this.dampedLevel)) {
      this.dampedLevel = value;
      this.smoothed = value;
      return;
    }
    const previous = this.dampedLevel;
    this.dampedLevel = DAMPED.alpha * value + (1 - DAMPED.alpha) * (previous + DAMPED.phi * this.dampedTrend);
    this.dampedTrend =
      DAMPED.beta * (this.dampedLevel - previous) + (1 - DAMPED.beta) * DAMPED.phi * this.dampedTrend;
    this.smoothed = SMOOTHED_ALPHA * value + (1 - SMOOTHED_ALPHA) * this.smoothed;
  }
}
